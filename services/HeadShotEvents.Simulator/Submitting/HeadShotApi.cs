using System.Text.Json.Nodes;
using HeadShotEvents.Simulator.Admin;
using HeadShotEvents.Simulator.Jobs;
using HeadShotEvents.Simulator.Webhooks;
using HeadShotEvents.Simulator.Wire;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace HeadShotEvents.Simulator.Submitting;

internal static partial class HeadShotApi
{
    public static IEndpointRouteBuilder MapHeadShotApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/api/v6/image_editing/head_shot", SubmitAsync);
        return endpoints;
    }

    /// <summary>In ModelsLab's order: body, key, validation, queue limit, then the job.</summary>
    private static async Task<JsonHttpResult<JsonObject>> SubmitAsync(
        HttpRequest request,
        ApiKeyCheck keys,
        FaultSettings faultSettings,
        JobRegistry jobs,
        WebhookDeliverer webhooks,
        SimulatorStats stats,
        IOptions<SimulatorOptions> options,
        ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        var faults = faultSettings.Current;
        var body = await JsonBody.ReadObjectAsync(request, cancellationToken);
        stats.HeadShotCalled(JsonBody.ScalarText(body?["track_id"]));
        if (body is null)
            return ErrorAnswers.NotJson(faults);

        if (keys.Accept(body) is not { } apiKey)
            return ErrorAnswers.InvalidKey(faults);

        if (HeadShotRequestReader.Read(body, faults, out var errors) is not { } headShot)
            return ErrorAnswers.Invalid(faults, errors);

        var settings = options.Value;
        var baseUrl = WebAddress.BaseUrlFor(request, options);
        if (!jobs.TryAdmit(apiKey, headShot, baseUrl, faults, out var job))
            return ErrorAnswers.QueueFull(faults, settings.QueueLimitPerKey, settings.RetryAfterSeconds);

        stats.JobCreated();
        LogJobAccepted(loggers.CreateLogger(typeof(HeadShotApi)), job.Id, job.Request.TrackId, job.Fate.AnsweredAtOnce, job.Fate.Fails);
        if (job.Request.Webhook is not null)
            webhooks.Schedule(job);
        if (faults.AnswerDelay > TimeSpan.Zero)
            await Task.Delay(faults.AnswerDelay, CancellationToken.None); // the job stands even if the caller gave up
        return WireJson.Answer(job.Fate.AnsweredAtOnce ? HeadShotAnswers.Success(job) : HeadShotAnswers.Processing(job));
    }

    [LoggerMessage(LogLevel.Information, "Job {JobId} accepted (track_id {TrackId}, answered at once: {AnsweredAtOnce}, will fail: {WillFail})")]
    private static partial void LogJobAccepted(ILogger logger, long jobId, long? trackId, bool answeredAtOnce, bool willFail);
}
