using System.Globalization;
using HeadShotEvents.ModelsLab;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

namespace HeadShotEvents.Service.Callbacks;

/// <summary>What a webhook token says about itself.</summary>
public abstract record TokenCheck
{
    public sealed record Valid(long TrackId) : TokenCheck;
    public sealed record Expired(long TrackId) : TokenCheck;
    public sealed record Invalid : TokenCheck;
}

/// <summary>
/// The webhook URL's last segment: a Data Protection payload naming the job. ModelsLab signs
/// nothing, so this token is the only proof that a callback belongs to a request we made.
/// </summary>
/// <remarks>
/// The payload carries its own expiry so an authentic but stale token can be told apart (410)
/// from a forged one (404); the time-limited protector adds a hard cap a while later, after which
/// an old token cannot even be authenticated.
/// </remarks>
public sealed class WebhookTokens(IDataProtectionProvider provider, IOptions<WebhookOptions> options, TimeProvider time)
{
    public const string Purpose = "HeadShotEvents.Callbacks.ModelsLabWebhook.v1";
    private static readonly TimeSpan StaleButRecognised = TimeSpan.FromDays(7);

    private readonly ITimeLimitedDataProtector _protector = provider.CreateProtector(Purpose).ToTimeLimitedDataProtector();

    public string Mint(long trackId)
    {
        var expires = time.GetUtcNow() + options.Value.TokenLifetime;
        var payload = string.Create(CultureInfo.InvariantCulture, $"{trackId}:{expires.ToUnixTimeSeconds()}");
        return _protector.Protect(payload, expires + StaleButRecognised);
    }

    public Uri WebhookUrl(long trackId) =>
        new(options.Value.PublicBaseUrl.AsRoot(), "webhooks/modelslab/" + Mint(trackId));

    public TokenCheck Read(string token)
    {
        string payload;
        try
        {
            payload = _protector.Unprotect(token);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return new TokenCheck.Invalid();
        }
        catch (FormatException)
        {
            return new TokenCheck.Invalid();
        }

        var parts = payload.Split(':');
        if (parts.Length != 2
            || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var trackId)
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var expiresAt))
        {
            return new TokenCheck.Invalid();
        }

        return time.GetUtcNow().ToUnixTimeSeconds() > expiresAt ? new TokenCheck.Expired(trackId) : new TokenCheck.Valid(trackId);
    }
}
