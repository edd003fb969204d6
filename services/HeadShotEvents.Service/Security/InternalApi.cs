using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace HeadShotEvents.Service.Security;

/// <summary>Section <c>Api</c>: who may use the submit and status endpoints (and the OpenAPI document).</summary>
public sealed class ApiAccessOptions
{
    public const string Section = "Api";

    /// <summary>
    /// When set, every internal endpoint needs it in <see cref="InternalApi.KeyHeader"/>. When not
    /// set, only callers on this machine's loopback are served: `dotnet run` works as README shows,
    /// and nothing is open by accident once the port is exposed.
    /// </summary>
    [MinLength(16)]
    public string? Key { get; set; }
}

/// <summary>
/// One listener serves everyone, so the public surface is enforced per endpoint: the webhook route
/// and health are open; everything marked internal is refused before its body is read.
/// </summary>
public static class InternalApi
{
    public const string KeyHeader = "X-Api-Key";

    public static TBuilder RequireInternalCaller<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(InternalOnly.Instance);

    /// <summary>After routing (the endpoint is known), before the endpoint runs.</summary>
    public static IApplicationBuilder UseInternalApiGate(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<InternalOnly>() is null)
        {
            await next(context);
            return;
        }

        var key = context.RequestServices.GetRequiredService<IOptions<ApiAccessOptions>>().Value.Key;
        switch (Admits(context, key))
        {
            case true:
                await next(context);
                break;
            case false when string.IsNullOrEmpty(key):
                await TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Internal endpoint",
                    detail: "This endpoint is served to this machine only, unless an API key is configured (Api:Key).").ExecuteAsync(context);
                break;
            default:
                context.Response.Headers.WWWAuthenticate = KeyHeader;
                // Never says what was sent, nor how it differed.
                await TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "API key required",
                    detail: $"Send the API key in the {KeyHeader} header.").ExecuteAsync(context);
                break;
        }
    });

    internal static bool Admits(HttpContext context, string? key)
    {
        if (string.IsNullOrEmpty(key))
        {
            return context.Connection.RemoteIpAddress is { } address && IPAddress.IsLoopback(address);
        }

        return context.Request.Headers[KeyHeader] is [{ } sent] && SameSecret(sent, key);
    }

    /// <summary>Hashes first: equal lengths, so the time taken says nothing about the key.</summary>
    private static bool SameSecret(string sent, string key) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(sent)), SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    private sealed class InternalOnly
    {
        public static readonly InternalOnly Instance = new();
    }
}
