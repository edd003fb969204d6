using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using HeadShotEvents.Contracts;
using HeadShotEvents.Service.Tests.Infrastructure;
using HeadShotEvents.ServiceDefaults;
using HeadShotEvents.Testing;

namespace HeadShotEvents.Service.Tests;

/// <summary>POST /headshots, GET /headshots/{id}, health and the OpenAPI document, over real HTTP.</summary>
public sealed class StatusApiTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task A_posted_request_is_accepted_with_its_location_and_completes()
    {
        await using var pipeline = await Pipeline.StartAsync();
        var request = Pipeline.Request();

        using var response = await pipeline.Service.HttpClient.PostAsJsonAsync("headshots", request, Web);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal($"/headshots/{request.RequestId}", response.Headers.Location?.OriginalString);
        await pipeline.WaitForTerminalAsync(request.RequestId);
        var status = await Eventually.UntilAsync(
            () => pipeline.Service.HttpClient.GetFromJsonAsync<JsonObject>($"headshots/{request.RequestId}"),
            s => (string?)s!["state"] == "Completed", what: "the status to say Completed");
        Assert.Equal("Webhook", (string?)status!["delivery"]);
        Assert.Single(status["outputs"]!.AsArray());
        Assert.NotNull((string?)status["modelsLabId"]);
        Assert.NotNull((string?)status["finishedAt"]);
    }

    [Fact]
    public async Task A_posted_request_the_schema_rejects_gets_a_validation_problem_and_publishes_nothing()
    {
        await using var pipeline = await Pipeline.StartAsync();
        var request = Pipeline.Request() with { GuidanceScale = 7.5, NumInferenceSteps = 22 };

        using var response = await pipeline.Service.HttpClient.PostAsJsonAsync("headshots", request, Web);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();
        // The request's own names: the client wrote guidanceScale, not ModelsLab's guidance_scale.
        Assert.Equal(["guidanceScale", "numInferenceSteps"], problem!["errors"]!.AsObject().Select(e => e.Key).Order());
        Assert.StartsWith("guidanceScale must be", (string?)problem["errors"]!["guidanceScale"]![0], StringComparison.Ordinal);
        Assert.Empty(pipeline.Published.All<HeadShotRequested>());
    }

    [Fact]
    public async Task A_body_that_is_not_a_request_gets_a_problem()
    {
        await using var service = await ServiceApplication.StartAsync();

        using var response = await service.HttpClient.PostAsync("headshots", new StringContent("""{"prompt":"no id, no face"}""", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task An_unknown_request_is_a_404_problem()
    {
        await using var service = await ServiceApplication.StartAsync();

        using var response = await service.HttpClient.GetAsync($"headshots/{Guid.NewGuid()}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal("Unknown request", (string?)problem!["title"]);
        Assert.False(string.IsNullOrEmpty((string?)problem["type"]));
    }

    [Fact]
    public async Task Health_says_live_and_ready_with_broker_and_database()
    {
        await using var service = await ServiceApplication.StartAsync();

        Assert.Equal(HttpStatusCode.OK, (await service.HttpClient.GetAsync(ServiceDefaultsExtensions.LivePath)).StatusCode);
        var ready = await Eventually.UntilAsync(() => service.HttpClient.GetAsync(ServiceDefaultsExtensions.ReadyPath),
            r => r.StatusCode == HttpStatusCode.OK, what: "ready");
        Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_every_endpoint()
    {
        await using var service = await ServiceApplication.StartAsync();

        var document = await service.HttpClient.GetFromJsonAsync<JsonObject>("openapi/v1.json");

        var paths = document!["paths"]!.AsObject().Select(p => p.Key).ToList();
        Assert.Contains("/headshots", paths);
        Assert.Contains("/headshots/{requestId}", paths);
        Assert.Contains("/webhooks/modelslab/{token}", paths);
    }
}
