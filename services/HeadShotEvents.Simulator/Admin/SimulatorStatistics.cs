namespace HeadShotEvents.Simulator.Admin;

/// <summary>
/// What the simulator has seen and done since it started (<c>GET /simulator/admin/stats</c>).
/// Chaos tests assert through it, e.g. "exactly one head_shot call per track_id".
/// </summary>
/// <param name="HeadShotCalls">Every head_shot call, accepted or not.</param>
/// <param name="HeadShotCallsByTrackId">head_shot calls by the <c>track_id</c> they carried, accepted or not.</param>
/// <param name="JobsCreated">head_shot calls that were accepted and made a job.</param>
/// <param name="FetchCalls">Every fetch call.</param>
/// <param name="WebhooksSent">Webhooks a receiver acknowledged with 2xx (a duplicate counts again).</param>
/// <param name="WebhooksDropped">Webhooks never sent because of <see cref="SimulatorFaults.DropWebhookShare"/>.</param>
/// <param name="WebhookAttemptsFailed">Attempts that met a non-2xx answer, a timeout or no connection.</param>
/// <param name="WebhooksUndelivered">Webhooks given up after every attempt failed.</param>
/// <param name="WebhooksDuplicated">Terminal webhooks sent a second time because of <see cref="SimulatorFaults.DuplicateWebhookShare"/>.</param>
/// <param name="WebhooksDelayed">Webhooks held back by <see cref="SimulatorFaults.WebhookDelay"/> before their first attempt.</param>
public sealed record SimulatorStatistics(
    long HeadShotCalls,
    IReadOnlyDictionary<string, long> HeadShotCallsByTrackId,
    long JobsCreated,
    long FetchCalls,
    long WebhooksSent,
    long WebhooksDropped,
    long WebhookAttemptsFailed,
    long WebhooksUndelivered,
    long WebhooksDuplicated = 0,
    long WebhooksDelayed = 0);
