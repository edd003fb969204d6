using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HeadShotEvents.Simulator.Wire;

/// <summary>
/// Writes ModelsLab's bodies with fixed options: when the simulator is mapped into another app
/// (the service's embedded mode), that app's JSON settings must not change what ModelsLab sends.
/// </summary>
internal static class WireJson
{
    public static JsonHttpResult<JsonObject> Answer(JsonObject body, int httpStatus = StatusCodes.Status200OK) =>
        TypedResults.Json(body, JsonSerializerOptions.Web, statusCode: httpStatus);
}
