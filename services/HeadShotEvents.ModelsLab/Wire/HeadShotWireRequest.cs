using System.Text.Json.Serialization;
using HeadShotEvents.Contracts;

namespace HeadShotEvents.ModelsLab.Wire;

/// <summary>The head_shot body exactly as the schema types it (integers as integers, not the example's strings).</summary>
internal sealed record HeadShotWireRequest
{
    [JsonPropertyName("key")] public required string Key { get; init; }
    [JsonPropertyName("prompt")] public required string Prompt { get; init; }
    [JsonPropertyName("negative_prompt")] public string? NegativePrompt { get; init; }
    [JsonPropertyName("face_image")] public required string FaceImage { get; init; }
    [JsonPropertyName("width")] public int? Width { get; init; }
    [JsonPropertyName("height")] public int? Height { get; init; }
    [JsonPropertyName("samples")] public int? Samples { get; init; }
    [JsonPropertyName("num_inference_steps")] public int? NumInferenceSteps { get; init; }
    [JsonPropertyName("guidance_scale")] public int? GuidanceScale { get; init; }
    [JsonPropertyName("s_scale")] public double? SScale { get; init; }
    [JsonPropertyName("safety_checker")] public bool? SafetyChecker { get; init; }
    [JsonPropertyName("safety_checker_type")] public string? SafetyCheckerType { get; init; }
    [JsonPropertyName("base64")] public bool? Base64 { get; init; }
    [JsonPropertyName("seed")] public long? Seed { get; init; }
    [JsonPropertyName("webhook")] public string? Webhook { get; init; }
    [JsonPropertyName("track_id")] public long? TrackId { get; init; }

    /// <summary>Call only with a request the validator accepted (guidance_scale is then whole).</summary>
    public static HeadShotWireRequest From(HeadShotRequested request, string key, Uri? webhook, long? trackId) => new()
    {
        Key = key,
        Prompt = request.Prompt,
        NegativePrompt = request.NegativePrompt,
        FaceImage = request.FaceImage,
        Width = request.Width,
        Height = request.Height,
        Samples = request.Samples,
        NumInferenceSteps = request.NumInferenceSteps,
        GuidanceScale = request.GuidanceScale is { } g ? (int)g : null,
        SScale = request.SScale,
        SafetyChecker = request.SafetyChecker,
        SafetyCheckerType = request.SafetyCheckerType,
        Base64 = request.Base64,
        Seed = request.Seed,
        Webhook = webhook?.AbsoluteUri,
        TrackId = trackId,
    };
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(HeadShotWireRequest))]
[JsonSerializable(typeof(FetchWireRequest))]
internal sealed partial class ModelsLabJsonContext : JsonSerializerContext;

internal sealed record FetchWireRequest([property: JsonPropertyName("key")] string Key);
