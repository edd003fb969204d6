using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using HeadShotEvents.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HeadShotEvents.Service.Tests.Infrastructure;

/// <summary>
/// An HTTP load balancer on loopback, as a deployment puts in front of its replicas: each route (a
/// path prefix, stripped before forwarding) spreads its requests round-robin over its backends, and
/// a backend that refuses the connection (a dead process) is skipped for the next, as nginx's
/// <c>proxy_next_upstream error</c> does: a request that already reached a backend is never sent
/// twice (a cut one answers 502). Counts every answer by route and backend, so a test can say
/// who handled what.
/// </summary>
public sealed class RoundRobinForwarder : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly IReadOnlyDictionary<string, Uri[]> _routes;
    private readonly ConcurrentDictionary<string, int> _turns = new();
    private readonly ConcurrentDictionary<(string Route, int Backend, int Status), int> _answers = new();
    private readonly HttpClient _client = new(new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromSeconds(30) })
    {
        Timeout = TimeSpan.FromSeconds(30),
    };

    private RoundRobinForwarder(WebApplication app, IReadOnlyDictionary<string, Uri[]> routes, Uri baseAddress)
    {
        _app = app;
        _routes = routes;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    /// <summary>The address clients use for <paramref name="route"/>: what a replica configures as its peer's URL.</summary>
    public Uri Route(string route) => new(BaseAddress, route + "/");

    /// <param name="routes">Route name (the first path segment) to its backends.</param>
    public static async Task<RoundRobinForwarder> StartAsync(IReadOnlyDictionary<string, Uri[]> routes)
    {
        var port = LoopbackPorts.Free();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}/");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var forwarder = new RoundRobinForwarder(app, routes, new Uri($"http://127.0.0.1:{port}/"));
        app.Run(forwarder.ForwardAsync);
        await app.StartAsync();
        return forwarder;
    }

    /// <summary>Answers with <paramref name="status"/> from each backend of <paramref name="route"/> (backend index → count).</summary>
    public int[] Answers(string route, int status) =>
        Enumerable.Range(0, _routes[route].Length).Select(b => _answers.GetValueOrDefault((route, b, status))).ToArray();

    /// <summary>Every answer of <paramref name="route"/>, by backend.</summary>
    public int[] AllAnswers(string route) =>
        Enumerable.Range(0, _routes[route].Length).Select(b => _answers.Where(a => a.Key.Route == route && a.Key.Backend == b).Sum(a => a.Value)).ToArray();

    private async Task ForwardAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        var slash = path.IndexOf('/', 1);
        var route = slash > 0 ? path[1..slash] : path.Trim('/');
        if (!_routes.TryGetValue(route, out var backends))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        var rest = (slash > 0 ? path[(slash + 1)..] : "") + context.Request.QueryString;
        var first = _turns.AddOrUpdate(route, 0, (_, turn) => turn + 1);
        for (var attempt = 0; attempt < backends.Length; attempt++)
        {
            var backend = (first + attempt) % backends.Length;
            using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), new Uri(backends[backend], rest))
            {
                Content = new ByteArrayContent(body.ToArray()),
            };
            if (context.Request.ContentType is { } contentType)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }

            try
            {
                // Not cut when the caller goes away (a killed replica): what reached the backend is counted.
                using var response = await _client.SendAsync(request, CancellationToken.None);
                _answers.AddOrUpdate((route, backend, (int)response.StatusCode), 1, (_, n) => n + 1);
                context.Response.StatusCode = (int)response.StatusCode;
                if (response.Content.Headers.ContentType is { } type)
                {
                    context.Response.ContentType = type.ToString();
                }

                try
                {
                    await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
                }
                catch (Exception ex) when (ex is OperationCanceledException or IOException)
                {
                    // The caller died waiting for the answer.
                }

                return;
            }
            catch (HttpRequestException ex) when (ex.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
            {
                // Nothing was sent: a dead backend. The next one gets the request.
            }
            catch (HttpRequestException)
            {
                // Sent and cut (the backend died mid-request): it may have acted on it, so no second backend.
                _answers.AddOrUpdate((route, backend, (int)HttpStatusCode.BadGateway), 1, (_, n) => n + 1);
                context.Response.StatusCode = StatusCodes.Status502BadGateway;
                return;
            }
        }

        context.Response.StatusCode = StatusCodes.Status502BadGateway;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _client.Dispose();
    }
}
