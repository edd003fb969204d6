using Microsoft.Extensions.Options;

namespace HeadShotEvents.Simulator.Wire;

internal static class WebAddress
{
    public static bool IsHttp(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    /// <summary>
    /// The base for the URLs handed out (fetch_result, outputs): the configured public one, else
    /// the address this request came in on, so a simulator on a random loopback port still hands
    /// out URLs that work.
    /// </summary>
    public static string BaseUrlFor(HttpRequest request, IOptions<SimulatorOptions> options)
    {
        var configured = options.Value.PublicBaseUrl;
        return string.IsNullOrEmpty(configured)
            ? $"{request.Scheme}://{request.Host}{request.PathBase}"
            : configured.TrimEnd('/');
    }
}
