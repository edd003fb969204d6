using System.Net.Http.Json;
using System.Text.Json;
using HeadShotEvents.Operating.Tests.Infrastructure;
using HeadShotEvents.Simulator;
using HeadShotEvents.Testing;
using Microsoft.Playwright;

namespace HeadShotEvents.Operating.Tests.Page;

/// <summary>The event-log page (/ops) in a real headless Chromium against the running service.</summary>
public sealed partial class EventLogPageTests(OperatedServiceFixture service, BrowserFixture browser)
    : IClassFixture<OperatedServiceFixture>, IClassFixture<BrowserFixture>
{
    /// <summary>
    /// Navigations wait for the parsed document, not the load event, which also waits for the
    /// thumbnails: three times in clean-clone CI runs a job page's load event never came within
    /// 30 s (Playwright saw the network idle), on a page whose thumbnail the test checks by itself.
    /// </summary>
    private const WaitUntilState Parsed = WaitUntilState.DOMContentLoaded;

    private OperatedService Service => service.Service;

    [Fact]
    public async Task The_list_shows_submitted_jobs_and_its_form_filters_them_by_metadata_and_state()
    {
        var batch = Guid.NewGuid().ToString("N");
        var completed = OperatedService.Request(new Dictionary<string, string> { ["batch"] = batch });
        var failed = OperatedService.Request(new Dictionary<string, string> { ["batch"] = batch });
        await Service.SubmitAndSettleAsync(completed);
        await Service.App.Simulator.SetFaultsAsync(new SimulatorFaults { FailGenerationShare = 1 });
        try
        {
            await Service.SubmitAndSettleAsync(failed);
        }
        finally
        {
            await Service.App.Simulator.SetFaultsAsync(new SimulatorFaults());
        }

        var page = await browser.NewPageAsync(Service);
        var response = await page.GotoAsync("/ops", new() { WaitUntil = Parsed });
        Assert.Equal(200, response!.Status);
        Assert.Equal(2, await page.Locator($"#jobs tr[data-request-id]").Filter(new() { HasText = batch }).CountAsync());

        await page.FillAsync("input[name=meta]", $"batch={batch}");
        await page.ClickAsync("#search");
        await page.WaitForURLAsync(url => url.Contains("meta=", StringComparison.Ordinal), new() { WaitUntil = Parsed });
        Assert.Equal([failed.RequestId.ToString(), completed.RequestId.ToString()], await RowIdsAsync(page));

        await page.CheckAsync("input[name=state][value=Failed]");
        await page.ClickAsync("#search");
        await page.WaitForURLAsync(url => url.Contains("state=Failed", StringComparison.Ordinal), new() { WaitUntil = Parsed });
        Assert.Equal([failed.RequestId.ToString()], await RowIdsAsync(page));
        Assert.Equal("Failed", await page.Locator($"#jobs tr[data-request-id='{failed.RequestId}'] td.Failed").InnerTextAsync());

        // The checkbox stays checked and the filter text stays in its field: the form shows what was asked.
        Assert.True(await page.IsCheckedAsync("input[name=state][value=Failed]"));
        Assert.Equal($"batch={batch}", await page.InputValueAsync("input[name=meta]"));
    }

    [Fact]
    public async Task A_bad_filter_is_a_400_page_naming_it()
    {
        var page = await browser.NewPageAsync(Service);

        var response = await page.GotoAsync("/ops?since=yesterday&meta=no-equals-sign", new() { WaitUntil = Parsed });

        Assert.Equal(400, response!.Status);
        var errors = await page.Locator("#errors").InnerTextAsync();
        Assert.Contains("since", errors, StringComparison.Ordinal);
        Assert.Contains("meta: Write the metadata filter as key=value.", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_job_page_shows_the_timeline_thumbnails_that_render_and_the_trace_link()
    {
        var request = OperatedService.Request();
        await Service.SubmitAndSettleAsync(request);
        var timeline = await Service.Http.GetFromJsonAsync<JsonElement>($"headshots/{request.RequestId}/timeline");
        var traceId = timeline.GetProperty("traceId").GetString();
        Assert.Matches("^[0-9a-f]{32}$", traceId);

        var page = await browser.NewPageAsync(Service);
        await page.GotoAsync("/ops", new() { WaitUntil = Parsed });
        await page.ClickAsync($"#jobs a[href='/ops/{request.RequestId}']");
        await page.WaitForURLAsync($"**/ops/{request.RequestId}", new() { WaitUntil = Parsed });

        Assert.Equal("Completed", await page.InnerTextAsync("#state"));
        var kinds = await page.Locator("#timeline li").EvaluateAllAsync<string[]>("items => items.map(i => i.dataset.kind)");
        Assert.Equal(["Accepted", "Submitted"], kinds.Take(2));
        Assert.Contains("Settled", kinds);
        Assert.InRange(kinds.Length, 3, 64);

        Assert.Equal($"{OperatedService.JaegerUi}/trace/{traceId}", await page.GetAttributeAsync("#trace-link", "href"));

        var thumbnail = page.Locator("#outputs img.thumbnail");
        Assert.Equal(1, await thumbnail.CountAsync());
        await ThumbnailLoadedAsync(thumbnail);
        // The simulator's output is a 64×64 gradient: the browser decoded it...
        Assert.Equal(64, await thumbnail.EvaluateAsync<int>("img => img.naturalWidth"));
        // ...and painted it: red rises left to right, green top to bottom, so the region is anything but uniform.
        var shot = Screenshot.Decode(await thumbnail.ScreenshotAsync());
        Assert.InRange(shot.Width, 100, 140);
        Assert.InRange(shot.DistinctColours, 200, shot.Width * shot.Height);
        Assert.InRange(shot.Range(0), 200, 255);
        Assert.InRange(shot.Range(1), 200, 255);
    }

    [Fact]
    public async Task Metadata_written_as_HTML_is_shown_as_text_and_never_runs()
    {
        const string Payload = "<img src=x onerror=\"window.__xss=1\"><script>window.__xss=2</script>\"'&";
        var request = OperatedService.Request(new Dictionary<string, string> { ["note"] = Payload, ["<b>key</b>"] = "v" });
        await Service.SubmitAndSettleAsync(request);
        var page = await browser.NewPageAsync(Service);
        var dialogs = 0;
        page.Dialog += (_, dialog) =>
        {
            dialogs++;
            _ = dialog.DismissAsync();
        };

        foreach (var path in new[] { "/ops?meta=" + Uri.EscapeDataString("note=" + Payload), $"/ops/{request.RequestId}" })
        {
            await page.GotoAsync(path, new() { WaitUntil = Parsed });
            var shown = await page.Locator(".meta").AllInnerTextsAsync();
            Assert.Contains("note=" + Payload, shown);
            Assert.Contains("<b>key</b>=v", shown);
            Assert.Equal(0, await page.Locator("img[src=x], .meta script, .meta b").CountAsync());
            // An injected image's onerror would run once it failed to load, after DOMContentLoaded.
            await Eventually.UntilAsync(() => page.EvaluateAsync<bool>("() => [...document.images].every(i => i.complete)"), done => done,
                TimeSpan.FromSeconds(30), "every image on the page to load or fail");
            Assert.Null(await page.EvaluateAsync<int?>("() => window.__xss ?? null"));
        }

        Assert.Equal(0, dialogs);
    }

    /// <summary>Waits up to 30 s for the image to be decoded; if it never is, says what its source answers the test directly.</summary>
    private async Task ThumbnailLoadedAsync(ILocator thumbnail)
    {
        try
        {
            // complete is also true for a broken image: only a decoded one has a width.
            await Eventually.UntilAsync(() => thumbnail.EvaluateAsync<bool>("img => img.complete && img.naturalWidth > 0"), loaded => loaded,
                TimeSpan.FromSeconds(30), "the thumbnail to load");
        }
        catch (TimeoutException timeout)
        {
            var source = await thumbnail.GetAttributeAsync("src");
            using var answer = await Service.Http.GetAsync(source);
            Assert.Fail($"{timeout.Message}. Its source {source} answers the test {(int)answer.StatusCode} with {answer.Content.Headers.ContentLength} bytes.\n"
                + $"Service warnings: {string.Join("\n", Service.Warnings.Lines.TakeLast(10))}");
        }
    }

    private static async Task<string[]> RowIdsAsync(IPage page) =>
        [.. await page.Locator("#jobs tr[data-request-id]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.requestId)")];
}
