using System.Diagnostics;
using System.Net;
using HeadShotEvents.Archiving;
using HeadShotEvents.Contracts;
using HeadShotEvents.UrlSafety;
using Microsoft.Extensions.Options;

namespace HeadShotEvents.Archiving.Downloads;

/// <summary>
/// Downloads one output, retrying what can get better (404 before a CDN has the file, 5xx, 429,
/// timeouts, dropped connections) with doubling pauses until the outputs expire or this delivery's
/// hold runs out; what cannot get better (a refused URL, not an image, too large, 403) fails at once.
/// </summary>
public sealed class OutputDownloader(
    IHttpClientFactory clients,
    IOptions<DownloadOptions> downloadOptions,
    IOptions<ArchiveOptions> archiveOptions,
    TimeProvider clock,
    ArchiverMetrics metrics)
{
    private readonly DownloadOptions _options = downloadOptions.Value;
    private readonly ImageUrlRules _rules = downloadOptions.Value.UrlRules();

    public async Task<DownloadResult> DownloadAsync(string url, DateTimeOffset expiresAt, DateTimeOffset holdUntil, CancellationToken cancellationToken)
    {
        var backoff = archiveOptions.Value.InitialBackoff;
        for (var attempts = 1; ; attempts++)
        {
            var attempt = await TryOnceAsync(url, cancellationToken);
            switch (attempt)
            {
                case Attempt.Image image:
                    metrics.Attempt("image");
                    return new DownloadResult.Downloaded(image.Content, image.Info, attempts);
                case Attempt.Problem { Transient: false } problem:
                    metrics.Attempt(problem.Reason.ToString());
                    return new DownloadResult.Failed(problem.Reason, problem.Message, attempts);
            }

            var transient = (Attempt.Problem)attempt;
            metrics.Attempt("transient");
            Activity.Current?.AddEvent(new ActivityEvent("download.retry", tags: new ActivityTagsCollection { ["reason"] = transient.Message }));

            var now = clock.GetUtcNow();
            if (now >= expiresAt)
            {
                return new DownloadResult.Failed(HeadShotArchiveFailureReason.Expired,
                    $"The output expired at {expiresAt:O} before it could be downloaded; the last attempt: {transient.Message}", attempts);
            }

            if (now >= holdUntil)
            {
                return new DownloadResult.Deferred(transient.Message, attempts);
            }

            // Jitter spreads the retries of many archivers that failed on the same CDN hiccup.
            var pause = backoff * (0.8 + Random.Shared.NextDouble() * 0.4);
            var untilLimit = (expiresAt < holdUntil ? expiresAt : holdUntil) - now;
            await Task.Delay(pause < untilLimit ? pause : untilLimit, clock, cancellationToken);
            backoff = backoff * 2 < archiveOptions.Value.MaxBackoff ? backoff * 2 : archiveOptions.Value.MaxBackoff;
        }
    }

    private async Task<Attempt> TryOnceAsync(string url, CancellationToken cancellationToken)
    {
        if (ImageUrl.Check(url, _rules) is { } refused)
        {
            return new Attempt.Problem(HeadShotArchiveFailureReason.UrlRefused, refused, Transient: false);
        }

        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(_options.Timeout);
        var client = clients.CreateClient(OutputDownloads.ClientName);
        var uri = new Uri(url);
        try
        {
            for (var redirects = 0; ; redirects++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, uri);
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, budget.Token);
                if (IsRedirect(response.StatusCode))
                {
                    if (NextHop(uri, response, redirects) is not { } next)
                    {
                        return new Attempt.Problem(HeadShotArchiveFailureReason.UrlRefused,
                            $"The output redirects to another host, or too often (HTTP {(int)response.StatusCode}); redirects are followed on the same host only.", Transient: false);
                    }

                    uri = next;
                    continue;
                }

                return await ReadAsync(response, budget.Token);
            }
        }
        catch (Exception ex) when (Find<InternalAddressException>(ex) is { } inside)
        {
            return new Attempt.Problem(HeadShotArchiveFailureReason.UrlRefused, inside.Message, Transient: false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new Attempt.Problem(HeadShotArchiveFailureReason.Expired, $"The download took longer than {_options.Timeout}.", Transient: true);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            return new Attempt.Problem(HeadShotArchiveFailureReason.Expired, $"The download failed: {ex.Message}", Transient: true);
        }
    }

    private async Task<Attempt> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        if (status != 200)
        {
            // 404: ModelsLab's future links answer it until the file exists. 408, 425, 429, 5xx: busy.
            var transient = status is 404 or 408 or 425 or 429 or >= 500;
            return new Attempt.Problem(transient ? HeadShotArchiveFailureReason.Expired : HeadShotArchiveFailureReason.DownloadRejected,
                $"The output answered HTTP {status}.", transient);
        }

        if (response.Content.Headers.ContentLength > _options.MaxBytes)
        {
            return TooLarge();
        }

        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var content = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (content.Length + read > _options.MaxBytes)
            {
                return TooLarge();
            }

            content.Write(chunk, 0, read);
        }

        var bytes = content.ToArray();
        return ImageSignature.Inspect(bytes) is { } info
            ? new Attempt.Image(bytes, info)
            : new Attempt.Problem(HeadShotArchiveFailureReason.NotAnImage,
                $"The output ({bytes.Length} bytes) is not a PNG, JPEG or WebP image, or its header is unreadable.", Transient: false);
    }

    private Attempt TooLarge() => new Attempt.Problem(HeadShotArchiveFailureReason.TooLarge,
        $"The output is larger than {_options.MaxBytes} bytes.", Transient: false);

    private static bool IsRedirect(HttpStatusCode status) => (int)status is 301 or 302 or 303 or 307 or 308;

    /// <summary>The redirect's target when it stays on the same scheme, host and port and passes the URL rules again.</summary>
    private Uri? NextHop(Uri from, HttpResponseMessage response, int redirects)
    {
        if (redirects >= _options.MaxRedirects || response.Headers.Location is not { } location)
        {
            return null;
        }

        var next = location.IsAbsoluteUri ? location : new Uri(from, location);
        var sameOrigin = next.Scheme == from.Scheme
            && string.Equals(next.IdnHost, from.IdnHost, StringComparison.OrdinalIgnoreCase)
            && next.Port == from.Port;
        return sameOrigin && ImageUrl.Check(next.AbsoluteUri, _rules) is null ? next : null;
    }

    private static T? Find<T>(Exception? ex) where T : Exception
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is T found)
            {
                return found;
            }
        }

        return null;
    }
}
