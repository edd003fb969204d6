using System.Net;
using System.Text;
using HeadShotEvents.Service.Tests.Infrastructure;

namespace HeadShotEvents.Service.Tests;

/// <summary>The receiver's checks run in one order: rate limit, token, content type, body.</summary>
public sealed class WebhookCheckOrderTests
{
    [Fact]
    public async Task A_flood_with_a_wrong_content_type_is_rate_limited_like_any_other()
    {
        await using var service = await ServiceApplication.StartAsync(new ServiceApplication.Options
        {
            Settings = new Dictionary<string, string?> { ["Webhooks:RateLimitPermits"] = "3", ["Webhooks:RateLimitWindow"] = "00:10:00" },
        });

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            using var response = await service.HttpClient.PostAsync("webhooks/modelslab/CfDJ8forged", new StringContent("{}", Encoding.UTF8, "text/plain"));
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.NotFound, 3), .. Enumerable.Repeat(HttpStatusCode.TooManyRequests, 3)], statuses);
    }
}
