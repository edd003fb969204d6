using HeadShotEvents.Contracts;

namespace HeadShotEvents.Service.Jobs;

/// <summary>
/// What a terminal transition writes, in one statement with the "event owed" mark. TraceParent is
/// the span that settled the job (callback, poll or submit): the event is published as its child.
/// </summary>
public sealed record JobSettlement(JobState State, DateTime FinishedAt, string? ModelsLabId, string? TraceParent, string? TraceState)
{
    public IReadOnlyList<string>? Outputs { get; init; }
    public DateTime? OutputsExpireAt { get; init; }
    public HeadShotDelivery? Delivery { get; init; }
    public double? GenerationSeconds { get; init; }
    public HeadShotFailureReason? FailureReason { get; init; }
    public string? FailureMessage { get; init; }
    public Dictionary<string, string[]>? FieldErrors { get; init; }
}
