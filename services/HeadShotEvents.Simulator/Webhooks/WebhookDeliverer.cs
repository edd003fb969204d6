using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using HeadShotEvents.Simulator.Admin;
using HeadShotEvents.Simulator.Jobs;
using Microsoft.Extensions.Options;

namespace HeadShotEvents.Simulator.Webhooks;

/// <summary>
/// POSTs each job's webhooks when its generation finishes: best-effort like ModelsLab's, a few
/// attempts then given up, with the drop, duplicate, delay and early-notice faults the job was rolled.
/// </summary>
internal sealed partial class WebhookDeliverer(
    IHttpClientFactory httpClients,
    SimulatorStats stats,
    TimeProvider clock,
    IOptions<SimulatorOptions> options,
    ILogger<WebhookDeliverer> logger) : BackgroundService
{
    public const string HttpClientName = "HeadShotEvents.Simulator.Webhooks";

    private readonly Channel<HeadShotJob> _jobs = Channel.CreateUnbounded<HeadShotJob>(new UnboundedChannelOptions { SingleReader = true });

    public void Schedule(HeadShotJob job) => _jobs.Writer.TryWrite(job);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // One task per job: jobs finish in their own time, not in submission order.
        var inFlight = new List<Task>();
        try
        {
            await foreach (var job in _jobs.Reader.ReadAllAsync(stoppingToken))
            {
                inFlight.RemoveAll(task => task.IsCompleted);
                inFlight.Add(DeliverAsync(job, stoppingToken));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        await Task.WhenAll(inFlight);
    }

    private async Task DeliverAsync(HeadShotJob job, CancellationToken stoppingToken)
    {
        var delay = job.Faults.WebhookDelay;
        try
        {
            if (job.Faults.SendProcessingWebhook && !job.Fate.AnsweredAtOnce)
            {
                await WaitUntilAsync(job.SubmittedAt + delay, stoppingToken);
                await SendAsync(job, WebhookBodies.Processing(job), stoppingToken);
            }

            await WaitUntilAsync(job.CompletesAt + delay, stoppingToken);
            var terminal = job.Fate.Fails ? WebhookBodies.Failure(job) : WebhookBodies.Success(job);
            await SendAsync(job, terminal, stoppingToken);
            if (job.Fate.WebhookDuplicated)
            {
                if (!job.Fate.WebhookDropped)
                    stats.WebhookDuplicated();
                await SendAsync(job, terminal, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception exception)
        {
            // A delivery must never take the host down nor fail unobserved: log it and move on.
            LogDeliveryCrashed(exception, job.Id);
        }
    }

    private async Task SendAsync(HeadShotJob job, JsonObject body, CancellationToken stoppingToken)
    {
        var status = (string?)body["status"];
        if (job.Fate.WebhookDropped)
        {
            stats.WebhookDropped();
            LogDropped(job.Id, status);
            return;
        }

        if (job.Faults.WebhookDelay > TimeSpan.Zero)
            stats.WebhookDelayed();
        var settings = options.Value;
        var url = job.Request.Webhook!;
        var payload = body.ToJsonString();
        var client = httpClients.CreateClient(HttpClientName);
        for (var attempt = 1; attempt <= settings.WebhookAttempts; attempt++)
        {
            if (attempt > 1)
                await Task.Delay(settings.WebhookRetryDelay, clock, stoppingToken);
            string failure;
            try
            {
                using var content = new StringContent(payload, Encoding.UTF8, "application/json");
                using var response = await client.PostAsync(url, content, stoppingToken);
                if (response.IsSuccessStatusCode)
                {
                    stats.WebhookSent();
                    LogDelivered(job.Id, status, Receiver(url), (int)response.StatusCode);
                    return;
                }
                failure = $"HTTP {(int)response.StatusCode}";
            }
            catch (HttpRequestException exception)
            {
                failure = exception.Message;
            }
            catch (TaskCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                failure = $"no answer within {settings.WebhookTimeout}";
            }
            stats.WebhookAttemptFailed();
            LogAttemptFailed(job.Id, status, Receiver(url), attempt, settings.WebhookAttempts, failure);
        }
        stats.WebhookUndelivered();
        LogGaveUp(job.Id, status, Receiver(url));
    }

    private async Task WaitUntilAsync(DateTimeOffset moment, CancellationToken stoppingToken)
    {
        var wait = moment - clock.GetUtcNow();
        if (wait > TimeSpan.Zero)
            await Task.Delay(wait, clock, stoppingToken);
    }

    /// <summary>
    /// Only scheme, host and port reach the log: the path of a HeadShotEvents webhook URL holds
    /// the job's token, a secret.
    /// </summary>
    private static string Receiver(Uri url) => url.GetLeftPart(UriPartial.Authority);

    [LoggerMessage(LogLevel.Information, "Webhook {Status} of job {JobId} delivered to {Receiver}: HTTP {HttpStatus}")]
    private partial void LogDelivered(long jobId, string? status, string receiver, int httpStatus);

    [LoggerMessage(LogLevel.Warning, "Webhook {Status} of job {JobId} to {Receiver} failed (attempt {Attempt} of {Attempts}): {Failure}")]
    private partial void LogAttemptFailed(long jobId, string? status, string receiver, int attempt, int attempts, string failure);

    [LoggerMessage(LogLevel.Warning, "Webhook {Status} of job {JobId} to {Receiver} given up")]
    private partial void LogGaveUp(long jobId, string? status, string receiver);

    [LoggerMessage(LogLevel.Error, "Webhook delivery of job {JobId} stopped by an unexpected error")]
    private partial void LogDeliveryCrashed(Exception exception, long jobId);

    [LoggerMessage(LogLevel.Information, "Webhook {Status} of job {JobId} dropped (DropWebhookShare)")]
    private partial void LogDropped(long jobId, string? status);
}
