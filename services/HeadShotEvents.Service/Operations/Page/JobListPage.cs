using HeadShotEvents.Service.JobLog;
using HeadShotEvents.Service.Jobs;
using HeadShotEvents.Service.Outcomes;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.Extensions.Primitives;

namespace HeadShotEvents.Service.Operations.Page;

/// <summary>
/// GET /ops: the job log with its filters as a plain form. The query string is GET /headshots' own
/// (<c>state</c>, <c>since</c>, <c>until</c>, <c>metadata.key=value</c>, <c>cursor</c>, <c>limit</c>);
/// the form's one free-text field <c>meta</c> (<c>key=value</c>) becomes a <c>metadata.key</c> filter.
/// </summary>
internal static class JobListPage
{
    public const string MetaField = "meta";

    public static async Task<IResult> RenderAsync(HttpRequest http, JobLogReader log, CancellationToken cancellationToken)
    {
        var (filters, metaProblem) = Filters(http.Query);
        var (query, errors) = JobLogQuery.Parse(filters);
        if (metaProblem is not null)
        {
            errors[MetaField] = [metaProblem];
            query = null;
        }

        if (query is null)
        {
            var problems = Html.Join(errors.SelectMany(e => e.Value.Select(m => Html.Of($"<li><b>{e.Key}</b>: {m}</li>"))));
            return Layout.Page("Event log", Html.Of($"""{Form(http.Query)}<div class="error" id="errors"><ul>{problems}</ul></div>"""), StatusCodes.Status400BadRequest);
        }

        var page = await log.ListAsync(query, cancellationToken);
        var rows = Html.Join(page.Jobs.Select(Row));
        var more = page.Next is { } next
            ? Html.Of($"""<p><a id="next" href="{NextHref(filters, next.Encode())}">Older jobs</a></p>""")
            : Markup.Empty;
        return Layout.Page("Event log", Html.Of($"""
            <h1>Event log</h1>
            {Form(http.Query)}
            <table id="jobs"><thead><tr><th>request</th><th>state</th><th>created</th><th>track id</th><th>outputs</th><th>metadata</th></tr></thead>
            <tbody>{rows}</tbody></table>
            {(page.Jobs.Count == 0 ? Html.Of($"""<p class="muted" id="empty">No job matches.</p>""") : Markup.Empty)}
            {more}
            """));
    }

    private static Markup Row(HeadShotJob job) => Html.Of($"""
        <tr data-request-id="{job.RequestId}"><td><a href="/ops/{job.RequestId}"><code>{job.RequestId}</code></a></td>
        <td class="{job.State}">{job.State}</td><td>{TerminalEvents.Utc(job.CreatedAt):yyyy-MM-dd HH:mm:ss}</td>
        <td>{job.TrackId}</td><td>{job.Outputs.Count}</td><td>{Metadata(job.Metadata)}</td></tr>
        """);

    internal static Markup Metadata(IReadOnlyDictionary<string, string>? metadata) =>
        Html.Join((metadata ?? new Dictionary<string, string>()).Select(m => Html.Of($"<span class=\"meta\"><code>{m.Key}={m.Value}</code></span> ")));

    private static Markup Form(IQueryCollection query)
    {
        var chosen = query["state"].SelectMany(s => (s ?? "").Split(',', StringSplitOptions.TrimEntries)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var states = Html.Join(Enum.GetNames<JobState>().Select(state =>
            Html.Of($"""<label><span>{state}</span><input type="checkbox" name="state" value="{state}"{(chosen.Contains(state) ? new Markup(" checked") : Markup.Empty)}></label>""")));
        return Html.Of($"""
            <form class="filters" method="get" action="/ops" id="filters">
            {states}
            <label>since (ISO 8601)<input name="since" value="{query["since"].ToString()}" placeholder="2026-11-25T00:00:00Z"></label>
            <label>until<input name="until" value="{query["until"].ToString()}"></label>
            <label>metadata key=value<input name="{MetaField}" value="{query[MetaField].ToString()}" placeholder="customer=c-42"></label>
            <button type="submit" id="search">Search</button>
            </form>
            """);
    }

    /// <summary>The query with the form's <c>meta</c> turned into <c>metadata.key</c>, or why it cannot be.</summary>
    private static (IQueryCollection Filters, string? Problem) Filters(IQueryCollection query)
    {
        var values = query.Where(q => q.Key != MetaField && q.Key != "cursor").ToDictionary(q => q.Key, q => q.Value, StringComparer.OrdinalIgnoreCase);
        if (!StringValues.IsNullOrEmpty(query["cursor"]))
        {
            values["cursor"] = query["cursor"];
        }

        var meta = query[MetaField].ToString().Trim();
        if (meta.Length > 0)
        {
            var equals = meta.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                return (new QueryCollection(values), "Write the metadata filter as key=value.");
            }

            values[JobLogQuery.MetadataPrefix + meta[..equals].Trim()] = meta[(equals + 1)..].Trim();
        }

        return (new QueryCollection(values), null);
    }

    private static string NextHref(IQueryCollection filters, string cursor)
    {
        var builder = new QueryBuilder();
        foreach (var (key, values) in filters.Where(f => f.Key != "cursor"))
        {
            foreach (var value in values)
            {
                builder.Add(key, value ?? "");
            }
        }

        builder.Add("cursor", cursor);
        return "/ops" + builder.ToQueryString();
    }
}
