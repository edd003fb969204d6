using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using HeadShotEvents.Service.Security;
using HeadShotEvents.Service.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace HeadShotEvents.Service.Tests;

/// <summary>What the outside can reach: the webhook route and health, nothing else without the API key; and not too often.</summary>
public sealed class SecurityPublicSurfaceTests
{
    private const string ApiKey = "api-key-for-this-test-6f1c2d";
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task With_an_api_key_configured_submit_status_and_openapi_need_it_and_the_webhook_and_health_do_not()
    {
        await using var service = await ServiceApplication.StartAsync(new ServiceApplication.Options
        {
            EmbeddedDefaults = true,
            Settings = new Dictionary<string, string?> { ["Api:Key"] = ApiKey },
        });
        var request = Pipeline.Request();

        using var anonymous = await service.HttpClient.PostAsJsonAsync("headshots", request, Web);
        using var wrongKey = await SendAsync(service, HttpMethod.Post, "headshots", request, "api-key-for-this-test-6f1c2e");
        using var status = await service.HttpClient.GetAsync($"headshots/{request.RequestId}");
        using var openApi = await service.HttpClient.GetAsync("openapi/v1.json");
        using var health = await service.HttpClient.GetAsync("health/ready");
        using var webhook = await service.HttpClient.PostAsync("webhooks/modelslab/forged", new StringContent("{}", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongKey.StatusCode);
        Assert.DoesNotContain("6f1c2", await wrongKey.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, status.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, openApi.StatusCode);
        Assert.Equal(0, await service.JobCountAsync());
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, webhook.StatusCode);

        using var withKey = await SendAsync(service, HttpMethod.Post, "headshots", request, ApiKey);
        using var statusWithKey = await SendAsync(service, HttpMethod.Get, $"headshots/{request.RequestId}", null, ApiKey);
        Assert.Equal(HttpStatusCode.Accepted, withKey.StatusCode);
        Assert.Equal(HttpStatusCode.OK, statusWithKey.StatusCode);
    }

    [Theory]
    [InlineData(null, "127.0.0.1", null, true)]
    [InlineData(null, "::1", null, true)]
    [InlineData(null, "10.0.0.5", null, false)]
    [InlineData(null, "203.0.113.9", "anything", false)]
    [InlineData(ApiKey, "127.0.0.1", null, false)]
    [InlineData(ApiKey, "203.0.113.9", ApiKey, true)]
    [InlineData(ApiKey, "203.0.113.9", ApiKey + "x", false)]
    [InlineData(ApiKey, "203.0.113.9", "", false)]
    public void Without_a_key_only_loopback_callers_are_internal_and_with_one_only_its_holders(string? key, string remote, string? sent, bool admitted)
    {
        var context = new DefaultHttpContext { Connection = { RemoteIpAddress = IPAddress.Parse(remote) } };
        if (sent is not null)
        {
            context.Request.Headers[InternalApi.KeyHeader] = sent;
        }

        Assert.Equal(admitted, InternalApi.Admits(context, key));
    }

    [Fact]
    public async Task A_client_address_over_its_budget_gets_429_with_retry_after_before_any_work()
    {
        await using var service = await ServiceApplication.StartAsync(new ServiceApplication.Options
        {
            EmbeddedDefaults = true,
            Settings = new Dictionary<string, string?> { ["Webhooks:RateLimitPermits"] = "3", ["Webhooks:RateLimitWindow"] = "00:10:00" },
        });

        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 5; i++)
        {
            answers.Add(await service.HttpClient.PostAsync("webhooks/modelslab/forged", new StringContent("{}", Encoding.UTF8, "application/json")));
        }

        Assert.Equal([HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests],
            answers.Select(a => a.StatusCode));
        var retryAfter = answers[3].Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10));
        Assert.Equal("application/problem+json", answers[3].Content.Headers.ContentType?.MediaType);

        // Health is not on the webhook's budget, and the limit is per address, not global.
        Assert.Equal(HttpStatusCode.OK, (await service.HttpClient.GetAsync("health/ready")).StatusCode);
        Assert.NotEqual(PublicEndpointRateLimiting.ClientKey(IPAddress.Parse("127.0.0.1")), PublicEndpointRateLimiting.ClientKey(IPAddress.Parse("127.0.0.2")));
        Assert.Equal(PublicEndpointRateLimiting.ClientKey(IPAddress.Parse("2001:db8::1")), PublicEndpointRateLimiting.ClientKey(IPAddress.Parse("2001:db8::ffff:1")));
        answers.ForEach(a => a.Dispose());
    }

    private static async Task<HttpResponseMessage> SendAsync(ServiceApplication service, HttpMethod method, string path, object? body, string key)
    {
        using var message = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body, options: Web) };
        message.Headers.Add(InternalApi.KeyHeader, key);
        return await service.HttpClient.SendAsync(message);
    }
}
