using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using HeadShotEvents.Service.Tests.Infrastructure;

namespace HeadShotEvents.Service.Tests;

/// <summary>What the receiver answered to one hostile request: the status and the problem's title.</summary>
public sealed record HostileAnswer(HttpStatusCode Status, string Body);

/// <summary>Ways of sending a callback that a well-behaved client never would, over real HTTP.</summary>
public static class HostileRequests
{
    public const string Json = "application/json";

    /// <summary>A callback the receiver accepts for the waiting job, but for the parts a case changes.</summary>
    public static string Callback(WaitingJob waiting, string? output = null, string status = "\"success\"", string? id = null, string? trackId = null, string extra = "") =>
        $$"""{"status":{{status}},"id":{{id ?? waiting.Job.ModelsLabId}},"track_id":{{trackId ?? Quote(waiting.Job.TrackId.ToString(System.Globalization.CultureInfo.InvariantCulture))}},"output":{{output ?? Outputs("https://pub-3626123a.r2.dev/temp/x-0.png")}},"generationTime":1.5{{extra}}}""";

    public static string Outputs(params string[] urls) => JsonSerializer.Serialize(urls);

    public static string Quote(string text) => JsonSerializer.Serialize(text);

    public static async Task<HostileAnswer> PostAsync(WaitingJob waiting, string token, string body, string? contentType = Json, params (string Name, string Value)[] headers) =>
        await AnswerAsync(await waiting.PostAsync(token, body, contentType, headers));

    public static Task<HostileAnswer> PostBytesAsync(WaitingJob waiting, byte[] body) =>
        SendAsync(waiting, HttpMethod.Post, waiting.Token, new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue(Json) } });

    /// <summary>A body without Content-Length: sent chunked, so only reading it tells its size.</summary>
    public static Task<HostileAnswer> PostChunkedAsync(WaitingJob waiting, string body) =>
        SendAsync(waiting, HttpMethod.Post, waiting.Token, new ChunkedContent(Encoding.UTF8.GetBytes(body)));

    public static async Task<HostileAnswer> SendAsync(WaitingJob waiting, HttpMethod method, string token, HttpContent? content)
    {
        using var message = new HttpRequestMessage(method, $"webhooks/modelslab/{token}") { Content = content };
        return await AnswerAsync(await waiting.Pipeline.Service.HttpClient.SendAsync(message));
    }

    /// <summary>
    /// Bytes straight onto a socket, for what HttpClient refuses to send (folded or CR-split
    /// headers, conflicting lengths). <c>{token}</c>, <c>{length}</c> and <c>{body}</c> are filled in.
    /// </summary>
    public static async Task<HostileAnswer> RawAsync(WaitingJob waiting, string template, string body)
    {
        var request = template
            .Replace("{token}", waiting.Token, StringComparison.Ordinal)
            .Replace("{length}", Encoding.UTF8.GetByteCount(body).ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{body}", body, StringComparison.Ordinal);
        var address = waiting.Pipeline.Service.BaseAddress;
        using var client = new TcpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await client.ConnectAsync(address.Host, address.Port, timeout.Token);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.UTF8.GetBytes(request), timeout.Token);
        // No half-close: Kestrel takes a client FIN as an abort. It closes after a bad request, or after this one (Connection: close).

        using var reader = new StreamReader(stream, Encoding.UTF8);
        var answer = await reader.ReadToEndAsync(timeout.Token);
        var statusLine = answer.Split("\r\n", 2)[0];
        var code = int.Parse(statusLine.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        return new HostileAnswer((HttpStatusCode)code, answer);
    }

    private static async Task<HostileAnswer> AnswerAsync(HttpResponseMessage response)
    {
        using (response)
        {
            return new HostileAnswer(response.StatusCode, await response.Content.ReadAsStringAsync());
        }
    }

    private sealed class ChunkedContent : HttpContent
    {
        private readonly byte[] body;

        public ChunkedContent(byte[] body)
        {
            this.body = body;
            Headers.ContentType = new MediaTypeHeaderValue(Json);
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(body).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
