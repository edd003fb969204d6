using System.Globalization;
using System.Text.Json.Nodes;
using HeadShotEvents.Simulator.Admin;
using HeadShotEvents.Simulator.Jobs;
using HeadShotEvents.Simulator.Wire;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HeadShotEvents.Simulator.Fetching;

/// <summary>ModelsLab's fallback to the webhook: ask for a job's state by id.</summary>
internal static class FetchApi
{
    public static IEndpointRouteBuilder MapFetchApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/api/v6/image_editing/fetch/{id}", FetchAsync);
        return endpoints;
    }

    private static async Task<JsonHttpResult<JsonObject>> FetchAsync(
        string id,
        HttpRequest request,
        ApiKeyCheck keys,
        FaultSettings faultSettings,
        JobRegistry jobs,
        SimulatorStats stats,
        TimeProvider clock,
        CancellationToken cancellationToken)
    {
        stats.FetchCalled();
        var faults = faultSettings.Current;
        var body = await JsonBody.ReadObjectAsync(request, cancellationToken);
        if (body is null)
            return ErrorAnswers.NotJson(faults);
        if (keys.Accept(body) is not { } apiKey)
            return ErrorAnswers.InvalidKey(faults);

        // What the real fetch answers for an unknown id is undocumented. This answer is the
        // documented error shape with HTTP 200, the only code fetch's schema declares, so a
        // client has to read "status" rather than trust the HTTP code. Another key's job and an
        // expired one are "not found" too: the simulator does not reveal that they exist.
        if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var jobId)
            || jobs.Find(jobId) is not { } job
            || job.ApiKey != apiKey)
            return WireJson.Answer(new JsonObject { ["status"] = "error", ["message"] = "Request not found" });

        return WireJson.Answer(job.StatusAt(clock.GetUtcNow()) switch
        {
            JobStatus.Processing => new JsonObject
            {
                ["status"] = "processing",
                ["message"] = "try again later.",
                // The empty string, not [], exactly as the real fetch answers while processing.
                ["output"] = "",
                ["tip"] = "Get 20x faster image generation using enterprise plan.",
            },
            JobStatus.Succeeded => new JsonObject
            {
                ["status"] = "success",
                ["id"] = job.Id,
                ["output"] = JobJson.Links(job),
            },
            _ => JobJson.Failure(job),
        });
    }
}
