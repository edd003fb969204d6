using System.ComponentModel.DataAnnotations;
using HeadShotEvents.UrlSafety;

namespace HeadShotEvents.Archiving.Downloads;

/// <summary>
/// Section <c>Downloads</c>: which output URLs the archiver fetches, and how carefully. The URLs
/// come off the bus, written from a webhook nobody signs: every rule here fails closed.
/// </summary>
public sealed class DownloadOptions
{
    public const string Section = "Downloads";

    /// <summary>Hosts an output URL may name (exact, or <c>*.suffix</c>); empty: ModelsLab's CDNs, as the receiver.</summary>
    public List<string> AllowedHosts { get; set; } = [];

    /// <summary>Hosts (any port) where plain http is accepted: the simulator. Empty in production.</summary>
    public List<string> DevelopmentHosts { get; set; } = [];

    /// <summary>
    /// Whether a connection may go to a loopback, private or link-local address. Checked on the
    /// addresses a name resolves to, at connect time. Only for development (the simulator on
    /// 127.0.0.1, docker-compose's private network); never in production.
    /// </summary>
    public bool AllowInternalAddresses { get; set; }

    /// <summary>Largest image accepted. ModelsLab's outputs are at most 512x768 PNGs, well under this.</summary>
    [Range(1024, 256L * 1024 * 1024)]
    public long MaxBytes { get; set; } = 20L * 1024 * 1024;

    /// <summary>One attempt's whole budget: connect, headers and body.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Redirects followed per download, each to the same host only.</summary>
    [Range(0, 10)]
    public int MaxRedirects { get; set; } = 3;

    /// <summary>ModelsLab's output hosts, for when <see cref="AllowedHosts"/> is not configured (the receiver's list).</summary>
    public static readonly IReadOnlyList<string> ModelsLabOutputHosts =
        ["*.r2.dev", "*.stablediffusionapi.com", "*.modelslab.com", "*.modelslab.ai"];

    public ImageUrlRules UrlRules() => new(AllowedHosts.Count > 0 ? AllowedHosts : ModelsLabOutputHosts, DevelopmentHosts);
}
