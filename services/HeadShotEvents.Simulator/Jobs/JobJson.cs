using System.Globalization;
using System.Text.Json.Nodes;

namespace HeadShotEvents.Simulator.Jobs;

/// <summary>The pieces of a job that head_shot, fetch and the webhook all write.</summary>
internal static class JobJson
{
    /// <summary>
    /// The <c>meta</c> echo of the head_shot answers, keys in the order of the documentation's
    /// example: booleans as "yes"/"no", numbers as numbers even when sent as strings.
    /// </summary>
    public static JsonObject FullMeta(HeadShotJob job)
    {
        var request = job.Request;
        var meta = new JsonObject
        {
            ["base64"] = YesNo(request.Base64),
            ["face_image"] = request.FaceImage,
            ["file_prefix"] = job.Fate.FilePrefix,
            ["guidance_scale"] = request.GuidanceScale,
            ["height"] = request.Height,
        };
        if (request.NegativePrompt is not null)
            meta["negative_prompt"] = request.NegativePrompt;
        meta["num_inference_steps"] = request.NumInferenceSteps;
        meta["outdir"] = "out";
        meta["prompt"] = request.Prompt;
        meta["s_scale"] = request.SScale;
        meta["safety_checker"] = YesNo(request.SafetyChecker);
        meta["safety_checker_type"] = request.SafetyCheckerType;
        meta["samples"] = request.Samples;
        meta["seed"] = job.Fate.Seed;
        meta["temp"] = "yes";
        // Sent back as a string whatever the request held, as the real meta does.
        if (request.TrackId is { } trackId)
            meta["track_id"] = trackId.ToString(CultureInfo.InvariantCulture);
        if (request.Webhook is not null)
            meta["webhook"] = request.Webhook.OriginalString;
        meta["width"] = request.Width;
        return meta;
    }

    /// <summary>The thinner echo a webhook carries, as in the webhook page's example and saved traffic.</summary>
    public static JsonObject ThinMeta(HeadShotJob job) => new()
    {
        ["prompt"] = job.Request.Prompt,
        ["width"] = job.Request.Width,
        ["height"] = job.Request.Height,
        ["seed"] = job.Fate.Seed,
    };

    /// <summary>
    /// Whole seconds by default, as in the head_shot example; other endpoints of the family
    /// send floats (2.75), which <see cref="SimulatorFaults.EtaAsFloat"/> imitates.
    /// </summary>
    public static JsonNode Eta(HeadShotJob job)
    {
        var seconds = job.GenerationTime.TotalSeconds;
        return job.Faults.EtaAsFloat
            ? JsonValue.Create(Math.Floor(seconds) + 0.75)
            : JsonValue.Create((int)Math.Ceiling(seconds));
    }

    public static JsonArray Links(HeadShotJob job) => new(job.OutputUrls.Select(url => (JsonNode?)url).ToArray());

    /// <summary>A failed job as fetch and the webhook report it, in the status and field spelling its faults chose.</summary>
    public static JsonObject Failure(HeadShotJob job) => new()
    {
        ["status"] = job.Faults.FailureStatus == FailureStatus.Error ? "error" : "failed",
        ["id"] = job.Id,
        [job.Faults.MessageField == MessageField.Messege ? "messege" : "message"] = "Processing failed: the simulated generation failed",
    };

    private static string YesNo(bool value) => value ? "yes" : "no";
}
