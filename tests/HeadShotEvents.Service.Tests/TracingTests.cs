using System.Diagnostics;
using System.Net;
using HeadShotEvents.Contracts;
using HeadShotEvents.Service.Outcomes;
using HeadShotEvents.Service.Telemetry;
using HeadShotEvents.Service.Tests.Infrastructure;
using HeadShotEvents.Testing;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace HeadShotEvents.Service.Tests;

/// <summary>
/// One trace from HeadShotRequested to every subscriber's consume, across the gap before the
/// callback. Every TracerProvider in the process sees every source, so spans are picked by TraceId.
/// </summary>
public sealed class TracingTests
{
    [Fact]
    public async Task One_trace_covers_publish_consume_head_shot_call_callback_terminal_publish_and_both_subscribers()
    {
        using var spans = new CapturedSpans();
        await using var pipeline = await Pipeline.StartAsync();
        var request = Pipeline.Request();

        await pipeline.PublishAsync(request);
        await pipeline.WaitForTerminalAsync(request.RequestId);

        var callback = await spans.CallbackOfAsync(request.RequestId);
        var trace = await spans.TraceAsync(callback.TraceId, t => t.Count(s => s.OperationName.EndsWith("process", StringComparison.Ordinal)) >= 5
            && t.Any(s => s.OperationName == Outbox.EventDispatcher.DispatchActivity));
        var published = Single(trace, s => s.Kind == ActivityKind.Producer && Destination(s).EndsWith(":HeadShotRequested", StringComparison.Ordinal));
        var consumed = Single(trace, s => s.OperationName.EndsWith("-submit-head-shot process", StringComparison.Ordinal));
        var headShot = Single(trace, s => s.Kind == ActivityKind.Client && ((string?)s.GetTagItem("url.full"))?.EndsWith("/api/v6/image_editing/head_shot", StringComparison.Ordinal) == true);
        var completedPublish = Single(trace, s => s.Kind == ActivityKind.Producer && Destination(s).EndsWith(":HeadShotCompleted", StringComparison.Ordinal));
        var terminalId = EventIds.Terminal(request.RequestId).ToString();
        foreach (var subscriber in new[] { "-archiver process", "-notifier process" })
        {
            Assert.Single(trace, s => s.OperationName.EndsWith(subscriber, StringComparison.Ordinal)
                && (string?)s.GetTagItem("messaging.masstransit.message_id") == terminalId);
        }

        Assert.Equal(default, published.ParentSpanId);
        Assert.Equal(consumed.SpanId, headShot.ParentSpanId);
        Assert.Equal(consumed.SpanId, callback.ParentSpanId);
        // The outbox dispatcher publishes as a child of the span that settled the job.
        var dispatch = Single(trace, s => s.OperationName == Outbox.EventDispatcher.DispatchActivity);
        Assert.Equal(callback.SpanId, dispatch.ParentSpanId);
        Assert.Equal(dispatch.SpanId, completedPublish.ParentSpanId);
        Assert.Equal("completed", callback.GetTagItem(HeadShotTelemetry.OutcomeTag));
        Assert.NotNull(callback.GetTagItem(HeadShotTelemetry.TrackIdTag));

        // The callback span links to the inbound HTTP request's own span, which is not its parent.
        // That span ends after the answer is written, so later than the callback's: wait for it.
        var link = Assert.Single(callback.Links);
        var inbound = await spans.SpanAsync(link.Context.SpanId);
        Assert.Equal(ActivityKind.Server, inbound.Kind);
        Assert.Equal("/webhooks/modelslab/{token}", inbound.GetTagItem("url.path"));
        Assert.NotEqual(callback.TraceId, inbound.TraceId);
    }

    [Fact]
    public async Task A_completion_by_poll_lands_in_the_same_trace()
    {
        using var spans = new CapturedSpans();
        await using var pipeline = await Pipeline.StartAsync(new ServiceApplication.Options
        {
            Simulator = new Dictionary<string, string?> { ["Simulator:Faults:DropWebhookShare"] = "1.0" },
            Settings = ReconcilerTests.FastReconciler,
        });
        var request = Pipeline.Request();

        await pipeline.PublishAsync(request);
        await pipeline.WaitForTerminalAsync(request.RequestId);

        var poll = await spans.SpanOfAsync(Reconciling.Reconciler.PollActivity, request.RequestId, s => (string?)s.GetTagItem("modelslab.status") == "success");
        var trace = await spans.TraceAsync(poll.TraceId, t => t.Count(s => s.OperationName.EndsWith("process", StringComparison.Ordinal)) >= 5
            && t.Any(s => s.OperationName == Outbox.EventDispatcher.DispatchActivity));
        var consumed = Single(trace, s => s.OperationName.EndsWith("-submit-head-shot process", StringComparison.Ordinal));
        Single(trace, s => s.Kind == ActivityKind.Producer && Destination(s).EndsWith(":HeadShotRequested", StringComparison.Ordinal));
        Single(trace, s => s.Kind == ActivityKind.Client && ((string?)s.GetTagItem("url.full"))?.EndsWith("/api/v6/image_editing/head_shot", StringComparison.Ordinal) == true);
        var fetch = Single(trace, s => s.Kind == ActivityKind.Client && ((string?)s.GetTagItem("url.full"))?.Contains("/api/v6/image_editing/fetch/", StringComparison.Ordinal) == true
            && s.ParentSpanId == poll.SpanId);
        var completedPublish = Single(trace, s => s.Kind == ActivityKind.Producer && Destination(s).EndsWith(":HeadShotCompleted", StringComparison.Ordinal));
        var terminalId = EventIds.Terminal(request.RequestId).ToString();
        foreach (var subscriber in new[] { "-archiver process", "-notifier process" })
        {
            Assert.Single(trace, s => s.OperationName.EndsWith(subscriber, StringComparison.Ordinal)
                && (string?)s.GetTagItem("messaging.masstransit.message_id") == terminalId);
        }

        Assert.Equal(consumed.SpanId, poll.ParentSpanId);
        var dispatch = Single(trace, s => s.OperationName == Outbox.EventDispatcher.DispatchActivity);
        Assert.Equal(poll.SpanId, dispatch.ParentSpanId);
        Assert.Equal(dispatch.SpanId, completedPublish.ParentSpanId);
        Assert.NotNull(fetch);
        // Linked to the reconciler round that did the polling, which lives in its own trace.
        var round = await spans.SpanAsync(Assert.Single(poll.Links).Context.SpanId);
        Assert.Equal("headshot.reconcile", round.OperationName);
    }

    [Fact]
    public async Task A_forged_traceparent_on_the_webhook_never_becomes_a_parent()
    {
        using var spans = new CapturedSpans();
        await using var waiting = await WaitingJob.StartAsync();
        var forged = ActivityTraceId.CreateRandom();
        var traceparent = $"00-{forged.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01";

        // A client that sends our header as is: the test's own HttpClient would replace it with its span's.
        using var outsider = new HttpClient(new SocketsHttpHandler { ActivityHeadersPropagator = DistributedContextPropagator.CreateNoOutputPropagator() });
        using var content = new StringContent(waiting.SuccessBody(), System.Text.Encoding.UTF8, "application/json");
        using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(waiting.Pipeline.Service.BaseAddress, $"webhooks/modelslab/{waiting.Token}")) { Content = content };
        message.Headers.Add("traceparent", traceparent);
        using var response = await outsider.SendAsync(message);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var callback = await spans.CallbackOfAsync(waiting.Job.RequestId);
        Assert.Equal(ActivityContext.Parse(waiting.Job.TraceParent!, null).TraceId, callback.TraceId);
        var inbound = await spans.SpanAsync(Assert.Single(callback.Links).Context.SpanId);
        Assert.Equal(default, inbound.ParentSpanId);
        await waiting.Pipeline.WaitForTerminalAsync(waiting.Job.RequestId);
        Assert.DoesNotContain(spans.All(), s => s.TraceId == forged);
    }

    private static string Destination(Activity span) => (string?)span.GetTagItem("messaging.destination.name") ?? "";

    private static Activity Single(IReadOnlyList<Activity> trace, Func<Activity, bool> match)
    {
        var found = trace.Where(match).ToList();
        return found.Count == 1
            ? found[0]
            : throw new Xunit.Sdk.XunitException($"Expected one matching span, found {found.Count} in: {string.Join(" | ", trace.Select(s => s.DisplayName))}");
    }
}

/// <summary>An in-memory exporter for every source the path crosses.</summary>
internal sealed class CapturedSpans : IDisposable
{
    private readonly List<Activity> _spans = [];
    private readonly TracerProvider _provider;

    public CapturedSpans() => _provider = Sdk.CreateTracerProviderBuilder()
        .AddSource("MassTransit", HeadShotTelemetry.SourceName, "Microsoft.AspNetCore", "System.Net.Http")
        .AddInMemoryExporter(_spans)
        .Build()!;

    public IReadOnlyList<Activity> All()
    {
        lock (_spans)
        {
            return [.. _spans];
        }
    }

    public Task<Activity> CallbackOfAsync(Guid requestId) => SpanOfAsync(HeadShotTelemetry.CallbackActivity, requestId, _ => true);

    public async Task<Activity> SpanOfAsync(string operation, Guid requestId, Func<Activity, bool> match) =>
        (await Eventually.UntilAsync(() => Task.FromResult(All().SingleOrDefault(s =>
                s.OperationName == operation && (string?)s.GetTagItem(HeadShotTelemetry.RequestIdTag) == requestId.ToString() && match(s))),
            s => s is not null, Pipeline.Patience, $"the {operation} span"))!;

    /// <summary>
    /// The span with this id once it has ended: a linked span may end after the span that links it
    /// (the inbound request's ends once its response is written, after the client has it).
    /// </summary>
    public async Task<Activity> SpanAsync(ActivitySpanId spanId) =>
        (await Eventually.UntilAsync(() => Task.FromResult(All().SingleOrDefault(s => s.SpanId == spanId)),
            s => s is not null, Pipeline.Patience, $"span {spanId}"))!;

    /// <summary>The spans of one trace, once <paramref name="complete"/> says every expected span has ended.</summary>
    public Task<IReadOnlyList<Activity>> TraceAsync(ActivityTraceId traceId, Func<IReadOnlyList<Activity>, bool> complete) =>
        Eventually.UntilAsync(() => Task.FromResult<IReadOnlyList<Activity>>(All().Where(s => s.TraceId == traceId).ToList()),
            complete, Pipeline.Patience, "the whole trace");

    public void Dispose() => _provider.Dispose();
}
