using Microsoft.Playwright;

namespace HeadShotEvents.Operating.Tests.Infrastructure;

/// <summary>
/// A headless Chromium driven by Playwright: the machine's own Debian <c>chromium</c> (./test.sh
/// installs it), never a browser Playwright downloads. One browser per test class; a fresh context
/// (cookies, cache) per page.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumVariable = "CHROMIUM_PATH";

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("Not started.");

    public static string ChromiumPath => Environment.GetEnvironmentVariable(ChromiumVariable) is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException(
                $"The event-log page tests need Chromium at {ChromiumPath} and it is not there. Run ./test.sh (it installs Debian's " +
                $"chromium with apt), or `apt-get install -y chromium`, or set {ChromiumVariable} to a Chromium or Chrome binary.");
        }

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--disable-gpu", "--disable-dev-shm-usage"],
        });
    }

    /// <summary>A page that sends the service's API key, as a proxy in front of the page would.</summary>
    public async Task<IPage> NewPageAsync(OperatedService service)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = service.BaseAddress.AbsoluteUri,
            ExtraHTTPHeaders = new Dictionary<string, string> { ["X-Api-Key"] = OperatedService.ApiKey },
            ViewportSize = new ViewportSize { Width = 1200, Height = 900 },
        });
        return await context.NewPageAsync();
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}
