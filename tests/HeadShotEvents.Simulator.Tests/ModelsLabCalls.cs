using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using HeadShotEvents.Testing;

namespace HeadShotEvents.Simulator.Tests;

/// <summary>An answer from the simulator's ModelsLab endpoints: the HTTP code and the JSON body.</summary>
internal sealed record Reply(HttpStatusCode Status, JsonObject Body)
{
    public string? BodyStatus => (string?)Body["status"];
    public long Id => (long)Body["id"]!;
    public override string ToString() => $"HTTP {(int)Status} {Body.ToJsonString()}";
}

/// <summary>
/// Raw HTTP calls to the simulator, deliberately without the ModelsLab client library: these
/// tests pin the wire format itself, whatever the client makes of it.
/// </summary>
internal static class ModelsLabCalls
{
    /// <summary>The documentation page's example body (numbers as strings), with a guidance_scale the schema allows.</summary>
    public static JsonObject HeadShotBody(string key = SimulatorOptions.DefaultApiKey, Uri? webhook = null, long? trackId = null) => new()
    {
        ["key"] = key,
        ["prompt"] = "pretty woman",
        ["negative_prompt"] = "anime, cartoon, drawing",
        ["face_image"] = "https://assets.example.test/face.jpg",
        ["width"] = "512",
        ["height"] = "512",
        ["samples"] = "1",
        ["num_inference_steps"] = "21",
        ["safety_checker"] = false,
        ["base64"] = false,
        ["seed"] = null,
        ["guidance_scale"] = 3,
        ["webhook"] = webhook?.AbsoluteUri,
        ["track_id"] = trackId,
    };

    public static JsonObject With(this JsonObject body, string field, JsonNode? value)
    {
        body[field] = value;
        return body;
    }

    public static JsonObject Without(this JsonObject body, string field)
    {
        body.Remove(field);
        return body;
    }

    public static Task<Reply> SubmitAsync(this LoopbackSimulator simulator, JsonObject body) =>
        PostAsync(simulator.HttpClient, "api/v6/image_editing/head_shot", body);

    public static Task<Reply> FetchAsync(this LoopbackSimulator simulator, long id, string key = SimulatorOptions.DefaultApiKey) =>
        PostAsync(simulator.HttpClient, $"api/v6/image_editing/fetch/{id}", new JsonObject { ["key"] = key });

    public static async Task<Reply> PostAsync(HttpClient client, string path, JsonNode body)
    {
        using var response = await client.PostAsJsonAsync(path, body);
        var json = await response.Content.ReadFromJsonAsync<JsonObject>()
            ?? throw new InvalidOperationException($"{path} answered no JSON object.");
        return new Reply(response.StatusCode, json);
    }

    public static string[] Strings(this JsonNode? array) => array!.AsArray().Select(item => (string)item!).ToArray();
}

/// <summary>Simulators for these tests: fast generations and retries so the suite runs in seconds.</summary>
internal static class TestSimulator
{
    public static readonly TimeSpan GenerationTime = TimeSpan.FromMilliseconds(200);

    public static Task<LoopbackSimulator> StartAsync(SimulatorFaults? faults = null, Action<SimulatorOptions>? configure = null) =>
        LoopbackSimulator.StartAsync(options =>
        {
            options.GenerationTime = GenerationTime;
            options.WebhookRetryDelay = TimeSpan.FromMilliseconds(50);
            options.Faults = faults ?? new SimulatorFaults();
            configure?.Invoke(options);
        });
}
