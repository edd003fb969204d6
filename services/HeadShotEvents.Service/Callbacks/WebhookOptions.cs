using System.ComponentModel.DataAnnotations;

namespace HeadShotEvents.Service.Callbacks;

/// <summary>Section <c>Webhooks</c>: how ModelsLab reaches this service's receiver.</summary>
public sealed class WebhookOptions
{
    public const string Section = "Webhooks";

    /// <summary>The receiver's public root as ModelsLab sees it; webhook URLs are built on it.</summary>
    [Required]
    public Uri PublicBaseUrl { get; set; } = new("http://127.0.0.1:5080/");

    /// <summary>How long a webhook URL is honoured after submit. Longer than any generation plus ModelsLab's redeliveries.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromDays(2);

    /// <summary>Largest callback body accepted. Real bodies are a few KiB; the meta echo is the biggest part.</summary>
    [Range(256, 10 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// Hosts an output URL may name (exact, or <c>*.suffix</c>): ModelsLab's CDNs. Subscribers
    /// download these URLs, so anything else is refused (see ImageUrl).
    /// </summary>
    public List<string> OutputHosts { get; set; } = [];

    /// <summary>Hosts (any port) where http and loopback or private addresses are accepted: the simulator. Empty in production.</summary>
    public List<string> DevelopmentHosts { get; set; } = [];

    /// <summary>ModelsLab makes at most 2 samples; a few more leave room without letting a body list thousands.</summary>
    [Range(1, 64)]
    public int MaxOutputs { get; set; } = 4;

    /// <summary>Callbacks one client address may make per <see cref="RateLimitWindow"/>; ModelsLab's own traffic comes from few addresses.</summary>
    [Range(1, 1_000_000)]
    public int RateLimitPermits { get; set; } = 600;

    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan RateLimitWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The hosts ModelsLab's documented bodies use, for when <see cref="OutputHosts"/> is not configured.</summary>
    public static readonly IReadOnlyList<string> ModelsLabOutputHosts =
        ["*.r2.dev", "*.stablediffusionapi.com", "*.modelslab.com", "*.modelslab.ai"];

    public UrlSafety.ImageUrlRules OutputRules() =>
        new(OutputHosts.Count > 0 ? OutputHosts : ModelsLabOutputHosts, DevelopmentHosts);
}
