using System.Text.Json;
using HeadShotEvents.Service.Status;
using HeadShotEvents.Service.Timeline;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HeadShotEvents.Service.JobLog;

/// <summary>The operator's side (internal): find a request, read its timeline, replay its event.</summary>
internal static class JobLogApi
{
    public static IEndpointRouteBuilder MapJobLog(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/headshots").WithTags("JobLog");
        group.MapGet("/", ListAsync).WithName("ListHeadShots")
            .WithSummary("The job log, newest first: filters state, since, until, metadata.<key>; keyset paging with cursor and limit");
        group.MapGet("/{requestId:guid}/timeline", TimelineAsync).WithName("GetHeadShotTimeline")
            .WithSummary("What happened to one request, oldest first");
        group.MapPost("/{requestId:guid}/replay", ReplayAsync).WithName("ReplayHeadShot")
            .WithSummary("Send the request's terminal event again (same MessageId, header HeadShotEvents-Replay), to every subscriber or to one queue")
            .Accepts<ReplayBody>("application/json");
        return endpoints;
    }

    internal static async Task<Results<Ok<JobLogAnswer>, ValidationProblem>> ListAsync(
        HttpRequest http, JobLogReader log, CancellationToken cancellationToken)
    {
        var (query, errors) = JobLogQuery.Parse(http.Query);
        if (query is null)
        {
            return TypedResults.ValidationProblem(errors, title: "The job log cannot be searched that way");
        }

        var page = await log.ListAsync(query, cancellationToken);
        return TypedResults.Ok(new JobLogAnswer([.. page.Jobs.Select(HeadShotStatus.From)], page.Next?.Encode()));
    }

    internal static async Task<Results<Ok<JobTimelineView>, ProblemHttpResult>> TimelineAsync(
        Guid requestId, JobLogReader log, CancellationToken cancellationToken) =>
        await log.TimelineAsync(requestId, cancellationToken) is { } timeline
            ? TypedResults.Ok(timeline)
            : Unknown(requestId);

    internal static async Task<Results<Accepted<ReplayAnswer>, ValidationProblem, ProblemHttpResult>> ReplayAsync(
        Guid requestId, HttpRequest http, JobReplay replay, CancellationToken cancellationToken)
    {
        var (queue, problem) = await ReadQueueAsync(http, cancellationToken);
        if (problem is not null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [problem.Value.Field] = [problem.Value.Message] },
                title: "The replay cannot be done that way");
        }

        var (answer, refusal) = await replay.ReplayAsync(requestId, queue, cancellationToken);
        return refusal switch
        {
            ReplayRefusal.UnknownRequest => Unknown(requestId),
            ReplayRefusal.NotTerminal => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not settled yet",
                detail: $"Request {requestId} has no terminal event yet: only a Completed or Failed job can be replayed."),
            _ => TypedResults.Accepted($"/headshots/{requestId}/timeline", answer!),
        };
    }

    /// <summary>The optional body: nothing, <c>{}</c>, or <c>{"queue": "name"}</c>.</summary>
    private static async Task<(string? Queue, (string Field, string Message)? Problem)> ReadQueueAsync(HttpRequest http, CancellationToken cancellationToken)
    {
        if (http.ContentLength == 0 || (http.ContentLength is null && !http.Headers.TransferEncoding.Any()))
        {
            return (null, null);
        }

        ReplayBody? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<ReplayBody>(http.Body, JsonSerializerOptions.Web, cancellationToken);
        }
        catch (JsonException)
        {
            return (null, ("$", "The body is optional; when given it is a JSON object like {\"queue\": \"my-subscriber\"}."));
        }

        if (body?.Queue is not { } queue)
        {
            return (null, null);
        }

        return JobReplay.QueueNameProblem(queue) is { } why ? (null, ("queue", why)) : (queue, null);
    }

    private static ProblemHttpResult Unknown(Guid requestId) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown request",
            detail: $"No head shot is known with RequestId {requestId} (yet).");
}

/// <summary>What GET /headshots answers.</summary>
public sealed record JobLogAnswer(IReadOnlyList<HeadShotStatus> Items, string? NextCursor);

/// <summary>POST /headshots/{requestId}/replay's optional body.</summary>
public sealed record ReplayBody(string? Queue);
