using System.Net.Http.Json;
using System.Text.Json.Nodes;
using HeadShotEvents.Simulator;
using HeadShotEvents.Testing;

namespace HeadShotEvents.Archiver.Tests.Infrastructure;

/// <summary>Real outputs: a head_shot call to the loopback simulator, whose output URLs serve real PNGs.</summary>
public static class SimulatorOutputs
{
    /// <summary>Starts a generation of <paramref name="samples"/> images; returns its output URLs (404 until the generation ends).</summary>
    public static async Task<IReadOnlyList<string>> GenerateAsync(this LoopbackSimulator simulator, int samples)
    {
        var body = new JsonObject
        {
            ["key"] = SimulatorOptions.DefaultApiKey,
            ["prompt"] = "pretty woman",
            ["face_image"] = "https://assets.example.test/face.jpg",
            ["width"] = "512",
            ["height"] = "512",
            ["samples"] = samples.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["num_inference_steps"] = "21",
            ["guidance_scale"] = 3,
        };
        using var response = await simulator.HttpClient.PostAsJsonAsync("api/v6/image_editing/head_shot", body);
        var answer = await response.Content.ReadFromJsonAsync<JsonObject>()
            ?? throw new InvalidOperationException("head_shot answered no JSON object.");
        var links = answer["output"] is JsonArray { Count: > 0 } output ? output : answer["future_links"] as JsonArray;
        return links?.Select(link => (string)link!).ToArray()
            ?? throw new InvalidOperationException($"head_shot answered no links: {answer.ToJsonString()}");
    }

    /// <summary>What an output URL answers right now: its status and bytes.</summary>
    public static async Task<(int Status, byte[] Body)> GetAsync(this LoopbackSimulator simulator, string url)
    {
        using var response = await simulator.HttpClient.GetAsync(url);
        return ((int)response.StatusCode, await response.Content.ReadAsByteArrayAsync());
    }
}
