using System.Diagnostics;

namespace HeadShotEvents.ServiceDefaults;

/// <summary>
/// A webhook URL's last segment is the only proof a callback is genuine: it must not reach a
/// trace backend, where anyone who reads traces could forge callbacks with it.
/// </summary>
public static class SecretPaths
{
    public const string WebhookPrefix = "/webhooks/modelslab/";
    public const string Redacted = "{token}";

    /// <summary>Rewrites <paramref name="tag"/> when <paramref name="value"/> carries a webhook token.</summary>
    public static void Redact(Activity activity, string tag, string? value)
    {
        if (value is null)
        {
            return;
        }

        var at = value.IndexOf(WebhookPrefix, StringComparison.OrdinalIgnoreCase);
        if (at >= 0)
        {
            activity.SetTag(tag, value[..(at + WebhookPrefix.Length)] + Redacted);
        }
    }
}
