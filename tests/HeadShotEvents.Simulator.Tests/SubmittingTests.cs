using System.Net;
using System.Text.Json;
using HeadShotEvents.Testing;
using static HeadShotEvents.Simulator.Tests.ModelsLabCalls;

namespace HeadShotEvents.Simulator.Tests;

public sealed class SubmittingTests
{
    [Fact]
    public async Task Processing_answer_has_the_documented_shape_and_echoes_the_request()
    {
        await using var simulator = await TestSimulator.StartAsync();
        var webhook = new Uri("https://receiver.example.test/webhooks/modelslab/token");

        var reply = await simulator.SubmitAsync(HeadShotBody(webhook: webhook, trackId: 42));

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        var body = reply.Body;
        Assert.Equal(
            ["status", "tip", "eta", "message", "fetch_result", "id", "output", "future_links", "proxy_links", "meta"],
            body.Select(property => property.Key));
        Assert.Equal("processing", reply.BodyStatus);
        Assert.Equal(JsonValueKind.Number, body["id"]!.GetValueKind());
        Assert.Equal(1, (int)body["eta"]!); // 200 ms, rounded up to whole seconds
        Assert.Equal(new Uri(simulator.BaseAddress, $"api/v6/image_editing/fetch/{reply.Id}").AbsoluteUri, (string?)body["fetch_result"]);
        Assert.Empty(body["output"]!.AsArray());
        Assert.Empty(body["proxy_links"]!.AsArray());

        var meta = body["meta"]!;
        var filePrefix = (string)meta["file_prefix"]!;
        Assert.True(Guid.TryParse(filePrefix, out _));
        Assert.Equal(
            [new Uri(simulator.BaseAddress, $"simulator/outputs/{filePrefix}-0.png").AbsoluteUri],
            body["future_links"].Strings());
        Assert.Equal("pretty woman", (string?)meta["prompt"]);
        Assert.Equal("anime, cartoon, drawing", (string?)meta["negative_prompt"]);
        Assert.Equal(512, (int)meta["width"]!);
        Assert.Equal(512, (int)meta["height"]!);
        Assert.Equal(3, (double)meta["guidance_scale"]!);
        Assert.Equal(21, (int)meta["num_inference_steps"]!);
        Assert.Equal(1, (int)meta["samples"]!);
        Assert.Equal(JsonValueKind.Number, meta["seed"]!.GetValueKind());
        Assert.Equal("no", (string?)meta["base64"]);
        Assert.Equal("no", (string?)meta["safety_checker"]);
        Assert.Equal("black", (string?)meta["safety_checker_type"]);
        Assert.Equal("out", (string?)meta["outdir"]);
        Assert.Equal("yes", (string?)meta["temp"]);
        Assert.Equal(webhook.AbsoluteUri, (string?)meta["webhook"]);
        Assert.Equal(JsonValueKind.String, meta["track_id"]!.GetValueKind());
        Assert.Equal("42", (string?)meta["track_id"]);
    }

    [Fact]
    public async Task Job_ids_count_up_from_the_configured_first_id()
    {
        await using var simulator = await TestSimulator.StartAsync(configure: options => options.FirstJobId = 12202888);

        var first = await simulator.SubmitAsync(HeadShotBody());
        var second = await simulator.SubmitAsync(HeadShotBody());

        Assert.Equal(12202888, first.Id);
        Assert.Equal(12202889, second.Id);
    }

    [Fact]
    public async Task A_requested_seed_is_echoed()
    {
        await using var simulator = await TestSimulator.StartAsync();

        var reply = await simulator.SubmitAsync(HeadShotBody().With("seed", "4029484891"));

        Assert.Equal(4029484891, (long)reply.Body["meta"]!["seed"]!);
    }

    [Fact]
    public async Task The_public_base_url_replaces_the_request_host_in_every_link()
    {
        await using var simulator = await TestSimulator.StartAsync(configure: options => options.PublicBaseUrl = "https://models.example.test/");

        var reply = await simulator.SubmitAsync(HeadShotBody());

        Assert.Equal($"https://models.example.test/api/v6/image_editing/fetch/{reply.Id}", (string?)reply.Body["fetch_result"]);
        Assert.StartsWith("https://models.example.test/simulator/outputs/", reply.Body["future_links"].Strings()[0]);
    }

    [Fact]
    public async Task Immediate_success_answers_success_at_once_with_working_outputs()
    {
        await using var simulator = await TestSimulator.StartAsync(new SimulatorFaults { ImmediateSuccessShare = 1.0 });

        var reply = await simulator.SubmitAsync(HeadShotBody().With("samples", 2));

        Assert.Equal(["status", "generationTime", "id", "output", "proxy_links", "meta"], reply.Body.Select(property => property.Key));
        Assert.Equal("success", reply.BodyStatus);
        Assert.Equal(JsonValueKind.Number, reply.Body["generationTime"]!.GetValueKind());
        var outputs = reply.Body["output"].Strings();
        Assert.Equal(2, outputs.Length);
        Assert.Equal(outputs, reply.Body["proxy_links"].Strings());
        foreach (var output in outputs)
            Assert.Equal(HttpStatusCode.OK, (await simulator.HttpClient.GetAsync(output)).StatusCode);
    }

    [Fact]
    public async Task Eta_can_be_a_float()
    {
        await using var simulator = await TestSimulator.StartAsync(
            new SimulatorFaults { EtaAsFloat = true }, options => options.GenerationTime = TimeSpan.FromSeconds(2));

        var reply = await simulator.SubmitAsync(HeadShotBody());

        Assert.Equal("2.75", reply.Body["eta"]!.ToJsonString());
    }

    [Theory]
    [InlineData(512, 512, 2, 2)]
    [InlineData(512, 768, 2, 1)]
    public async Task The_largest_size_yields_one_image_whatever_samples_asks(int width, int height, int samples, int images)
    {
        await using var simulator = await TestSimulator.StartAsync();

        var reply = await simulator.SubmitAsync(HeadShotBody().With("width", width).With("height", height).With("samples", samples));

        Assert.Equal(images, reply.Body["future_links"].Strings().Length);
        Assert.Equal(samples, (int)reply.Body["meta"]!["samples"]!);
    }

    [Fact]
    public async Task A_full_queue_answers_429_with_retry_after_and_other_keys_still_pass()
    {
        await using var simulator = await LoopbackSimulator.StartAsync(options =>
        {
            options.ApiKeys = ["key-a", "key-b"];
            options.QueueLimitPerKey = 2;
            options.RetryAfterSeconds = 30;
            options.GenerationTime = TimeSpan.FromMinutes(5); // stays queued for the whole test
        });

        Assert.Equal("processing", (await simulator.SubmitAsync(HeadShotBody(key: "key-a"))).BodyStatus);
        Assert.Equal("processing", (await simulator.SubmitAsync(HeadShotBody(key: "key-a"))).BodyStatus);
        var refused = await simulator.SubmitAsync(HeadShotBody(key: "key-a"));
        var otherKey = await simulator.SubmitAsync(HeadShotBody(key: "key-b"));

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.Status);
        Assert.Equal(
            """{"status":"error","message":"Rate limit exceeded. Maximum 2 queued requests allowed.","retry_after":30}""",
            refused.Body.ToJsonString());
        Assert.Equal("processing", otherKey.BodyStatus);
        Assert.Equal(3, (await simulator.GetStatsAsync()).JobsCreated);
    }

    [Fact]
    public async Task A_finished_job_frees_its_place_in_the_queue()
    {
        // Long enough that the second submit reliably comes while the first is processing, even on a
        // loaded machine (with 200 ms it sometimes came after, and was let in).
        await using var simulator = await TestSimulator.StartAsync(configure: options =>
        {
            options.QueueLimitPerKey = 1;
            options.GenerationTime = TimeSpan.FromSeconds(2);
        });
        var first = await simulator.SubmitAsync(HeadShotBody());
        Assert.Equal(HttpStatusCode.TooManyRequests, (await simulator.SubmitAsync(HeadShotBody())).Status);

        await Eventually.UntilAsync(() => simulator.FetchAsync(first.Id), reply => reply.BodyStatus == "success");

        Assert.Equal("processing", (await simulator.SubmitAsync(HeadShotBody())).BodyStatus);
    }
}
