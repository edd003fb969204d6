using System.Net;
using System.Text.Json;
using HeadShotEvents.Testing;
using static HeadShotEvents.Simulator.Tests.ModelsLabCalls;

namespace HeadShotEvents.Simulator.Tests;

public sealed class FetchTests
{
    [Fact]
    public async Task Fetch_moves_from_processing_with_empty_string_output_to_success()
    {
        // Two seconds to generate, not the suite's 200 ms: the first fetch must come before completion
        // even on a loaded machine.
        await using var simulator = await TestSimulator.StartAsync(configure: options => options.GenerationTime = TimeSpan.FromSeconds(2));
        var submitted = await simulator.SubmitAsync(HeadShotBody());

        var processing = await simulator.FetchAsync(submitted.Id);
        var success = await Eventually.UntilAsync(() => simulator.FetchAsync(submitted.Id), reply => reply.BodyStatus != "processing");

        Assert.Equal(HttpStatusCode.OK, processing.Status);
        Assert.Equal("processing", processing.BodyStatus);
        Assert.Equal("try again later.", (string?)processing.Body["message"]);
        Assert.Equal(JsonValueKind.String, processing.Body["output"]!.GetValueKind());
        Assert.Equal("", (string?)processing.Body["output"]);
        Assert.NotNull(processing.Body["tip"]);

        Assert.Equal(["status", "id", "output"], success.Body.Select(property => property.Key));
        Assert.Equal("success", success.BodyStatus);
        Assert.Equal(submitted.Id, success.Id);
        Assert.Equal(submitted.Body["future_links"].Strings(), success.Body["output"].Strings());
    }

    [Theory]
    [InlineData("999999")]
    [InlineData("not-a-number")]
    public async Task An_unknown_id_is_request_not_found_with_http_200(string id)
    {
        await using var simulator = await TestSimulator.StartAsync();

        var reply = await PostAsync(simulator.HttpClient, $"api/v6/image_editing/fetch/{id}", new System.Text.Json.Nodes.JsonObject { ["key"] = simulator.ApiKey });

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal("""{"status":"error","message":"Request not found"}""", reply.Body.ToJsonString());
    }

    [Fact]
    public async Task Another_keys_job_is_not_found()
    {
        await using var simulator = await TestSimulator.StartAsync(configure: options => options.ApiKeys = ["key-a", "key-b"]);
        var submitted = await simulator.SubmitAsync(HeadShotBody(key: "key-a"));

        var reply = await simulator.FetchAsync(submitted.Id, key: "key-b");

        Assert.Equal("Request not found", (string?)reply.Body["message"]);
    }

    [Fact]
    public async Task Fetch_calls_are_counted()
    {
        await using var simulator = await TestSimulator.StartAsync();
        var submitted = await simulator.SubmitAsync(HeadShotBody());

        await simulator.FetchAsync(submitted.Id);
        await simulator.FetchAsync(submitted.Id, key: "wrong");

        Assert.Equal(2, (await simulator.GetStatsAsync()).FetchCalls);
    }
}
