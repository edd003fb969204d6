namespace HeadShotEvents.Service.Jobs;

/// <summary>Where a head-shot job stands. Completed and Failed are terminal and final.</summary>
public enum JobState
{
    /// <summary>Row created; head_shot not yet sent (or refused with a transient error and waiting to be sent again).</summary>
    Accepted,

    /// <summary>head_shot is being sent. A row found in this state after a crash has an unknown outcome: never re-send it.</summary>
    Submitting,

    /// <summary>ModelsLab queued it; waiting for the webhook (or the reconciler's poll).</summary>
    Processing,

    /// <summary>The head_shot call timed out after sending: ModelsLab may or may not have it. Settled by callback or reconciler.</summary>
    OutcomeUnknown,

    Completed,
    Failed,
}

public static class JobStates
{
    public static bool IsTerminal(this JobState state) => state is JobState.Completed or JobState.Failed;
}
