using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.HttpResults;
using HeadShotEvents.Service.Telemetry;
using HeadShotEvents.Service.Timeline;
using Microsoft.Extensions.Options;

namespace HeadShotEvents.Service.Callbacks;

/// <summary>The receiver: ModelsLab's callbacks, the one internet-facing endpoint.</summary>
internal static partial class ModelsLabWebhookApi
{
    public const string Route = "/webhooks/modelslab/{token}";

    public static IEndpointRouteBuilder MapModelsLabWebhooks(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(Route, ReceiveAsync)
            .WithName("ReceiveModelsLabWebhook")
            .WithSummary("ModelsLab's generation callback for one job")
            .DisableAntiforgery()
            // No .Accepts<>(): its 415 comes from routing, before the rate limiter and the token check.
            .RequireRateLimiting(Security.PublicEndpointRateLimiting.Policy);
        return endpoints;
    }

    /// <summary>
    /// Cheapest checks first: the rate limit (middleware), the token (no database work for
    /// strangers), the content type, then the body, then the job. 2xx only once the change is
    /// durable; anything else publishes nothing.
    /// </summary>
    internal static async Task<Results<Ok<CallbackAnswer>, ProblemHttpResult>> ReceiveAsync(
        string token,
        HttpRequest request,
        WebhookTokens tokens,
        CallbackProcessor processor,
        HeadShotMetrics metrics,
        JobTimeline timeline,
        IOptions<WebhookOptions> options,
        ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        CallbackOutcome outcome;
        try
        {
            outcome = await EvaluateAsync(token, request, tokens, processor, timeline, options.Value, cancellationToken);
        }
        catch (Exception ex) when (ex is ConnectionResetException
            || (ex is IOException or OperationCanceledException && request.HttpContext.RequestAborted.IsCancellationRequested))
        {
            // The client went away mid-request: its doing, not ours, and nobody is left to answer.
            LogClientGone(loggers.CreateLogger(typeof(ModelsLabWebhookApi).FullName!), ex.GetType().Name);
            // Abort rather than answer: Kestrel would otherwise try to drain the dead body and log that as an error.
            request.HttpContext.Abort();
            outcome = CallbackOutcome.Rejected(StatusCodes.Status499ClientClosedRequest, "client-gone", "Client closed the request", "");
        }

        metrics.Callback(outcome.Name);
        return outcome.Status == StatusCodes.Status200OK
            ? TypedResults.Ok(new CallbackAnswer(outcome.Name))
            : TypedResults.Problem(detail: outcome.Detail, statusCode: outcome.Status, title: outcome.Title);
    }

    private static async Task<CallbackOutcome> EvaluateAsync(
        string token, HttpRequest request, WebhookTokens tokens, CallbackProcessor processor, JobTimeline timeline, WebhookOptions options,
        CancellationToken cancellationToken)
    {
        long trackId;
        switch (tokens.Read(token))
        {
            case TokenCheck.Valid valid:
                trackId = valid.TrackId;
                break;
            case TokenCheck.Expired:
                return CallbackOutcome.Rejected(StatusCodes.Status410Gone, "expired-token", "Webhook URL expired", "This webhook URL is no longer honoured.");
            default:
                return CallbackOutcome.UnknownJob("invalid-token");
        }

        // A valid token names a job: whatever the callback turns out to be, it goes into that job's
        // timeline (buffered, no database work here). Strangers' calls never reach a timeline. A
        // refusal is noted by its title, a constant: its detail may quote the body (an unknown status).
        var receivedAt = timeline.Now;
        var outcome = await EvaluateBodyAsync(trackId, request, processor, options, cancellationToken);
        if (outcome.Name != "unknown-job")
        {
            timeline.Callback(trackId, receivedAt, outcome.Name, outcome.Status == StatusCodes.Status200OK ? null : outcome.Title);
        }

        return outcome;
    }

    private static async Task<CallbackOutcome> EvaluateBodyAsync(
        long trackId, HttpRequest request, CallbackProcessor processor, WebhookOptions options, CancellationToken cancellationToken)
    {
        if (!IsJson(request.ContentType))
        {
            return CallbackOutcome.Rejected(StatusCodes.Status415UnsupportedMediaType, "unsupported-content-type",
                "Unsupported content type", "The callback body must be application/json.");
        }

        byte[]? body;
        try
        {
            body = await CallbackBody.ReadAsync(request, options.MaxBodyBytes, cancellationToken);
        }
        catch (BadHttpRequestException ex)
        {
            // A body framed against its own headers (bad chunking, a length it does not keep): Kestrel's verdict, not a 500.
            return CallbackOutcome.Rejected(ex.StatusCode, "malformed", "Malformed request", "The request body could not be read as framed.");
        }

        if (body is null)
        {
            return CallbackOutcome.Rejected(StatusCodes.Status413PayloadTooLarge, "too-large",
                "Callback too large", $"The callback body must be at most {options.MaxBodyBytes} bytes.");
        }

        return CallbackReader.Read(body, options.OutputRules(), options.MaxOutputs) switch
        {
            CallbackReading.Accepted accepted => await processor.ProcessAsync(trackId, accepted.Callback, cancellationToken),
            CallbackReading.Rejected rejected => rejected.Outcome,
            _ => throw new InvalidOperationException("A callback reading is accepted or rejected."),
        };
    }
}

internal static partial class ModelsLabWebhookApi
{
    /// <summary>
    /// Exactly <c>application/json</c>, with at most a UTF-8 charset: what ModelsLab sends and
    /// README promises. Not <c>*+json</c>, which <c>HasJsonContentType</c> would let through.
    /// </summary>
    [LoggerMessage(Level = LogLevel.Debug, Message = "A webhook caller closed or reset its connection mid-request ({Error})")]
    private static partial void LogClientGone(ILogger logger, string error);

    internal static bool IsJson(string? contentType) =>
        Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var media)
        && media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
        && media.Parameters.All(p => p.Name.Equals("charset", StringComparison.OrdinalIgnoreCase)
            && (p.Value.Equals("utf-8", StringComparison.OrdinalIgnoreCase) || p.Value.Equals("\"utf-8\"", StringComparison.OrdinalIgnoreCase)));
}

/// <summary>What the receiver tells ModelsLab (and an operator reading logs) it did with a callback.</summary>
public sealed record CallbackAnswer(string Outcome);
