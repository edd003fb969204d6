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
}
