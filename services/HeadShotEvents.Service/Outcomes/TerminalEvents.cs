using HeadShotEvents.Contracts;
using HeadShotEvents.Service.Jobs;

namespace HeadShotEvents.Service.Outcomes;

/// <summary>Builds a terminal event from the job row alone, so any instance can (re-)publish it.</summary>
public static class TerminalEvents
{
    public static object From(HeadShotJob job) => job.State switch
    {
        JobState.Completed => new HeadShotCompleted
        {
            RequestId = job.RequestId,
            TrackId = job.TrackId,
            ModelsLabId = job.ModelsLabId ?? "",
            Outputs = job.Outputs,
            OutputsExpireAt = Utc(job.OutputsExpireAt ?? job.FinishedAt!.Value),
            Delivery = job.Delivery ?? HeadShotDelivery.Webhook,
            GenerationSeconds = job.GenerationSeconds,
            CompletedAt = Utc(job.FinishedAt!.Value),
            Metadata = job.Metadata,
        },
        JobState.Failed => new HeadShotFailed
        {
            RequestId = job.RequestId,
            Reason = job.FailureReason ?? HeadShotFailureReason.GenerationFailed,
            Message = job.FailureMessage ?? "The head shot failed.",
            FieldErrors = job.FieldErrors,
            TrackId = job.TrackId,
            ModelsLabId = job.ModelsLabId,
            FailedAt = Utc(job.FinishedAt!.Value),
            Metadata = job.Metadata,
        },
        _ => throw new InvalidOperationException($"Job {job.TrackId} is {job.State}, not terminal."),
    };

    public static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
