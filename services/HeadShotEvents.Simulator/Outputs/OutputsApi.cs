using System.Globalization;
using HeadShotEvents.Simulator.Jobs;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HeadShotEvents.Simulator.Outputs;

/// <summary>
/// The generated images. Like ModelsLab's future_links they answer 404 until the generation has
/// finished, and like its temporary files 404 again once <see cref="SimulatorOptions.OutputLifetime"/> is over.
/// </summary>
internal static class OutputsApi
{
    public static IEndpointRouteBuilder MapOutputsApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/simulator/outputs/{name}.png", GetOutput);
        return endpoints;
    }

    private static Results<FileContentHttpResult, NotFound> GetOutput(string name, JobRegistry jobs, TimeProvider clock)
    {
        // name is "{file_prefix}-{index}"; the prefix is a GUID and has dashes of its own.
        var dash = name.LastIndexOf('-');
        if (dash < 0
            || !int.TryParse(name.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            || jobs.FindByFilePrefix(name[..dash]) is not { } job
            || index >= job.OutputUrls.Count
            || job.StatusAt(clock.GetUtcNow()) != JobStatus.Succeeded)
            return TypedResults.NotFound();

        return TypedResults.File(PlaceholderPng.Image, "image/png");
    }
}
