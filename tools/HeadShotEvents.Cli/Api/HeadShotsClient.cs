using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using HeadShotEvents.Contracts;

namespace HeadShotEvents.Cli.Api;

/// <summary>
/// The service's internal HTTP API (POST/GET /headshots, the timeline, replay). Every refusal
/// becomes an <see cref="ApiProblemException"/> carrying the ProblemDetails, every missing answer a
/// <see cref="ServiceUnreachableException"/>, so commands only say what happened.
/// </summary>
public sealed class HeadShotsClient : IDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly HttpClient _http;

    public HeadShotsClient(Uri baseAddress, string? apiKey, TimeSpan? timeout = null)
    {
        _http = new HttpClient { BaseAddress = baseAddress, Timeout = timeout ?? TimeSpan.FromSeconds(30) };
        if (!string.IsNullOrEmpty(apiKey))
        {
            _http.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        }
    }

    public Uri BaseAddress => _http.BaseAddress!;

    public Task<JobStatus> SubmitAsync(HeadShotRequested request, CancellationToken cancellationToken) =>
        SendAsync<JobStatus>(() => new HttpRequestMessage(HttpMethod.Post, "headshots") { Content = JsonContent.Create(request, options: Json) }, cancellationToken);

    public Task<JobStatus> GetAsync(Guid requestId, CancellationToken cancellationToken) =>
        SendAsync<JobStatus>(() => new HttpRequestMessage(HttpMethod.Get, $"headshots/{requestId}"), cancellationToken);

    /// <summary>The status as the service wrote it, for <c>--json</c>.</summary>
    public Task<JsonElement> GetRawAsync(Guid requestId, CancellationToken cancellationToken) =>
        SendAsync<JsonElement>(() => new HttpRequestMessage(HttpMethod.Get, $"headshots/{requestId}"), cancellationToken);

    public Task<JobTimeline> TimelineAsync(Guid requestId, CancellationToken cancellationToken) =>
        SendAsync<JobTimeline>(() => new HttpRequestMessage(HttpMethod.Get, $"headshots/{requestId}/timeline"), cancellationToken);

    public Task<JsonElement> ListRawAsync(JobQuery query, CancellationToken cancellationToken) =>
        SendAsync<JsonElement>(() => new HttpRequestMessage(HttpMethod.Get, "headshots" + QueryString(query)), cancellationToken);

    public Task<ReplayAccepted> ReplayAsync(Guid requestId, string? queue, CancellationToken cancellationToken) =>
        SendAsync<ReplayAccepted>(() => new HttpRequestMessage(HttpMethod.Post, $"headshots/{requestId}/replay")
        {
            Content = JsonContent.Create(new { queue }, options: Json),
        }, cancellationToken);

    public static string QueryString(JobQuery query)
    {
        var parts = new List<string>();
        if (query.States.Count > 0)
        {
            parts.Add("state=" + Uri.EscapeDataString(string.Join(',', query.States)));
        }

        if (query.Since is { } since)
        {
            parts.Add("since=" + Uri.EscapeDataString(since.ToString("O")));
        }

        if (query.Until is { } until)
        {
            parts.Add("until=" + Uri.EscapeDataString(until.ToString("O")));
        }

        parts.AddRange(query.Metadata.Select(m => $"metadata.{Uri.EscapeDataString(m.Key)}={Uri.EscapeDataString(m.Value)}"));
        if (query.Cursor is { } cursor)
        {
            parts.Add("cursor=" + Uri.EscapeDataString(cursor));
        }

        if (query.Limit is { } limit)
        {
            parts.Add($"limit={limit}");
        }

        return parts.Count == 0 ? "" : "?" + string.Join('&', parts);
    }

    private async Task<T> SendAsync<T>(Func<HttpRequestMessage> request, CancellationToken cancellationToken)
    {
        using var message = request();
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(message, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new ServiceUnreachableException(BaseAddress, ex.InnerException?.Message ?? ex.Message, ex);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ServiceUnreachableException(BaseAddress, $"no answer within {_http.Timeout.TotalSeconds:0} s", ex);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw await ProblemAsync(response, cancellationToken);
            }

            return await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken)
                ?? throw new InvalidDataException($"{message.Method} {message.RequestUri} answered {(int)response.StatusCode} with an empty body.");
        }
    }

    private static async Task<ApiProblemException> ProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        string title = response.ReasonPhrase ?? response.StatusCode.ToString();
        string? detail = null;
        var errors = new Dictionary<string, string[]>();
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                title = Text(root, "title") ?? title;
                detail = Text(root, "detail");
                if (root.TryGetProperty("errors", out var fieldErrors) && fieldErrors.ValueKind == JsonValueKind.Object)
                {
                    foreach (var field in fieldErrors.EnumerateObject())
                    {
                        errors[field.Name] = field.Value.ValueKind == JsonValueKind.Array
                            ? field.Value.EnumerateArray().Select(e => e.ToString()).ToArray()
                            : [field.Value.ToString()];
                    }
                }
            }
        }
        catch (JsonException)
        {
            // Not a ProblemDetails (a proxy's page, say): the status line is all there is to show.
            detail = body.Length is > 0 and <= 200 && !body.Contains('<', StringComparison.Ordinal) ? body.Trim() : null;
        }

        return new ApiProblemException(response.StatusCode, title, detail, errors);

        static string? Text(JsonElement root, string name) =>
            root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }

    public void Dispose() => _http.Dispose();
}
