using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using HeadShotEvents.Service.Tests.Infrastructure;

namespace HeadShotEvents.Service.Tests;

/// <summary>RequestId is the idempotency key: the same payload again is the same job, another payload under it is a conflict.</summary>
public sealed class RequestIdConflictTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task The_same_request_id_with_a_different_payload_is_a_409_naming_the_id_and_the_same_payload_gets_the_job()
    {
        await using var service = await ServiceApplication.StartAsync();
        var request = Pipeline.Request();

        using var first = await service.HttpClient.PostAsJsonAsync("headshots", request, Web);
        using var again = await service.HttpClient.PostAsJsonAsync("headshots", request, Web);
        using var different = await service.HttpClient.PostAsJsonAsync("headshots", request with { Prompt = "another prompt" }, Web);

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, different.StatusCode);
        Assert.Equal("application/problem+json", different.Content.Headers.ContentType?.MediaType);
        var problem = await different.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Contains(request.RequestId.ToString(), (string?)problem!["detail"], StringComparison.Ordinal);
        Assert.Equal(1, await service.JobCountAsync());
    }
}
