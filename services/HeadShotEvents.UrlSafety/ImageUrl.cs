using System.Net;
using System.Net.Sockets;

namespace HeadShotEvents.UrlSafety;

/// <summary>
/// Which image URLs may travel on the bus. Subscribers download what they are given, so a URL
/// that points inside our network (or is not a web address at all) would turn every subscriber
/// into an SSRF tool for whoever wrote it.
/// </summary>
/// <param name="AllowedHosts">
/// Host names a URL may name: exact (<c>cdn2.stablediffusionapi.com</c>) or a suffix pattern
/// (<c>*.r2.dev</c>). Empty: any public host.
/// </param>
/// <param name="DevelopmentHosts">
/// Hosts (any port) where plain http and loopback or private addresses are fine: the simulator on
/// <c>127.0.0.1</c>. Empty in production.
/// </param>
public sealed record ImageUrlRules(IReadOnlyList<string> AllowedHosts, IReadOnlyList<string> DevelopmentHosts)
{
    /// <summary>Absolute https to any public host: what a face image URL must be.</summary>
    public static readonly ImageUrlRules AnyPublicHttpsHost = new([], []);
}

public static class ImageUrl
{
    /// <summary>Longer than any real CDN URL; bounds what a hostile body can make us store and publish.</summary>
    public const int MaxLength = 2048;

    /// <summary>Null when <paramref name="url"/> is acceptable under <paramref name="rules"/>, else why not.</summary>
    public static string? Check(string? url, ImageUrlRules rules)
    {
        if (string.IsNullOrEmpty(url))
        {
            return "The URL is empty.";
        }

        if (url.Length > MaxLength)
        {
            return $"The URL is longer than {MaxLength} characters.";
        }

        // Uri quietly trims and unescapes: a URL that needed that was not written by a CDN.
        if (url.Any(c => char.IsControl(c) || char.IsWhiteSpace(c) || c == '\\'))
        {
            return "The URL contains whitespace, control characters or backslashes.";
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || !url.Contains("://", StringComparison.Ordinal))
        {
            return "The URL is not absolute.";
        }

        var development = Matches(uri.IdnHost, rules.DevelopmentHosts);
        if (uri.Scheme != Uri.UriSchemeHttps && !(development && uri.Scheme == Uri.UriSchemeHttp))
        {
            // The answer goes back to whoever sent the URL: name the rule, never echo the value.
            return "The URL's scheme must be https.";
        }

        if (uri.UserInfo.Length > 0)
        {
            return "The URL carries credentials.";
        }

        if (!development && InternalHost(uri) is { } why)
        {
            return why;
        }

        if (rules.AllowedHosts.Count > 0 && !development && !Matches(uri.IdnHost, rules.AllowedHosts))
        {
            return "The URL's host is not on the allow-list.";
        }

        return null;
    }

    /// <summary>
    /// The form of an accepted URL (see <see cref="Check"/>) that goes on the bus: what a
    /// downloader will resolve, not what the sender wrote. <c>https://x．r2．dev/</c> (fullwidth
    /// dots) is published as <c>https://x.r2.dev/</c>, an IDN host in punycode, a default port dropped.
    /// </summary>
    public static string Normalised(string url)
    {
        var uri = new Uri(url, UriKind.Absolute);
        return new UriBuilder(uri) { Host = uri.IdnHost }.Uri.AbsoluteUri;
    }

    /// <summary>
    /// Literal addresses only: a name is checked against the allow-list, and whoever downloads it
    /// must still refuse what it resolves to inside the network (DNS can change after this check).
    /// </summary>
    private static string? InternalHost(Uri uri)
    {
        // A trailing dot (`localhost.`, `169.254.169.254.`) is the same host to a resolver, but a name to Uri.
        var host = uri.IdnHost.TrimEnd('.');
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
        {
            return "The URL names localhost.";
        }

        var literal = uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6
            || (host.Length > 0 && host.All(c => char.IsAsciiDigit(c) || c is '.' or 'x' or 'X' || char.IsAsciiHexDigit(c)));
        if (!literal || !IPAddress.TryParse(host.Trim('[', ']'), out var address))
        {
            return null;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return IsPublic(address) ? null : "The URL names a loopback, private, link-local or reserved address.";
    }

    /// <summary>
    /// Whether <paramref name="address"/> is on the public internet: not loopback, private, link-local,
    /// carrier-grade NAT, multicast or reserved. A downloader asks this of every address a name resolves to.
    /// </summary>
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }


        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.Broadcast))
        {
            return false;
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var v6 = address.GetAddressBytes();
            return !(address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast || address.IsIPv6UniqueLocal
                || address.IsIPv6Teredo || v6[0] == 0
                || (v6[0] == 0x20 && v6[1] == 0x02)                                 // 6to4: an IPv4 address inside (2002::/16)
                || (v6[0] == 0x20 && v6[1] == 0x01 && v6[2] == 0x0d && v6[3] == 0xb8) // documentation (2001:db8::/32)
                || (v6[0] == 0x00 && v6[1] == 0x64 && v6[2] == 0xff && v6[3] == 0x9b)); // NAT64 (64:ff9b::/96)
        }

        var b = address.GetAddressBytes();
        return b[0] switch
        {
            0 or 10 or 127 => false,
            100 when b[1] is >= 64 and <= 127 => false,           // carrier-grade NAT
            169 when b[1] == 254 => false,                        // link-local, cloud metadata
            172 when b[1] is >= 16 and <= 31 => false,
            192 when b[1] == 168 => false,
            192 when b[1] == 0 && b[2] is 0 or 2 => false,        // IETF protocol assignments, TEST-NET-1
            198 when b[1] is 18 or 19 => false,                   // benchmarking
            198 when b[1] == 51 && b[2] == 100 => false,          // TEST-NET-2
            203 when b[1] == 0 && b[2] == 113 => false,           // TEST-NET-3
            >= 224 => false,                                      // multicast and reserved
            _ => true,
        };
    }

    private static bool Matches(string host, IReadOnlyList<string> patterns)
    {
        foreach (var raw in patterns)
        {
            var pattern = raw.Trim();
            if (pattern.Length == 0)
            {
                continue;
            }

            if (pattern.StartsWith("*.", StringComparison.Ordinal)
                ? host.EndsWith(pattern[1..], StringComparison.OrdinalIgnoreCase)
                : host.Equals(pattern.Trim('[', ']'), StringComparison.OrdinalIgnoreCase) || host.Equals(pattern, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
