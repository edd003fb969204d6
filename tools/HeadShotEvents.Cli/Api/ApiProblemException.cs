using System.Net;

namespace HeadShotEvents.Cli.Api;

/// <summary>The service answered, and said no: its ProblemDetails, as it wrote them.</summary>
public sealed class ApiProblemException(HttpStatusCode status, string title, string? detail, IReadOnlyDictionary<string, string[]> errors)
    : Exception($"{(int)status} {title}{(detail is null ? "" : ": " + detail)}")
{
    public HttpStatusCode Status { get; } = status;
    public string Title { get; } = title;
    public string? Detail { get; } = detail;
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;
}

/// <summary>No answer at all: nothing listens at the URL, or it took too long.</summary>
public sealed class ServiceUnreachableException(Uri url, string reason, Exception inner)
    : Exception($"The service at {url} did not answer: {reason}", inner)
{
    public Uri Url { get; } = url;
}
