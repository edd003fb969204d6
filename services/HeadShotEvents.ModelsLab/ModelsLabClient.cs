using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using HeadShotEvents.Contracts;
using HeadShotEvents.ModelsLab.Validation;
using HeadShotEvents.ModelsLab.Wire;
using Microsoft.Extensions.Options;

namespace HeadShotEvents.ModelsLab;

/// <summary>Typed client for ModelsLab's head_shot and fetch endpoints.</summary>
public sealed class ModelsLabClient(HttpClient http, IOptions<ModelsLabOptions> options, ModelsLabMetrics? metrics = null)
{
    public const string HeadShotPath = "image_editing/head_shot";
    public const string FetchPath = "image_editing/fetch/";

    /// <summary>
    /// Submits one generation. Throws <see cref="ArgumentException"/> for a request the schema
    /// rejects: callers validate first and report field errors; this is the last line of defence
    /// against paying for a request that cannot succeed.
    /// </summary>
    public async Task<ModelsLabAnswer> SubmitHeadShotAsync(
        HeadShotRequested request, long trackId, Uri? webhook, CancellationToken cancellationToken)
    {
        var errors = HeadShotRequestValidator.Validate(request);
        if (errors.Count > 0)
        {
            throw new ArgumentException(
                $"The request breaks ModelsLab's schema: {string.Join(" ", errors.Values.SelectMany(e => e))}", nameof(request));
        }

        var body = HeadShotWireRequest.From(request, options.Value.ApiKey, webhook, trackId);
        using var content = JsonContent.Create(body, ModelsLabJsonContext.Default.HeadShotWireRequest);
        return await PostAsync(HeadShotPath, "head_shot", content, cancellationToken);
    }

    /// <summary>Polls a generation by ModelsLab's id: the documented fallback when the webhook does not come.</summary>
    public async Task<ModelsLabAnswer> FetchAsync(string modelsLabId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelsLabId);
        using var content = JsonContent.Create(new FetchWireRequest(options.Value.ApiKey), ModelsLabJsonContext.Default.FetchWireRequest);
        return await PostAsync(FetchPath + Uri.EscapeDataString(modelsLabId), "fetch", content, cancellationToken);
    }

    private async Task<ModelsLabAnswer> PostAsync(string path, string endpoint, HttpContent content, CancellationToken cancellationToken)
    {
        var startedAt = Stopwatch.GetTimestamp();
        HttpResponseMessage response;
        try
        {
            response = await http.PostAsync(new Uri(options.Value.BaseUrl.AsRoot(), path), content, cancellationToken);
        }
        catch (Exception)
        {
            metrics?.Record(endpoint, startedAt, null, error: true);
            throw;
        }

        using (response)
        {
            var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            var status = (int)response.StatusCode;

            var parsed = ModelsLabResponseParser.TryParse(bytes, out var body, out var error)
                ? body
                // A proxy's HTML error page, an empty 502: still an answer, with a status nobody knows.
                : new ModelsLabResponse { Status = ModelsLabStatus.Unknown, Message = $"HTTP {status} without a ModelsLab body: {error}" };

            metrics?.Record(endpoint, startedAt, status, error: status >= 400 || parsed.Status is ModelsLabStatus.Error or ModelsLabStatus.Failed or ModelsLabStatus.Unknown);
            return new ModelsLabAnswer(status, parsed, parsed.RetryAfter ?? RetryAfterHeader(response));
        }
    }

    /// <summary>Retry-After (seconds or date), else X-RateLimit-Reset (seconds), as ModelsLab's CLI reads them.</summary>
    private static TimeSpan? RetryAfterHeader(HttpResponseMessage response)
    {
        if (response.Headers.RetryAfter is { } retryAfter)
        {
            return retryAfter.Delta ?? (retryAfter.Date is { } date ? date - DateTimeOffset.UtcNow : null);
        }

        return response.Headers.TryGetValues("X-RateLimit-Reset", out var values)
            && double.TryParse(values.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
            && seconds is >= 0 and <= 86_400
                ? TimeSpan.FromSeconds(seconds)
                : null;
    }
}
