using Microsoft.AspNetCore.Http.Features;

namespace HeadShotEvents.Service.Telemetry;

/// <summary>
/// The webhook endpoint is public: a <c>traceparent</c> sent to it by an outside caller must never
/// become a parent, or anyone could graft spans into (or hijack the sampling of) our traces.
/// ASP.NET Core reads trace headers right after it creates the HttpContext and before any
/// middleware runs, so this factory removes them from webhook requests at creation.
/// </summary>
internal sealed class UntrustedTraceHeaders(IServiceProvider services) : IHttpContextFactory
{
    private static readonly string[] TraceHeaders = ["traceparent", "tracestate", "baggage", "Correlation-Context", "Request-Id"];

    private readonly DefaultHttpContextFactory _inner = new(services);

    public HttpContext Create(IFeatureCollection featureCollection)
    {
        var context = _inner.Create(featureCollection);
        if (context.Request.Path.StartsWithSegments(ServiceDefaults.SecretPaths.WebhookPrefix.TrimEnd('/'), StringComparison.OrdinalIgnoreCase))
        {
            foreach (var header in TraceHeaders)
            {
                context.Request.Headers.Remove(header);
            }
        }

        return context;
    }

    public void Dispose(HttpContext httpContext) => _inner.Dispose(httpContext);
}
