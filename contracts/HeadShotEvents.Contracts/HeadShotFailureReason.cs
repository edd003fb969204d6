using System.Text.Json.Serialization;

namespace HeadShotEvents.Contracts;

/// <summary>Why a head shot failed. Written by name on the wire; new names may be added.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<HeadShotFailureReason>))]
public enum HeadShotFailureReason
{
    /// <summary>The request broke ModelsLab's schema limits; ModelsLab was not called.</summary>
    ValidationRejected,

    /// <summary>ModelsLab refused the request (bad key, no credits, its own validation, ...).</summary>
    ModelsLabRejected,

    /// <summary>ModelsLab accepted the request but the generation failed.</summary>
    GenerationFailed,

    /// <summary>No outcome arrived by webhook or poll before the deadline.</summary>
    TimedOut,

    /// <summary>ModelsLab could not be reached or kept answering with server errors.</summary>
    ModelsLabUnavailable,

    /// <summary>ModelsLab answered with a status this service does not know.</summary>
    UnknownModelsLabStatus,

    /// <summary>
    /// HeadShotEvents itself could not process the request after its retries (its database or broker
    /// kept failing) before anything was sent to ModelsLab. The request sits in the submitter's
    /// <c>_error</c> queue, from where an operator can move it back once the cause is fixed.
    /// </summary>
    ServiceError,
}
