using System.Globalization;
using System.Text.Json.Nodes;
using HeadShotEvents.Simulator.Jobs;

namespace HeadShotEvents.Simulator.Webhooks;

/// <summary>The bodies ModelsLab POSTs to a job's webhook, as the webhook page and saved traffic show them.</summary>
internal static class WebhookBodies
{
    /// <summary>The early notice older API versions sent before the result.</summary>
    public static JsonObject Processing(HeadShotJob job) => Body(
        ("status", "processing"),
        ("id", job.Id),
        ("track_id", TrackId(job)),
        ("eta", JobJson.Eta(job)));

    public static JsonObject Success(HeadShotJob job) => Body(
        ("status", "success"),
        ("id", job.Id),
        ("output", JobJson.Links(job)),
        ("generationTime", job.GenerationTime.TotalSeconds),
        ("track_id", TrackId(job)),
        ("meta", JobJson.ThinMeta(job)),
        ("webhook_status", "complete"));

    public static JsonObject Failure(HeadShotJob job)
    {
        var body = JobJson.Failure(job);
        if (TrackId(job) is { } trackId)
            body["track_id"] = trackId;
        return body;
    }

    /// <summary>Fields in the given order, leaving out the absent ones (no <c>"track_id":null</c>).</summary>
    private static JsonObject Body(params (string Name, JsonNode? Value)[] fields) =>
        new(fields.Where(field => field.Value is not null).Select(field => KeyValuePair.Create(field.Name, field.Value)));

    /// <summary>
    /// <c>track_id</c> in the form the job's faults chose (null when the request sent none): the
    /// schema says integer, the SDKs and the webhook page say string, so receivers meet both.
    /// </summary>
    private static JsonNode? TrackId(HeadShotJob job) => job.Request.TrackId is not { } trackId ? null
        : job.Faults.TrackIdAs == TrackIdFormat.Number ? JsonValue.Create(trackId)
        : JsonValue.Create(trackId.ToString(CultureInfo.InvariantCulture));
}
