namespace HeadShotEvents.Service.Operations.Page;

/// <summary>Section <c>Jaeger</c>: where the event-log page links a job's trace.</summary>
public sealed class JaegerOptions
{
    public const string Section = "Jaeger";

    /// <summary>Jaeger's UI root, e.g. <c>http://localhost:16686</c>; none: no trace links.</summary>
    public string? UiUrl { get; set; }

    internal bool IsValid => string.IsNullOrEmpty(UiUrl)
        || (Uri.TryCreate(UiUrl, UriKind.Absolute, out var url) && url.Scheme is "http" or "https");

    public string? TraceUrl(string? traceId) =>
        string.IsNullOrEmpty(UiUrl) || string.IsNullOrEmpty(traceId) ? null : $"{UiUrl.TrimEnd('/')}/trace/{Uri.EscapeDataString(traceId)}";
}
