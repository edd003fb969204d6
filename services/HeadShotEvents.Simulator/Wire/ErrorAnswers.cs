using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HeadShotEvents.Simulator.Wire;

/// <summary>
/// ModelsLab's error bodies. The error page documents 4xx codes while the schemas declare only
/// 200, and both are seen: <see cref="SimulatorFaults.ErrorsAsHttp200"/> picks, for every error.
/// </summary>
internal static class ErrorAnswers
{
    public static JsonHttpResult<JsonObject> Error(SimulatorFaults faults, int httpStatus, string message) =>
        Answer(faults, httpStatus, new JsonObject { ["status"] = "error", ["message"] = message });

    public static JsonHttpResult<JsonObject> InvalidKey(SimulatorFaults faults) =>
        Error(faults, StatusCodes.Status401Unauthorized, "Invalid API key");

    public static JsonHttpResult<JsonObject> NotJson(SimulatorFaults faults) =>
        Error(faults, StatusCodes.Status400BadRequest, "The request body must be a JSON object.");

    /// <summary>Laravel's validator answer: its first message, or every message by field.</summary>
    public static JsonHttpResult<JsonObject> Invalid(SimulatorFaults faults, IReadOnlyList<(string Field, string Message)> errors)
    {
        JsonNode message = faults.ValidationErrorStyle == ValidationErrorStyle.Fields
            ? new JsonObject(errors
                .GroupBy(error => error.Field)
                .Select(field => KeyValuePair.Create<string, JsonNode?>(
                    field.Key, new JsonArray(field.Select(error => (JsonNode?)error.Message).ToArray()))))
            : errors[0].Message;
        return Answer(faults, StatusCodes.Status400BadRequest, new JsonObject { ["status"] = "error", ["message"] = message });
    }

    public static JsonHttpResult<JsonObject> QueueFull(SimulatorFaults faults, int limit, int retryAfterSeconds) =>
        Answer(faults, StatusCodes.Status429TooManyRequests, new JsonObject
        {
            ["status"] = "error",
            ["message"] = $"Rate limit exceeded. Maximum {limit} queued requests allowed.",
            ["retry_after"] = retryAfterSeconds,
        });

    private static JsonHttpResult<JsonObject> Answer(SimulatorFaults faults, int httpStatus, JsonObject body) =>
        WireJson.Answer(body, faults.ErrorsAsHttp200 ? StatusCodes.Status200OK : httpStatus);
}
