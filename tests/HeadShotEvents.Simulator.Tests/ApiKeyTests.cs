using System.Net;
using HeadShotEvents.Testing;
using static HeadShotEvents.Simulator.Tests.ModelsLabCalls;

namespace HeadShotEvents.Simulator.Tests;

public sealed class ApiKeyTests
{
    [Fact]
    public async Task Missing_key_is_refused_with_401()
    {
        await using var simulator = await TestSimulator.StartAsync();

        var reply = await simulator.SubmitAsync(HeadShotBody().Without("key"));

        Assert.Equal(HttpStatusCode.Unauthorized, reply.Status);
        Assert.Equal("""{"status":"error","message":"Invalid API key"}""", reply.Body.ToJsonString());
    }

    [Fact]
    public async Task Wrong_key_is_refused_with_401()
    {
        await using var simulator = await TestSimulator.StartAsync();

        var reply = await simulator.SubmitAsync(HeadShotBody(key: "not-the-key"));

        Assert.Equal(HttpStatusCode.Unauthorized, reply.Status);
        Assert.Equal("error", reply.BodyStatus);
        Assert.Equal("Invalid API key", (string?)reply.Body["message"]);
    }

    [Fact]
    public async Task With_errors_as_http_200_the_same_body_comes_with_200()
    {
        await using var simulator = await TestSimulator.StartAsync(new SimulatorFaults { ErrorsAsHttp200 = true });

        var reply = await simulator.SubmitAsync(HeadShotBody(key: "not-the-key"));

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal("""{"status":"error","message":"Invalid API key"}""", reply.Body.ToJsonString());
    }

    [Fact]
    public async Task Fetch_checks_the_key_too()
    {
        await using var simulator = await TestSimulator.StartAsync();
        var submitted = await simulator.SubmitAsync(HeadShotBody());

        var reply = await simulator.FetchAsync(submitted.Id, key: "not-the-key");

        Assert.Equal(HttpStatusCode.Unauthorized, reply.Status);
        Assert.Equal("Invalid API key", (string?)reply.Body["message"]);
    }

    [Fact]
    public async Task Configured_keys_replace_the_default_key()
    {
        await using var simulator = await LoopbackSimulator.StartAsync(new Dictionary<string, string?>
        {
            ["Simulator:ApiKeys:0"] = "team-a",
            ["Simulator:ApiKeys:1"] = "team-b",
        });

        Assert.Equal(["team-a", "team-b"], simulator.Options.ApiKeys);
        Assert.Equal(HttpStatusCode.Unauthorized, (await simulator.SubmitAsync(HeadShotBody())).Status);
        Assert.Equal("processing", (await simulator.SubmitAsync(HeadShotBody(key: "team-b"))).BodyStatus);
    }
}
