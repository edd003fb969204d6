using HeadShotEvents.Service.JobLog;

namespace HeadShotEvents.Service.Operations.Page;

/// <summary>
/// The event-log page (internal, Api role): server-rendered HTML over the job log's own query,
/// timeline and replay code. No script: links, a GET form for the filters, a POST form for replay.
/// </summary>
public static class OpsPage
{
    public static IHostApplicationBuilder AddOpsPage(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<JaegerOptions>()
            .BindConfiguration(JaegerOptions.Section)
            .Validate(o => o.IsValid, "Jaeger:UiUrl must be an absolute http or https URL (Jaeger's UI root), or empty.")
            .ValidateOnStart();
        return builder;
    }

    public static IEndpointRouteBuilder MapOpsPage(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/ops").ExcludeFromDescription();
        group.MapGet("/", JobListPage.RenderAsync);
        group.MapGet("/{requestId:guid}", JobPage.RenderAsync);
        group.MapPost("/{requestId:guid}/replay", ReplayAsync);
        return endpoints;
    }

    /// <summary>POST /ops/{requestId}/replay: replays, then back to the job page (post/redirect/get).</summary>
    internal static async Task<IResult> ReplayAsync(Guid requestId, HttpRequest http, JobReplay replay, CancellationToken cancellationToken)
    {
        if (!SameOrigin(http))
        {
            // The key is a header a cross-site form cannot send, but a keyless loopback service has
            // only the browser's origin to tell its own form from another site's.
            return Layout.Page("Refused", Html.Of($"""<h1>Refused</h1><p>A replay is accepted only from this service's own page.</p>"""), StatusCodes.Status403Forbidden);
        }

        var form = http.HasFormContentType ? await http.ReadFormAsync(cancellationToken) : null;
        var queue = form?["queue"].ToString().Trim() is { Length: > 0 } named ? named : null;
        if (queue is not null && JobReplay.QueueNameProblem(queue) is { } problem)
        {
            return Layout.Page("Not replayed", Html.Of($"""<h1>Not replayed</h1><p class="error" id="errors">queue: {problem}</p><p><a href="/ops/{requestId}">Back</a></p>"""),
                StatusCodes.Status400BadRequest);
        }

        var (answer, refusal) = await replay.ReplayAsync(requestId, queue, cancellationToken);
        return refusal switch
        {
            ReplayRefusal.UnknownRequest => Layout.Page("Unknown request", Html.Of($"""<h1>Unknown request</h1><p><code>{requestId}</code></p>"""), StatusCodes.Status404NotFound),
            ReplayRefusal.NotTerminal => Layout.Page("Not settled yet", Html.Of($"""<h1>Not settled yet</h1><p>Only a Completed or Failed job can be replayed. <a href="/ops/{requestId}">Back</a></p>"""),
                StatusCodes.Status409Conflict),
            _ => TypedResults.Redirect($"/ops/{requestId}?replayed={answer!.MessageId}"),
        };
    }

    /// <summary>Browsers say where a form was posted from (Sec-Fetch-Site, Origin); scripts and curl say nothing.</summary>
    internal static bool SameOrigin(HttpRequest http)
    {
        if (http.Headers["Sec-Fetch-Site"].ToString() is { Length: > 0 } site && site is not ("same-origin" or "none"))
        {
            return false;
        }

        var origin = http.Headers.Origin.ToString();
        return origin.Length == 0
            || (Uri.TryCreate(origin, UriKind.Absolute, out var from)
                && string.Equals(from.Scheme, http.Scheme, StringComparison.OrdinalIgnoreCase)
                && string.Equals(from.Authority, http.Host.Value, StringComparison.OrdinalIgnoreCase));
    }
}
