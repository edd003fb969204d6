using System.Text.Json;
using HeadShotEvents.Service.Callbacks;

namespace HeadShotEvents.Benchmarks.Infrastructure;

/// <summary>ModelsLab's <c>success</c> webhook for a seeded job, shaped as the simulator sends it, with a real CDN output URL.</summary>
public static class Callbacks
{
    /// <summary>A host on ModelsLab's R2 CDN, which the default output rules (<c>*.r2.dev</c>) accept over https.</summary>
    private const string OutputRoot = "https://pub-3626123a908346a7a8be8d9295f44e26.r2.dev/generations/";

    public static byte[] SuccessBody(SeededJob job) => JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
    {
        ["status"] = "success",
        ["id"] = long.Parse(job.ModelsLabId, System.Globalization.CultureInfo.InvariantCulture),
        ["output"] = new[] { $"{OutputRoot}{job.RequestId:N}-0.png" },
        ["generationTime"] = 2.0,
        ["track_id"] = job.TrackId.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["meta"] = new Dictionary<string, object> { ["prompt"] = "pretty woman", ["width"] = 512, ["height"] = 512, ["seed"] = job.TrackId },
        ["webhook_status"] = "complete",
    });

    public static HttpCall Success(WebhookTokens tokens, SeededJob job) => new(tokens.WebhookUrl(job.TrackId), SuccessBody(job));
}
