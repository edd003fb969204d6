namespace HeadShotEvents.Simulator.Jobs;

/// <summary>A head_shot request that passed validation, defaults filled in.</summary>
internal sealed record HeadShotRequest(
    string Prompt,
    string? NegativePrompt,
    string FaceImage,
    int Width,
    int Height,
    int Samples,
    int NumInferenceSteps,
    double GuidanceScale,
    double SScale,
    bool SafetyChecker,
    string SafetyCheckerType,
    bool Base64,
    long? Seed,
    Uri? Webhook,
    long? TrackId)
{
    /// <summary>
    /// Images actually made: the documentation notes that 512×768, the largest size, yields one
    /// image whatever <c>samples</c> asks for.
    /// </summary>
    public int ImageCount => Width * Height >= 512 * 768 ? 1 : Samples;
}
