using HeadShotEvents.Service.JobLog;
using HeadShotEvents.Service.Jobs;
using HeadShotEvents.Service.Outcomes;
using HeadShotEvents.Service.Timeline;
using Microsoft.Extensions.Options;

namespace HeadShotEvents.Service.Operations.Page;

/// <summary>GET /ops/{requestId}: one job, its timeline, its outputs as thumbnails, its trace, a replay button.</summary>
internal static class JobPage
{
    public static async Task<IResult> RenderAsync(
        Guid requestId, HttpRequest http, JobStore store, JobLogReader log, IOptions<JaegerOptions> jaeger, CancellationToken cancellationToken)
    {
        var job = await store.FindByRequestIdAsync(requestId, cancellationToken);
        var timeline = job is null ? null : await log.TimelineAsync(requestId, cancellationToken);
        if (job is null || timeline is null)
        {
            return Layout.Page("Unknown request", Html.Of($"""<h1>Unknown request</h1><p>No head shot is known with RequestId <code>{requestId}</code> (yet).</p>"""),
                StatusCodes.Status404NotFound);
        }

        var terminal = job.State.IsTerminal();
        return Layout.Page($"Job {requestId}", Html.Of($"""
            <h1>Job <code>{requestId}</code></h1>
            {Notice(http.Query)}
            <table id="job">
            <tr><th>state</th><td class="{job.State}" id="state">{job.State}</td></tr>
            <tr><th>track id</th><td>{job.TrackId}</td></tr>
            <tr><th>ModelsLab id</th><td>{job.ModelsLabId}</td></tr>
            <tr><th>created</th><td>{TerminalEvents.Utc(job.CreatedAt):O}</td></tr>
            {Failure(job)}
            <tr><th>metadata</th><td id="metadata">{JobListPage.Metadata(job.Metadata)}</td></tr>
            <tr><th>trace</th><td>{Trace(jaeger.Value, timeline.TraceId)}</td></tr>
            </table>
            <h2>Outputs</h2>
            <div id="outputs">{Outputs(job)}</div>
            <h2>Timeline</h2>
            <ol id="timeline">{Html.Join(timeline.Entries.Select(Entry))}</ol>
            {(timeline.Truncated ? Html.Of($"""<p class="muted">Older entries were dropped.</p>""") : Markup.Empty)}
            <h2>Replay</h2>
            {ReplayForm(job, terminal)}
            """), refresh: !terminal);
    }

    private static Markup Notice(IQueryCollection query) =>
        query["replayed"].ToString() is { Length: > 0 } messageId
            ? Html.Of($"""<p class="notice" id="notice">Replayed: the terminal event went out again with MessageId <code>{messageId}</code>.</p>""")
            : Markup.Empty;

    private static Markup Failure(HeadShotJob job) => job.FailureReason is { } reason
        ? Html.Of($"""<tr><th>failure</th><td id="failure">{reason}: {job.FailureMessage}</td></tr>""")
        : Markup.Empty;

    private static Markup Trace(JaegerOptions jaeger, string? traceId) => jaeger.TraceUrl(traceId) is { } url
        ? Html.Of($"""<a id="trace-link" href="{Html.SafeUrl(url)}" rel="noreferrer">{traceId}</a>""")
        : Html.Of($"""<span class="muted">{traceId ?? "no trace saved"}{(string.IsNullOrEmpty(jaeger.UiUrl) ? " (set Jaeger:UiUrl for a link)" : "")}</span>""");

    private static Markup Outputs(HeadShotJob job) => job.Outputs.Count == 0
        ? Html.Of($"""<p class="muted">None{(job.State == JobState.Completed ? "" : " yet")}.</p>""")
        : Html.Join(job.Outputs.Select((url, i) => Html.Of(
            $"""<a href="{Html.SafeUrl(url)}" rel="noreferrer"><img class="thumbnail" src="{Html.SafeUrl(url)}" alt="output {i}" loading="eager"></a>""")));

    private static Markup Entry(TimelineEntryView entry)
    {
        var facts = new[]
        {
            entry.Outcome is { } outcome ? $"outcome {outcome}" : null,
            entry.ModelsLabId is { } id ? $"ModelsLab id {id}" : null,
            entry.EtaSeconds is { } eta ? $"eta {eta:0.#} s" : null,
            entry.MessageId is { } messageId ? $"MessageId {messageId}" : null,
            entry.Kind == nameof(TimelineKind.Replayed) ? $"to {entry.Queue ?? "every subscriber"}" : null,
            entry.Detail,
        }.Where(f => f is not null);
        return Html.Of($"""<li data-kind="{entry.Kind}"><code>{entry.At:HH:mm:ss.fff}</code> <b>{entry.Kind}</b> <span>{string.Join(" · ", facts)}</span></li>""");
    }

    private static Markup ReplayForm(HeadShotJob job, bool terminal) => terminal
        ? Html.Of($"""
            <form method="post" action="/ops/{job.RequestId}/replay" id="replay-form">
            <label>only to queue (optional) <input name="queue" id="replay-queue" placeholder="archive-head-shot"></label>
            <button type="submit" id="replay">Replay {(job.State == JobState.Completed ? "HeadShotCompleted" : "HeadShotFailed")}</button>
            </form>
            """)
        : Html.Of($"""<button id="replay" disabled>Replay (once the job is settled)</button>""");
}
