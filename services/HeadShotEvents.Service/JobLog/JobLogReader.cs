using System.Text.Json;
using HeadShotEvents.Service.Jobs;
using HeadShotEvents.Service.Timeline;
using Microsoft.EntityFrameworkCore;

namespace HeadShotEvents.Service.JobLog;

/// <summary>One page of the job log: newest first, and where the next page starts (null on the last).</summary>
public sealed record JobLogPage(IReadOnlyList<HeadShotJob> Jobs, JobCursor? Next);

/// <summary>
/// Reads the job log: pages of jobs by keyset over IX_head_shot_jobs_Log (CreatedAt desc, TrackId
/// desc), never OFFSET, so a page costs its own rows however deep it is, and jobs created between
/// two page reads (all newer than the cursor) never shift a later page. Also a job's timeline.
/// Shared by the HTTP API and the event-log page.
/// </summary>
public sealed class JobLogReader(JobsDbContext db, TimelineStore timeline)
{
    public async Task<JobLogPage> ListAsync(JobLogQuery query, CancellationToken cancellationToken)
    {
        var jobs = WithMetadata(query.Metadata).AsNoTracking();
        if (query.States.Count > 0)
        {
            var states = query.States.ToList();
            jobs = jobs.Where(j => states.Contains(j.State));
        }

        if (query.Since is { } since)
        {
            var from = since.UtcDateTime;
            jobs = jobs.Where(j => j.CreatedAt >= from);
        }

        if (query.Until is { } until)
        {
            var to = until.UtcDateTime;
            jobs = jobs.Where(j => j.CreatedAt < to);
        }

        if (query.After is { } after)
        {
            // The first condition bounds the index range; the second drops the cursor's own row and its earlier ties.
            var at = after.CreatedAt;
            var trackId = after.TrackId;
            jobs = jobs.Where(j => j.CreatedAt <= at && (j.CreatedAt < at || j.TrackId < trackId));
        }

        var rows = await jobs.OrderByDescending(j => j.CreatedAt).ThenByDescending(j => j.TrackId)
            .Take(query.Limit + 1).ToListAsync(cancellationToken);
        if (rows.Count <= query.Limit)
        {
            return new JobLogPage(rows, null);
        }

        rows.RemoveAt(rows.Count - 1);
        var last = rows[^1];
        return new JobLogPage(rows, new JobCursor(last.CreatedAt, last.TrackId));
    }

    /// <summary>The job's timeline, or null for an unknown request.</summary>
    public async Task<JobTimelineView?> TimelineAsync(Guid requestId, CancellationToken cancellationToken)
    {
        var job = await db.Jobs.AsNoTracking().SingleOrDefaultAsync(j => j.RequestId == requestId, cancellationToken);
        return job is null ? null : JobTimelineView.From(job, await timeline.ReadAsync(job.TrackId, cancellationToken));
    }

    /// <summary>
    /// The metadata filter, the one part LINQ cannot say. Metadata is JSON text on both providers.
    /// PostgreSQL: each pair is looked up in head_shot_job_metadata, which a trigger fills once per job
    /// (updates of the job row never touch it). SQLite: json_each per pair; SQLite has no
    /// index over the members of a JSON object (only one expression index per known key, and keys are
    /// the publishers'), so it scans in keyset order, which suits the embedded store's size.
    /// </summary>
    private IQueryable<HeadShotJob> WithMetadata(IReadOnlyDictionary<string, string> metadata)
    {
        if (metadata.Count == 0)
        {
            return db.Jobs;
        }

        var pairs = metadata.ToList();
        // Only placeholders are joined into the SQL: every key and value is a parameter.
        var arguments = pairs.SelectMany(p => new object[] { p.Key, p.Value }).ToArray();
        if (db.Database.IsNpgsql())
        {
            // Each pair through head_shot_job_metadata's index (migration MetadataSideTable), not a scan.
            // OFFSET 0 keeps the planner from walking the keyset index and probing every row for a rare
            // value (an order id); the price: a page for a value shared by very many jobs sorts all of them.
            var conditions = pairs.Select((_, i) => $$"""
                "TrackId" IN (SELECT m."TrackId" FROM head_shot_job_metadata AS m
                              WHERE m."Key" = {{{2 * i}}} AND md5(m."Value") = md5({{{(2 * i) + 1}}}) AND m."Value" = {{{(2 * i) + 1}}} OFFSET 0)
                """);
            var postgresSql = $"SELECT * FROM head_shot_jobs WHERE {string.Join(" AND ", conditions)}";
            return db.Jobs.FromSqlRaw(postgresSql, arguments);
        }

        var sqliteConditions = pairs.Select((_, i) =>
            $$"""EXISTS (SELECT 1 FROM json_each(head_shot_jobs."Metadata") m WHERE m.key = {{{2 * i}}} AND m.type = 'text' AND m.value = {{{(2 * i) + 1}}})""");
        var sql = $"""SELECT * FROM head_shot_jobs WHERE "Metadata" IS NOT NULL AND json_valid("Metadata") AND {string.Join(" AND ", sqliteConditions)}""";
        return db.Jobs.FromSqlRaw(sql, arguments);
    }
}
