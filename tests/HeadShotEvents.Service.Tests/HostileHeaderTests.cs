using System.Diagnostics;
using System.Net;
using HeadShotEvents.Service.Tests.Infrastructure;

namespace HeadShotEvents.Service.Tests;

/// <summary>
/// Headers an outsider controls, sent with a VALID token (a forged one is refused before they
/// could matter): they must not pick the trace a callback joins, nor the address it is limited by.
/// </summary>
public sealed class HostileHeaderTests
{
    [Fact]
    public async Task An_injected_traceparent_and_baggage_on_a_valid_callback_start_no_span_in_the_outsiders_trace()
    {
        using var spans = new CapturedSpans();
        await using var waiting = await WaitingJob.StartAsync();
        var forged = ActivityTraceId.CreateRandom();

        // A client that sends the headers as given (the test's own HttpClient would put its span's there).
        using var outsider = new HttpClient(new SocketsHttpHandler { ActivityHeadersPropagator = DistributedContextPropagator.CreateNoOutputPropagator() })
        {
            BaseAddress = waiting.Pipeline.Service.BaseAddress,
        };
        using var message = new HttpRequestMessage(HttpMethod.Post, $"webhooks/modelslab/{waiting.Token}")
        {
            Content = new StringContent(waiting.SuccessBody(status: "processing"), System.Text.Encoding.UTF8, "application/json"),
        };
        message.Headers.Add("traceparent", $"00-{forged.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        message.Headers.Add("tracestate", "evil=1");
        message.Headers.Add("baggage", "user=admin,role=root");
        using var answer = await outsider.SendAsync(message);

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode); // accepted: the token is good
        // The callback's processing span continues the job's own trace and links the inbound request's span.
        var callback = await spans.CallbackOfAsync(waiting.Job.RequestId);
        Assert.Equal(ActivityContext.Parse(waiting.Job.TraceParent!, null).TraceId, callback.TraceId);
        var inbound = await spans.SpanAsync(Assert.Single(callback.Links).Context.SpanId);
        Assert.Equal(default, inbound.ParentSpanId); // a root of our own, not a child of the outsider's span
        Assert.NotEqual(forged, inbound.TraceId);
        Assert.DoesNotContain(spans.All(), s => s.TraceId == forged);
        Assert.DoesNotContain(spans.All(), s => s.Baggage.Any(b => b.Key is "user" or "role"));
        await waiting.AssertUnchangedAsync();
    }

    [Fact]
    public async Task Spoofed_forwarded_for_headers_do_not_escape_the_per_address_limit()
    {
        await using var waiting = await WaitingJob.StartAsync(settingsToo: new Dictionary<string, string?>
        {
            ["Webhooks:RateLimitPermits"] = "3",
            ["Webhooks:RateLimitWindow"] = "00:10:00",
        });

        var statuses = new List<HttpStatusCode>();
        for (var i = 1; i <= 5; i++)
        {
            // Each one claims another client; all come from 127.0.0.1.
            using var answer = await waiting.PostAsync(waiting.Token, waiting.SuccessBody(status: "processing"), "application/json",
                ("X-Forwarded-For", $"203.0.113.{i}"), ("X-Real-IP", $"203.0.113.{i}"), ("Forwarded", $"for=203.0.113.{i}"), ("X-Forwarded-Host", "evil.test"));
            statuses.Add(answer.StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
        await waiting.AssertUnchangedAsync();
    }
}
