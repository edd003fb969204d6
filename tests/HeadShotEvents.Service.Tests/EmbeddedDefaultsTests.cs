using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using HeadShotEvents.Service.Tests.Infrastructure;
using HeadShotEvents.Testing;

namespace HeadShotEvents.Service.Tests;

/// <summary>README's first command: one process, no broker, no database server, no ModelsLab account.</summary>
public sealed class EmbeddedDefaultsTests
{
    [Fact]
    public async Task A_request_posted_as_README_shows_completes_end_to_end_in_one_process()
    {
        await using var service = await ServiceApplication.StartAsync(new ServiceApplication.Options { EmbeddedDefaults = true });
        var request = Pipeline.Request();

        using var posted = await service.HttpClient.PostAsJsonAsync("headshots", request, new JsonSerializerOptions(JsonSerializerDefaults.Web));
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);

        var status = await Eventually.UntilAsync(
            () => service.HttpClient.GetFromJsonAsync<JsonObject>($"headshots/{request.RequestId}"),
            s => (string?)s!["state"] == "Completed", Pipeline.Patience, "the request to complete");
        var output = (string)status!["outputs"]![0]!;
        Assert.StartsWith(service.BaseAddress.AbsoluteUri, output);
        PngImage.Decode(await service.HttpClient.GetByteArrayAsync(output));
        Assert.Equal(HttpStatusCode.OK, (await service.HttpClient.GetAsync("health/ready")).StatusCode);
    }
}
