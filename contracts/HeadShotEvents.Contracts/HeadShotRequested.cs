namespace HeadShotEvents.Contracts;

/// <summary>
/// Asks for one head-shot generation. Publish it on the bus (or POST it to <c>/headshots</c>);
/// the outcome arrives later as <see cref="HeadShotCompleted"/> or <see cref="HeadShotFailed"/>
/// carrying the same <see cref="RequestId"/>.
/// </summary>
/// <remarks>
/// Parameters mirror ModelsLab's head_shot schema and are validated against its limits before
/// anything is sent: a request the schema rejects ends as <see cref="HeadShotFailed"/> with
/// <see cref="HeadShotFailureReason.ValidationRejected"/> and field errors, and costs nothing.
/// </remarks>
public sealed record HeadShotRequested
{
    /// <summary>
    /// Chosen by the publisher; the idempotency key. Publishing the same RequestId twice makes
    /// one job and one paid generation.
    /// </summary>
    public required Guid RequestId { get; init; }

    /// <summary>Text prompt describing the picture wanted (ModelsLab <c>prompt</c>, required).</summary>
    public required string Prompt { get; init; }

    /// <summary>
    /// The face the generation should resemble: an absolute https URL, or base64 image data
    /// (<c>data:image/jpeg;base64,...</c>). Required.
    /// </summary>
    public required string FaceImage { get; init; }

    /// <summary>What the picture must not show (ModelsLab <c>negative_prompt</c>).</summary>
    public string? NegativePrompt { get; init; }

    /// <summary>Output width in pixels, 1 to 512. When absent ModelsLab uses the face image's width.</summary>
    public int? Width { get; init; }

    /// <summary>Output height in pixels, 1 to 768. When absent ModelsLab uses the face image's height.</summary>
    public int? Height { get; init; }

    /// <summary>Number of images, 1 or 2 (a 512x768 generation yields one).</summary>
    public int? Samples { get; init; }

    /// <summary>Denoising steps: 21, 31 or 41.</summary>
    public int? NumInferenceSteps { get; init; }

    /// <summary>
    /// Classifier-free guidance, a whole number from 1 to 5 as ModelsLab's schema says. The
    /// documentation page's own example sends 7.5, which the schema rejects: so does this service.
    /// The type is a number so that such a value gets a clear field error instead of a parse failure.
    /// </summary>
    public double? GuidanceScale { get; init; }

    /// <summary>Weight of the face structure, 0 to 2 (ModelsLab default 1).</summary>
    public double? SScale { get; init; }

    /// <summary>Whether ModelsLab runs its safety checker.</summary>
    public bool? SafetyChecker { get; init; }

    /// <summary>What the safety checker does to flagged images: black, blur, sensitive_content_text or pixelate.</summary>
    public string? SafetyCheckerType { get; init; }

    /// <summary>Ask ModelsLab for base64 output instead of image URLs.</summary>
    public bool? Base64 { get; init; }

    /// <summary>Random seed; absent lets ModelsLab pick one.</summary>
    public long? Seed { get; init; }

    /// <summary>
    /// The publisher's own correlation data, echoed unchanged on every later event of this request.
    /// Never sent to ModelsLab.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}
