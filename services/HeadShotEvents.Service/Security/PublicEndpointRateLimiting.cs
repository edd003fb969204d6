using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using HeadShotEvents.Service.Callbacks;
using HeadShotEvents.Service.Telemetry;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace HeadShotEvents.Service.Security;

/// <summary>
/// The webhook endpoint is public: one client address may not make it spend unbounded work. The
/// limiter runs before the endpoint, so a flood costs neither a token check nor a database query.
/// </summary>
/// <remarks>
/// The partition is the connection's own address: <c>X-Forwarded-For</c> is not read, since anyone
/// can send it. Behind a reverse proxy, configure ASP.NET Core's forwarded-headers middleware with
/// that proxy's address as known, or every caller shares the proxy's budget.
/// </remarks>
public static class PublicEndpointRateLimiting
{
    public const string Policy = "webhook-per-client-address";

    public static IServiceCollection AddPublicEndpointRateLimiting(this IServiceCollection services) =>
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(Policy, context =>
            {
                var options = context.RequestServices.GetRequiredService<IOptions<WebhookOptions>>().Value;
                return RateLimitPartition.GetFixedWindowLimiter(ClientKey(context.Connection.RemoteIpAddress), _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = options.RateLimitPermits,
                    Window = options.RateLimitWindow,
                    QueueLimit = 0,
                });
            });
            limiter.OnRejected = async (rejected, cancellationToken) =>
            {
                var http = rejected.HttpContext;
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait)
                    ? wait
                    : http.RequestServices.GetRequiredService<IOptions<WebhookOptions>>().Value.RateLimitWindow;
                http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                http.RequestServices.GetRequiredService<HeadShotMetrics>().Callback("rate-limited");
                await TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many callbacks",
                    detail: "This address has sent too many callbacks; retry after the time in Retry-After.").ExecuteAsync(http);
            };
        });

    /// <summary>An IPv6 client controls its whole /64, so the /64 is one client.</summary>
    internal static string ClientKey(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }
}
