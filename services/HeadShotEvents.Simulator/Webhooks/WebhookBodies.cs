using System.Globalization;
using System.Text.Json.Nodes;
using HeadShotEvents.Simulator.Jobs;

namespace HeadShotEvents.Simulator.Webhooks;

/// <summary>The bodies ModelsLab POSTs to a job's webhook, as the webhook page and saved traffic show them.</summary>
internal static class WebhookBodies
{
    /// <summary>The early notice older API versions sent before the result.</summary>
    public static JsonObject Processing(HeadShotJob job) => WithTrackId(job, new JsonObject
    {
        ["status"] = "processing",
        ["id"] = job.Id,
    }, then: new JsonObject { ["eta"] = JobJson.Eta(job) });

    public static JsonObject Success(HeadShotJob job) => WithTrackId(job, new JsonObject
    {
        ["status"] = "success",
        ["id"] = job.Id,
        ["output"] = JobJson.Links(job),
        ["generationTime"] = job.GenerationTime.TotalSeconds,
    }, then: new JsonObject
    {
        ["meta"] = JobJson.ThinMeta(job),
        ["webhook_status"] = "complete",
    });

    public static JsonObject Failure(HeadShotJob job) => WithTrackId(job, JobJson.Failure(job), then: []);

    /// <summary>
    /// Adds <c>track_id</c> (when the request sent one) in the form the job's faults chose: the
    /// schema says integer, the SDKs and the webhook page say string, so receivers meet both.
    /// </summary>
    private static JsonObject WithTrackId(HeadShotJob job, JsonObject body, JsonObject then)
    {
        if (job.Request.TrackId is { } trackId)
        {
            body["track_id"] = job.Faults.TrackIdAs == TrackIdFormat.Number
                ? JsonValue.Create(trackId)
                : JsonValue.Create(trackId.ToString(CultureInfo.InvariantCulture));
        }
        foreach (var (name, value) in then.ToList())
        {
            then.Remove(name);
            body[name] = value;
        }
        return body;
    }
}
