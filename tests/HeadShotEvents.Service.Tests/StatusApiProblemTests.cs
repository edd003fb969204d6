using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using HeadShotEvents.Service.Tests.Infrastructure;

namespace HeadShotEvents.Service.Tests;

/// <summary>POST /headshots as a client meets it: every refusal a ProblemDetails naming the fields in the client's own words.</summary>
public sealed class StatusApiProblemTests(StatusApiProblemTests.Service service) : IClassFixture<StatusApiProblemTests.Service>
{
    public sealed class Service : IAsyncLifetime
    {
        public ServiceApplication App { get; private set; } = null!;

        public async Task InitializeAsync() => App = await ServiceApplication.StartAsync();

        public async Task DisposeAsync() => await App.DisposeAsync();
    }

    private const string Valid = """{"requestId":"3f2504e0-4f89-11d3-9a0c-0305e82c3301","prompt":"pretty woman","faceImage":"https://example.com/face.jpg","width":512}""";

    public static TheoryData<string, string[]> Bodies => new()
    {
        { """{"prompt":"no id, no face"}""", ["requestId", "faceImage"] },
        { "{}", ["requestId", "prompt", "faceImage"] },
        { """{"requestId":null,"prompt":"p","faceImage":"https://example.com/f.jpg"}""", ["requestId"] },
        { Valid.Replace("\"width\":512", "\"width\":\"wide\"", StringComparison.Ordinal), ["width"] },
        { Valid.Replace("\"width\":512", "\"width\":5.5", StringComparison.Ordinal), ["width"] },
        { Valid.Replace("3f2504e0-4f89-11d3-9a0c-0305e82c3301", "not-a-guid", StringComparison.Ordinal), ["requestId"] },
        { Valid.Replace("\"width\":512", "\"metadata\":[1,2]", StringComparison.Ordinal), ["metadata"] },
        { Valid[..^5], ["$"] },
        { "[1,2]", ["$"] },
        { "", ["$"] },
        { Valid.Replace("pretty woman", "\\ud800", StringComparison.Ordinal), ["prompt"] },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task A_missing_or_malformed_field_gets_a_problem_naming_it(string body, string[] fields)
    {
        using var response = await service.App.HttpClient.PostAsync("headshots", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal(fields.Order(), problem!["errors"]!.AsObject().Select(e => e.Key).Order());
        Assert.Equal(0, await service.App.JobCountAsync());
    }
}
