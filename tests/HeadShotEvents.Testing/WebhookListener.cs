using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace HeadShotEvents.Testing;

/// <summary>
/// A webhook receiver on <c>http://127.0.0.1:{free port}</c> that records every POST and lets a
/// test await "N received" with a deadline instead of sleeping and hoping.
/// </summary>
public sealed class WebhookListener : IAsyncDisposable
{
    /// <summary>How long <see cref="WaitForAsync"/> waits when the test names no timeout.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    private readonly Lock _gate = new();
    private readonly List<ReceivedWebhook> _received = [];
    private readonly List<(int Count, TaskCompletionSource<IReadOnlyList<ReceivedWebhook>> Done)> _waiters = [];
    private WebApplication? _app;
    private int _answerStatusCode;

    private WebhookListener(HttpStatusCode answer) => _answerStatusCode = (int)answer;

    /// <summary>The listener's root, e.g. <c>http://127.0.0.1:41235/</c>; every path is accepted.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The status code every POST is answered with; can be changed while running (e.g. 500, then 200).</summary>
    public HttpStatusCode AnswerStatusCode
    {
        get => (HttpStatusCode)Volatile.Read(ref _answerStatusCode);
        set => Volatile.Write(ref _answerStatusCode, (int)value);
    }

    /// <summary>Every POST so far, in arrival order.</summary>
    public IReadOnlyList<ReceivedWebhook> Received
    {
        get
        {
            lock (_gate)
                return _received.ToArray();
        }
    }

    public static async Task<WebhookListener> StartAsync(HttpStatusCode answer = HttpStatusCode.OK, CancellationToken cancellationToken = default)
    {
        var listener = new WebhookListener(answer);
        var builder = LoopbackHost.CreateBuilder([]);
        var app = builder.Build();
        app.Run(listener.HandleAsync);
        await app.StartAsync(cancellationToken);
        listener._app = app;
        listener.BaseAddress = LoopbackHost.BoundAddress(app);
        return listener;
    }

    /// <summary>An absolute URL on this listener, e.g. <c>UrlFor("webhooks/modelslab/token")</c>.</summary>
    public Uri UrlFor(string path = "webhook") => new(BaseAddress, path.TrimStart('/'));

    /// <summary>
    /// Completes once at least <paramref name="count"/> POSTs have arrived, with all of them;
    /// throws <see cref="TimeoutException"/> naming what did arrive if the deadline passes first.
    /// </summary>
    public async Task<IReadOnlyList<ReceivedWebhook>> WaitForAsync(int count, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var waiter = (Count: count, Done: new TaskCompletionSource<IReadOnlyList<ReceivedWebhook>>(TaskCreationOptions.RunContinuationsAsynchronously));
        lock (_gate)
        {
            if (_received.Count >= count)
                return _received.ToArray();
            _waiters.Add(waiter);
        }

        var limit = timeout ?? DefaultTimeout;
        try
        {
            return await waiter.Done.Task.WaitAsync(limit, cancellationToken);
        }
        catch (TimeoutException)
        {
            var received = Received;
            throw new TimeoutException(
                $"Expected {count} webhook(s) within {limit}, received {received.Count}:"
                + string.Concat(received.Select(webhook => $"{Environment.NewLine}  POST {webhook.Path} {webhook.BodyText}")));
        }
        finally
        {
            lock (_gate)
                _waiters.Remove(waiter);
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            return;
        }

        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        var webhook = new ReceivedWebhook(
            context.Request.Path.Value ?? "/",
            context.Request.QueryString.Value ?? "",
            context.Request.Headers.ToDictionary(header => header.Key, header => header.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            body.ToArray(),
            DateTimeOffset.UtcNow);

        lock (_gate)
        {
            _received.Add(webhook);
            foreach (var waiter in _waiters.Where(waiter => _received.Count >= waiter.Count))
                waiter.Done.TrySetResult(_received.ToArray());
        }
        context.Response.StatusCode = (int)AnswerStatusCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is null)
            return;
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
