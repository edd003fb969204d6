using System.Diagnostics;
using HeadShotEvents.Contracts;
using HeadShotEvents.ModelsLab.Validation;
using HeadShotEvents.Service.Jobs;
using HeadShotEvents.Service.Jobs.GroupCommit;
using HeadShotEvents.Service.Outcomes;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HeadShotEvents.Service.Status;

/// <summary>For callers who are not on the bus: submit a request, read where it stands.</summary>
internal static class HeadShotsApi
{
    public static IEndpointRouteBuilder MapHeadShots(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/headshots").WithTags("HeadShots");
        group.MapPost("/", SubmitAsync).WithName("SubmitHeadShot").WithSummary("Validate and publish a HeadShotRequested")
            .Accepts<HeadShotRequested>("application/json");
        group.MapGet("/{requestId:guid}", GetAsync).WithName("GetHeadShot").WithSummary("Where a request stands");
        return endpoints;
    }

    internal static async Task<Results<Accepted<HeadShotStatus>, ValidationProblem, ProblemHttpResult>> SubmitAsync(
        HttpRequest http, SubmitPathStore store, IPublishEndpoint publisher, CancellationToken cancellationToken)
    {
        var (request, unreadable) = await HeadShotRequestBody.ReadAsync(http, cancellationToken);
        if (request is null)
        {
            return TypedResults.ValidationProblem(unreadable, title: "The body is not a head-shot request");
        }

        var errors = HeadShotRequestValidator.Validate(request);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(HeadShotRequestBody.InRequestNames(errors), title: "The request breaks ModelsLab's schema");
        }

        // The row first, so the Location answers at once; the submitter picks up an Accepted row
        // as its own. A client retrying its POST finds the row and is not submitted twice. Created
        // together with the rows of other requests arriving at the same moment (one commit).
        var (job, created) = await store.CreateAsync(request, Activity.Current?.Id, Activity.Current?.TraceStateString, submitting: false, cancellationToken);
        if (!created && job.RequestFingerprint is { } known && known != RequestFingerprint.Of(request))
        {
            // A retry gets the job it made; another payload under the same key would silently get someone else's.
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "RequestId already used",
                detail: $"RequestId {request.RequestId} was already used for a different request; choose a new RequestId.");
        }

        if (job.State == JobState.Accepted)
        {
            await publisher.Publish(request, context => context.MessageId = request.RequestId, cancellationToken);
        }

        return TypedResults.Accepted($"/headshots/{request.RequestId}", HeadShotStatus.From(job));
    }

    internal static async Task<Results<Ok<HeadShotStatus>, ProblemHttpResult>> GetAsync(
        Guid requestId, JobStore store, CancellationToken cancellationToken)
    {
        var job = await store.FindByRequestIdAsync(requestId, cancellationToken);
        return job is null
            ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown request",
                detail: $"No head shot is known with RequestId {requestId} (yet).")
            : TypedResults.Ok(HeadShotStatus.From(job));
    }
}

/// <summary>What GET /headshots/{requestId} answers.</summary>
public sealed record HeadShotStatus
{
    public required Guid RequestId { get; init; }

    /// <summary>Accepted, Submitting, Processing, OutcomeUnknown, Completed or Failed.</summary>
    public required string State { get; init; }

    public long? TrackId { get; init; }
    public string? ModelsLabId { get; init; }
    public IReadOnlyList<string> Outputs { get; init; } = [];
    public DateTimeOffset? OutputsExpireAt { get; init; }
    public HeadShotDelivery? Delivery { get; init; }
    public HeadShotFailureReason? FailureReason { get; init; }
    public string? FailureMessage { get; init; }
    public IReadOnlyDictionary<string, string[]>? FieldErrors { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
    public DateTimeOffset? SubmittedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>The publisher's metadata, as it is echoed on every event of the request.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    public static HeadShotStatus From(HeadShotJob job) => new()
    {
        RequestId = job.RequestId,
        State = job.State.ToString(),
        TrackId = job.TrackId,
        ModelsLabId = job.ModelsLabId,
        Outputs = job.Outputs,
        OutputsExpireAt = Maybe(job.OutputsExpireAt),
        Delivery = job.Delivery,
        FailureReason = job.FailureReason,
        FailureMessage = job.FailureMessage,
        FieldErrors = job.FieldErrors,
        CreatedAt = TerminalEvents.Utc(job.CreatedAt),
        SubmittedAt = Maybe(job.SubmittedAt),
        FinishedAt = Maybe(job.FinishedAt),
        Metadata = job.Metadata,
    };

    private static DateTimeOffset? Maybe(DateTime? value) => value is { } v ? TerminalEvents.Utc(v) : null;
}
