namespace HeadShotEvents.ModelsLab.Wire;

/// <summary>The <c>status</c> of any ModelsLab body, whatever its HTTP code.</summary>
public enum ModelsLabStatus
{
    /// <summary>A status this client does not know, or none at all: an outcome to handle, not an exception.</summary>
    Unknown,
    Success,
    Processing,
    Error,
    /// <summary>Webhooks and polling code use <c>failed</c> where the API documents <c>error</c>; both are terminal.</summary>
    Failed,
}
