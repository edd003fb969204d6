namespace HeadShotEvents.Simulator;

/// <summary>
/// How the simulated ModelsLab account behaves: section "Simulator". Defaults live here so the
/// simulator runs with no configuration at all (the service's embedded mode, tests).
/// </summary>
public sealed class SimulatorOptions
{
    public const string SectionName = "Simulator";

    /// <summary>The key every fresh simulator accepts when none is configured.</summary>
    public const string DefaultApiKey = "sim-key";

    /// <summary>
    /// Keys the simulator accepts. Left empty here on purpose: the configuration binder appends
    /// to a list's existing items, so a default item here could never be configured away;
    /// <see cref="DefaultApiKey"/> is filled in after binding when nothing was configured.
    /// </summary>
    public List<string> ApiKeys { get; set; } = [];

    /// <summary>
    /// Base of the output and fetch URLs the simulator hands out. Empty: the scheme and host of
    /// the incoming request, which is right unless a proxy or container network sits between.
    /// </summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>How long a generation stays "processing" before it succeeds or fails.</summary>
    public TimeSpan GenerationTime { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long output images answer after the generation finished (ModelsLab: 24 hours).</summary>
    public TimeSpan OutputLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Jobs one key may have processing at once before head_shot answers 429 (plans: 5, 10, 15).</summary>
    public int QueueLimitPerKey { get; set; } = 5;

    /// <summary>The <c>retry_after</c> (seconds) of the 429 answer.</summary>
    public int RetryAfterSeconds { get; set; } = 30;

    /// <summary>The id of the first job; later ones count up from it.</summary>
    public long FirstJobId { get; set; } = 1;

    /// <summary>Every random choice (fates, seeds, file names) derives from this and the job id.</summary>
    public int Seed { get; set; } = 1;

    /// <summary>POST attempts per webhook before it is given up (ModelsLab's delivery is best-effort).</summary>
    public int WebhookAttempts { get; set; } = 3;

    /// <summary>Pause between two attempts at the same webhook.</summary>
    public TimeSpan WebhookRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a receiver may take to answer (ModelsLab documents 30 seconds).</summary>
    public TimeSpan WebhookTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The faults in force at start; the admin endpoint can replace them later.</summary>
    public SimulatorFaults Faults { get; set; } = new();

    internal IEnumerable<string> Validate()
    {
        if (ApiKeys.Count == 0 || ApiKeys.Any(string.IsNullOrWhiteSpace))
            yield return "ApiKeys must hold at least one non-empty key.";
        if (!string.IsNullOrEmpty(PublicBaseUrl) && !Wire.WebAddress.IsHttp(PublicBaseUrl))
            yield return "PublicBaseUrl must be an absolute http(s) URL or empty.";
        if (GenerationTime < TimeSpan.Zero)
            yield return "GenerationTime must not be negative.";
        if (OutputLifetime <= TimeSpan.Zero)
            yield return "OutputLifetime must be positive.";
        if (QueueLimitPerKey < 1)
            yield return "QueueLimitPerKey must be at least 1.";
        if (RetryAfterSeconds < 0)
            yield return "RetryAfterSeconds must not be negative.";
        if (FirstJobId < 1)
            yield return "FirstJobId must be at least 1.";
        if (WebhookAttempts < 1)
            yield return "WebhookAttempts must be at least 1.";
        if (WebhookRetryDelay < TimeSpan.Zero)
            yield return "WebhookRetryDelay must not be negative.";
        if (WebhookTimeout <= TimeSpan.Zero)
            yield return "WebhookTimeout must be positive.";
        foreach (var (field, errors) in Faults.Validate())
            foreach (var error in errors)
                yield return $"Faults:{field}: {error}";
    }
}
