using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using HeadShotEvents.Testing;
using Microsoft.Extensions.Options;
using static HeadShotEvents.Simulator.Tests.ModelsLabCalls;

namespace HeadShotEvents.Simulator.Tests;

public sealed class AdminTests
{
    [Fact]
    public async Task Get_faults_returns_the_faults_in_force()
    {
        var configured = new SimulatorFaults { DropWebhookShare = 0.25, MessageField = MessageField.Messege, WebhookDelay = TimeSpan.FromMilliseconds(10) };
        await using var simulator = await TestSimulator.StartAsync(configured);

        var json = await simulator.HttpClient.GetFromJsonAsync<JsonObject>("simulator/admin/faults");

        Assert.Equal(configured, await simulator.GetFaultsAsync());
        Assert.Equal("messege", (string?)json!["messageField"]);
        Assert.Equal(0.25, (double)json["dropWebhookShare"]!);
    }

    [Fact]
    public async Task Faults_put_at_run_time_take_effect_for_the_next_submission()
    {
        await using var simulator = await TestSimulator.StartAsync();
        Assert.Equal("processing", (await simulator.SubmitAsync(HeadShotBody())).BodyStatus);

        using var response = await simulator.HttpClient.PutAsync(
            "simulator/admin/faults", JsonContent.Create(new JsonObject { ["immediateSuccessShare"] = 1.0, ["errorsAsHttp200"] = true }));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("success", (await simulator.SubmitAsync(HeadShotBody())).BodyStatus);
        Assert.Equal(HttpStatusCode.OK, (await simulator.SubmitAsync(HeadShotBody(key: "wrong"))).Status);
        // A PUT replaces the whole set: what it left out is back to its default.
        Assert.Equal(new SimulatorFaults { ImmediateSuccessShare = 1.0, ErrorsAsHttp200 = true }, await simulator.GetFaultsAsync());
    }

    [Theory]
    [InlineData("""{"dropWebhookShare":1.5}""", "DropWebhookShare")]
    [InlineData("""{"immediateSuccessShare":-0.1}""", "ImmediateSuccessShare")]
    [InlineData("""{"webhookDelay":"-00:00:01"}""", "WebhookDelay")]
    [InlineData("""{"failureStatus":"exploded"}""", "$.failureStatus")]
    [InlineData("""{"dropWebhookShar":1}""", "$.dropWebhookShar")]
    [InlineData("""{"failGenerationShare":"half"}""", "$.failGenerationShare")]
    [InlineData("not json", "$")]
    public async Task Bad_faults_are_refused_with_problem_details_and_change_nothing(string body, string field)
    {
        await using var simulator = await TestSimulator.StartAsync();

        using var response = await simulator.HttpClient.PutAsync(
            "simulator/admin/faults", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(problem!["errors"]![field]);
        Assert.Equal(new SimulatorFaults(), await simulator.GetFaultsAsync());
    }

    [Fact]
    public async Task Stats_count_head_shot_calls_per_track_id_accepted_or_not()
    {
        await using var simulator = await TestSimulator.StartAsync();

        await simulator.SubmitAsync(HeadShotBody(trackId: 1));
        await simulator.SubmitAsync(HeadShotBody(trackId: 1));
        await simulator.SubmitAsync(HeadShotBody(trackId: 2));
        await simulator.SubmitAsync(HeadShotBody(key: "wrong", trackId: 3));
        await simulator.SubmitAsync(HeadShotBody());

        var stats = await simulator.GetStatsAsync();
        Assert.Equal(5, stats.HeadShotCalls);
        Assert.Equal(4, stats.JobsCreated);
        Assert.Equal(new Dictionary<string, long> { ["1"] = 2, ["2"] = 1, ["3"] = 1 }, stats.HeadShotCallsByTrackId);
    }

    [Fact]
    public async Task Faults_bind_from_configuration_values()
    {
        await using var simulator = await LoopbackSimulator.StartAsync(new Dictionary<string, string?>
        {
            ["Simulator:Faults:TrackIdAs"] = "Number",
            ["Simulator:Faults:ValidationErrorStyle"] = "fields",
            ["Simulator:Faults:DuplicateWebhookShare"] = "0.5",
            ["Simulator:GenerationTime"] = "00:00:00.300",
        });

        Assert.Equal(
            new SimulatorFaults { TrackIdAs = TrackIdFormat.Number, ValidationErrorStyle = ValidationErrorStyle.Fields, DuplicateWebhookShare = 0.5 },
            await simulator.GetFaultsAsync());
        Assert.Equal(TimeSpan.FromMilliseconds(300), simulator.Options.GenerationTime);
        Assert.Equal([SimulatorOptions.DefaultApiKey], simulator.Options.ApiKeys);
    }

    [Fact]
    public async Task Invalid_options_stop_the_simulator_from_starting()
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => LoopbackSimulator.StartAsync(options =>
        {
            options.QueueLimitPerKey = 0;
            options.Faults = new SimulatorFaults { DropWebhookShare = 2 };
        }));

        Assert.Contains(failure.Failures, message => message.Contains("QueueLimitPerKey"));
        Assert.Contains(failure.Failures, message => message.Contains("DropWebhookShare"));
    }
}
