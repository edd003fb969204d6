using HeadShotEvents.Contracts;
using HeadShotEvents.Service.Jobs;
using HeadShotEvents.Service.Outcomes;
using MassTransit;

namespace HeadShotEvents.Service.Submitting;

/// <summary>
/// A HeadShotRequested that still failed after every retry lands in the <c>_error</c> queue, and
/// MassTransit publishes a <see cref="Fault{T}"/>. The publisher must not be left waiting: a job
/// that never reached ModelsLab fails as ServiceError; one that did is left to the callback or the
/// reconciler (re-sending it could pay twice); a settled one gets its owed event.
/// </summary>
public sealed partial class SubmitHeadShotFaultConsumer(JobStore store, JobOutcomes outcomes, ILogger<SubmitHeadShotFaultConsumer> logger)
    : IConsumer<Fault<HeadShotRequested>>
{
    public async Task Consume(ConsumeContext<Fault<HeadShotRequested>> context)
    {
        var request = context.Message.Message;
        var cause = context.Message.Exceptions.FirstOrDefault();
        LogFault(logger, request.RequestId, cause?.ExceptionType ?? "unknown", cause?.Message ?? "");

        var (job, _) = await store.CreateAsync(request, null, null, context.CancellationToken);
        if (job.State == JobState.Accepted)
        {
            await outcomes.FailAsync(job, HeadShotFailureReason.ServiceError,
                $"HeadShotEvents could not process the request ({cause?.ExceptionType ?? "unknown error"}); it is kept in the _error queue.",
                null, null, context.CancellationToken, onlyIf: row => row.State == JobState.Accepted);
            return;
        }

        outcomes.PublishOwed(job);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "HeadShotRequested {RequestId} failed after every retry ({ExceptionType}: {Reason}); it is in the _error queue")]
    private static partial void LogFault(ILogger logger, Guid requestId, string exceptionType, string reason);
}
