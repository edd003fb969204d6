using HeadShotEvents.Contracts;
using HeadShotEvents.Service.Jobs;
using MassTransit;

namespace HeadShotEvents.Service.Submitting;

/// <summary>The submit's ways back when ModelsLab did not take the request, or the job's creation failed.</summary>
public sealed partial class SubmitHeadShotConsumer
{
    /// <summary>
    /// ModelsLab did not take the request: hand it back to the retry policy, or, on the last
    /// attempt, fail it so the publisher hears about it instead of finding it only in _error.
    /// </summary>
    private async Task GiveBackAsync(ConsumeContext context, HeadShotJob job, JobState holding, string reason, TimeSpan? retryAfter, Exception? inner)
    {
        if (context.GetRetryAttempt() >= SubmitHeadShotConsumerDefinition.RetryLimit)
        {
            await outcomes.FailAsync(job, HeadShotFailureReason.ModelsLabUnavailable, reason, null, null, context.CancellationToken,
                onlyIf: row => row.State == holding);
            return;
        }

        await store.ChangeAsync(job.TrackId, row => Move(row, JobState.Submitting, JobState.Accepted), context.CancellationToken);
        if (retryAfter is { } wait && wait > TimeSpan.Zero)
        {
            // ModelsLab said when to come back; the retry policy's own backoff follows on top.
            await Task.Delay(wait < MaxRetryAfter ? wait : MaxRetryAfter, time, context.CancellationToken);
        }

        throw inner is null ? new ModelsLabUnavailableException(reason, retryAfter) : new ModelsLabUnavailableException(reason, inner);
    }

    private async Task ReleaseUnsentClaimAsync(Guid requestId, Exception failure)
    {
        try
        {
            // Not the consume's token: it may be the very cancellation that cut the creation short.
            await store.ReleaseUnsentClaimAsync(requestId, CancellationToken.None);
        }
        catch (Exception ex)
        {
            LogClaimNotReleased(logger, requestId, failure.GetType().Name, ex);
        }
    }

    /// <summary>Longer waits are ModelsLab's business, not a reason to hold a consumer: the retry policy spaces the rest.</summary>
    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(60);

    private static bool Move(HeadShotJob row, JobState from, JobState to)
    {
        if (row.State != from)
        {
            return false;
        }

        row.State = to;
        return true;
    }
}
