using System.Text.Json.Serialization;

namespace HeadShotEvents.Contracts;

/// <summary>How a head shot's result reached the service. Written by name on the wire.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<HeadShotDelivery>))]
public enum HeadShotDelivery
{
    /// <summary>ModelsLab answered the submit with <c>success</c> at once.</summary>
    Immediate,

    /// <summary>ModelsLab's webhook delivered it.</summary>
    Webhook,

    /// <summary>The reconciler fetched it after the webhook was overdue.</summary>
    Poll,
}
