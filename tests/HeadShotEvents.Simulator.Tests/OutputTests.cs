using System.Net;
using HeadShotEvents.Testing;
using static HeadShotEvents.Simulator.Tests.ModelsLabCalls;

namespace HeadShotEvents.Simulator.Tests;

public sealed class OutputTests
{
    [Fact]
    public async Task An_output_is_404_before_completion_200_after_and_404_once_its_lifetime_is_over()
    {
        // Two seconds to generate, not the suite's 200 ms: the first GET must come before completion
        // even on a loaded machine (a CI run beside the chaos tests answered it 200). Three seconds of
        // lifetime: the only window in which a poll can see the 200.
        var lifetime = TimeSpan.FromSeconds(3);
        await using var simulator = await TestSimulator.StartAsync(configure: options =>
        {
            options.GenerationTime = TimeSpan.FromSeconds(2);
            options.OutputLifetime = lifetime;
        });
        var submitted = await simulator.SubmitAsync(HeadShotBody());
        var output = submitted.Body["future_links"].Strings()[0];

        var before = await simulator.HttpClient.GetAsync(output);
        var during = await Eventually.UntilAsync(() => simulator.HttpClient.GetAsync(output), response => response.StatusCode != HttpStatusCode.NotFound);
        var png = await during.Content.ReadAsByteArrayAsync();
        // The lifetime plus the default ten seconds of patience for the expiry to show.
        var after = await Eventually.UntilAsync(
            () => simulator.HttpClient.GetAsync(output), response => response.StatusCode != HttpStatusCode.OK, lifetime + TimeSpan.FromSeconds(10));

        Assert.Equal(HttpStatusCode.NotFound, before.StatusCode);
        Assert.Equal(HttpStatusCode.OK, during.StatusCode);
        Assert.Equal("image/png", during.Content.Headers.ContentType?.MediaType);
        Assert.Equal(64, PngImage.Decode(png).Width);
        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
        Assert.Equal("Request not found", (string?)(await simulator.FetchAsync(submitted.Id)).Body["message"]);
    }

    [Fact]
    public async Task A_failed_generation_has_no_output()
    {
        await using var simulator = await TestSimulator.StartAsync(new SimulatorFaults { FailGenerationShare = 1.0 });
        var submitted = await simulator.SubmitAsync(HeadShotBody());
        var output = submitted.Body["future_links"].Strings()[0];

        await Eventually.UntilAsync(() => simulator.FetchAsync(submitted.Id), reply => reply.BodyStatus != "processing");

        Assert.Equal(HttpStatusCode.NotFound, (await simulator.HttpClient.GetAsync(output)).StatusCode);
    }

    [Theory]
    [InlineData("simulator/outputs/no-such-file-0.png")]
    [InlineData("simulator/outputs/nodash.png")]
    public async Task An_unknown_output_is_404(string path)
    {
        await using var simulator = await TestSimulator.StartAsync();

        Assert.Equal(HttpStatusCode.NotFound, (await simulator.HttpClient.GetAsync(path)).StatusCode);
    }

    [Fact]
    public async Task An_index_beyond_the_samples_is_404()
    {
        await using var simulator = await TestSimulator.StartAsync(new SimulatorFaults { ImmediateSuccessShare = 1.0 });
        var submitted = await simulator.SubmitAsync(HeadShotBody());
        var output = submitted.Body["output"].Strings()[0];

        Assert.Equal(HttpStatusCode.OK, (await simulator.HttpClient.GetAsync(output)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await simulator.HttpClient.GetAsync(output.Replace("-0.png", "-1.png"))).StatusCode);
    }
}
