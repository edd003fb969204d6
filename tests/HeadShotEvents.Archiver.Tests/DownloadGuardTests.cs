using System.Net;
using HeadShotEvents.Archiving;
using HeadShotEvents.Archiving.Downloads;
using HeadShotEvents.Archiver.Tests.Infrastructure;
using HeadShotEvents.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HeadShotEvents.Archiver.Tests;

/// <summary>
/// The download client against a hostile image server on loopback: each rule refuses what it is
/// for, and the images that pass come back whole. Hosts are names the test maps to 127.0.0.1.
/// </summary>
public sealed class DownloadGuardTests : IAsyncLifetime
{
    private const string Images = "images.archive-test";
    private const string Other = "other.archive-test";
    private static readonly byte[] Png = ImageSignatureTests.PngHeader(64, 48);

    private WebApplication _server = null!;
    private int _port;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        _server = builder.Build();
        _server.MapGet("/image.png", () => Results.Bytes(Png, "image/png"));
        _server.MapGet("/page.png", () => Results.Text("<html><body>a CDN's error page</body></html>", "text/html"));
        _server.MapGet("/big.png", () => Results.Bytes([.. Png, .. new byte[4096]], "image/png"));
        _server.MapGet("/big-unannounced.png", async (HttpContext context) =>
        {
            // No Content-Length: the cap must count what actually arrives.
            context.Response.ContentType = "image/png";
            await context.Response.Body.WriteAsync(Png);
            for (var i = 0; i < 8; i++)
                await context.Response.Body.WriteAsync(new byte[1024]);
        });
        _server.MapGet("/same-host-redirect.png", () => Results.Redirect("/image.png"));
        _server.MapGet("/other-host-redirect.png", () => Results.Redirect($"http://{Other}:{_port}/image.png"));
        _server.MapGet("/forbidden.png", () => Results.StatusCode(403));
        _server.MapGet("/slow.png", async (CancellationToken aborted) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(10), aborted);
            return Results.Bytes(Png, "image/png");
        });
        await _server.StartAsync();
        _port = new Uri(_server.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single()).Port;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task An_image_on_a_development_host_is_downloaded_whole()
    {
        var result = await DownloadAsync("image.png");
        var downloaded = Assert.IsType<DownloadResult.Downloaded>(result);
        Assert.Equal(Png, downloaded.Content);
        Assert.Equal(new ImageInfo("image/png", "png", 64, 48), downloaded.Image);
    }

    [Fact]
    public async Task Plain_http_is_refused_outside_development_hosts()
    {
        var result = await DownloadAsync("image.png", developmentHosts: []);
        Assert.Equal(HeadShotArchiveFailureReason.UrlRefused, Assert.IsType<DownloadResult.Failed>(result).Reason);
        Assert.Contains("https", ((DownloadResult.Failed)result).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_host_off_the_allow_list_is_refused()
    {
        var result = await DownloadAsync("image.png", developmentHosts: [], allowedHosts: ["*.r2.dev"], scheme: "https");
        Assert.Contains("allow-list", Assert.IsType<DownloadResult.Failed>(result).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_redirect_on_the_same_host_is_followed()
    {
        var downloaded = Assert.IsType<DownloadResult.Downloaded>(await DownloadAsync("same-host-redirect.png"));
        Assert.Equal(Png, downloaded.Content);
    }

    [Fact]
    public async Task A_redirect_to_another_host_is_refused()
    {
        // Other is a development host mapped to the same server: only the same-host rule refuses it.
        var result = await DownloadAsync("other-host-redirect.png");
        var failed = Assert.IsType<DownloadResult.Failed>(result);
        Assert.Equal(HeadShotArchiveFailureReason.UrlRefused, failed.Reason);
        Assert.Contains("redirect", failed.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("big.png")]
    [InlineData("big-unannounced.png")]
    public async Task A_download_over_the_size_cap_is_refused(string path)
    {
        var failed = Assert.IsType<DownloadResult.Failed>(await DownloadAsync(path, maxBytes: 2048));
        Assert.Equal(HeadShotArchiveFailureReason.TooLarge, failed.Reason);
    }

    [Fact]
    public async Task A_page_served_as_png_is_not_an_image()
    {
        var failed = Assert.IsType<DownloadResult.Failed>(await DownloadAsync("page.png"));
        Assert.Equal(HeadShotArchiveFailureReason.NotAnImage, failed.Reason);
    }

    [Fact]
    public async Task A_403_is_final_without_retries()
    {
        var failed = Assert.IsType<DownloadResult.Failed>(await DownloadAsync("forbidden.png"));
        Assert.Equal(HeadShotArchiveFailureReason.DownloadRejected, failed.Reason);
        Assert.Equal(1, failed.Attempts);
    }

    [Fact]
    public async Task A_download_slower_than_the_timeout_is_abandoned_and_retried_until_expiry()
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        var failed = Assert.IsType<DownloadResult.Failed>(await DownloadAsync("slow.png", expiresIn: TimeSpan.FromSeconds(3), timeout: "00:00:00.500"));
        Assert.Equal(HeadShotArchiveFailureReason.Expired, failed.Reason);
        Assert.Contains("longer than", failed.Message, StringComparison.Ordinal);
        // 0.5 s per attempt for 3 s: several attempts, each abandoned (the server would take 10 s).
        Assert.InRange(failed.Attempts, 2, 7);
        Assert.InRange(started.Elapsed, TimeSpan.FromSeconds(2.5), TimeSpan.FromSeconds(9));
    }

    private async Task<DownloadResult> DownloadAsync(
        string path,
        string[]? developmentHosts = null,
        string[]? allowedHosts = null,
        string scheme = "http",
        long maxBytes = 1024 * 1024,
        TimeSpan? expiresIn = null,
        string timeout = "00:00:10") // a loopback answer is far quicker; a timeout would count as an attempt
    {
        var settings = new Dictionary<string, string?>
        {
            ["Downloads:AllowInternalAddresses"] = "true",
            ["Downloads:MaxBytes"] = maxBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            // Generous for one loopback request on a busy machine: a timeout here would be a retry.
            ["Downloads:Timeout"] = timeout,
            ["Archive:InitialBackoff"] = "00:00:00.050",
            ["Archive:MaxBackoff"] = "00:00:00.200",
        };
        var development = developmentHosts ?? [Images, Other];
        for (var i = 0; i < development.Length; i++)
            settings[$"Downloads:DevelopmentHosts:{i}"] = development[i];
        for (var i = 0; i < (allowedHosts ?? []).Length; i++)
            settings[$"Downloads:AllowedHosts:{i}"] = allowedHosts![i];

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddOptions<ArchiveOptions>().BindConfiguration(ArchiveOptions.Section);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ArchiverMetrics>();
        builder.AddOutputDownloads();
        builder.Services.AddSingleton<HostResolver>(new MappedHostResolver(new Dictionary<string, IPAddress>
        {
            [Images] = IPAddress.Loopback,
            [Other] = IPAddress.Loopback,
        }));
        using var host = builder.Build();
        var downloader = host.Services.GetRequiredService<OutputDownloader>();
        var now = DateTimeOffset.UtcNow;
        return await downloader.DownloadAsync($"{scheme}://{Images}:{_port}/{path}", now + (expiresIn ?? TimeSpan.FromMinutes(1)), now + TimeSpan.FromSeconds(20), CancellationToken.None);
    }
}
