using HeadShotEvents.ModelsLab.Wire;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace HeadShotEvents.Service.Callbacks;

/// <summary>The receiver: ModelsLab's callbacks, the one internet-facing endpoint.</summary>
internal static class ModelsLabWebhookApi
{
    public const string Route = "/webhooks/modelslab/{token}";

    public static IEndpointRouteBuilder MapModelsLabWebhooks(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(Route, ReceiveAsync)
            .WithName("ReceiveModelsLabWebhook")
            .WithSummary("ModelsLab's generation callback for one job")
            .DisableAntiforgery()
            .Accepts<object>("application/json");
        return endpoints;
    }

    /// <summary>
    /// Cheapest checks first: the token (no database work for strangers), then the body, then the
    /// job. 2xx only once the change is durable; anything else publishes nothing.
    /// </summary>
    internal static async Task<Results<Ok<CallbackAnswer>, ProblemHttpResult>> ReceiveAsync(
        string token,
        HttpRequest request,
        WebhookTokens tokens,
        CallbackProcessor processor,
        IOptions<WebhookOptions> options,
        CancellationToken cancellationToken)
    {
        var trackId = tokens.Read(token) switch
        {
            TokenCheck.Valid valid => valid.TrackId,
            TokenCheck.Expired => (long?)null,
            _ => -1,
        };
        if (trackId is null)
        {
            return Problem(StatusCodes.Status410Gone, "Webhook URL expired", "This webhook URL is no longer honoured.");
        }

        if (trackId < 0)
        {
            return Problem(StatusCodes.Status404NotFound, "Unknown webhook", "No job is known under this webhook URL.");
        }

        if (!request.HasJsonContentType())
        {
            return Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported content type", "The callback body must be application/json.");
        }

        var body = await CallbackBody.ReadAsync(request, options.Value.MaxBodyBytes, cancellationToken);
        if (body is null)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, "Callback too large", $"The callback body must be at most {options.Value.MaxBodyBytes} bytes.");
        }

        if (!ModelsLabResponseParser.TryParse(body, out var callback, out var parseError))
        {
            return Problem(StatusCodes.Status400BadRequest, "Malformed callback", parseError);
        }

        var outcome = await processor.ProcessAsync(trackId.Value, callback, cancellationToken);
        return outcome.Status == StatusCodes.Status200OK
            ? TypedResults.Ok(new CallbackAnswer(outcome.Name))
            : Problem(outcome.Status, outcome.Title, outcome.Detail);
    }

    private static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title);
}

/// <summary>What the receiver tells ModelsLab (and an operator reading logs) it did with a callback.</summary>
public sealed record CallbackAnswer(string Outcome);
