using System.Text.Json.Nodes;
using HeadShotEvents.Simulator.Jobs;

namespace HeadShotEvents.Simulator.Submitting;

/// <summary>head_shot's two accepting answers, shaped as the documentation's examples.</summary>
internal static class HeadShotAnswers
{
    public static JsonObject Processing(HeadShotJob job) => new()
    {
        ["status"] = "processing",
        ["tip"] = "Your image is processing in background, you can get this image using fetch API",
        ["eta"] = JobJson.Eta(job),
        ["message"] = "Try to fetch request after seconds estimated",
        ["fetch_result"] = job.FetchUrl,
        ["id"] = job.Id,
        ["output"] = new JsonArray(),
        // Placeholders: these answer 404 until the generation has finished.
        ["future_links"] = JobJson.Links(job),
        ["proxy_links"] = new JsonArray(),
        ["meta"] = JobJson.FullMeta(job),
    };

    public static JsonObject Success(HeadShotJob job) => new()
    {
        ["status"] = "success",
        ["generationTime"] = job.GenerationTime.TotalSeconds,
        ["id"] = job.Id,
        ["output"] = JobJson.Links(job),
        // The real proxy links point at a second CDN; here both lists name the same working files.
        ["proxy_links"] = JobJson.Links(job),
        ["meta"] = JobJson.FullMeta(job),
    };
}
