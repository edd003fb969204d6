using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HeadShotEvents.Simulator.Admin;

/// <summary>Run-time control of the simulator: the faults in force and what it has counted.</summary>
internal static class AdminApi
{
    public static RouteGroupBuilder MapAdminApi(this IEndpointRouteBuilder endpoints)
    {
        var admin = endpoints.MapGroup("/simulator/admin");
        admin.MapGet("/faults", GetFaults);
        admin.MapPut("/faults", ReplaceFaultsAsync);
        admin.MapGet("/stats", GetStats);
        return admin;
    }

    private static JsonHttpResult<SimulatorFaults> GetFaults(FaultSettings faults) =>
        TypedResults.Json(faults.Current, AdminJson.Options);

    /// <summary>Replaces every fault at once; a field left out takes its default.</summary>
    private static async Task<Results<JsonHttpResult<SimulatorFaults>, ValidationProblem>> ReplaceFaultsAsync(
        HttpRequest request, FaultSettings faults, CancellationToken cancellationToken)
    {
        SimulatorFaults? replacement;
        try
        {
            // Read by hand rather than bound: a malformed body must still come back as ProblemDetails.
            replacement = await JsonSerializer.DeserializeAsync<SimulatorFaults>(request.Body, AdminJson.Options, cancellationToken);
        }
        catch (JsonException exception)
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { [exception.Path ?? "$"] = [exception.Message] },
                title: "The faults are not valid JSON for SimulatorFaults.");
        }

        if (replacement is null)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["$"] = ["A JSON object is required."] });

        var errors = replacement.Validate();
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);

        faults.Replace(replacement);
        return TypedResults.Json(replacement, AdminJson.Options);
    }

    private static JsonHttpResult<SimulatorStatistics> GetStats(SimulatorStats stats) =>
        TypedResults.Json(stats.Snapshot(), AdminJson.Options);
}
