using System.Text.Json;
using System.Text.Json.Nodes;

namespace HeadShotEvents.Simulator.Wire;

internal static class JsonBody
{
    /// <summary>The body as a JSON object; null when it is empty, malformed or not an object.</summary>
    public static async Task<JsonObject?> ReadObjectAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return await JsonNode.ParseAsync(request.Body, cancellationToken: cancellationToken) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A field's value as text when it is a JSON string or number; null otherwise.</summary>
    public static string? ScalarText(JsonNode? node) => node is JsonValue value
        ? value.GetValueKind() switch
        {
            JsonValueKind.String => value.GetValue<string>(),
            JsonValueKind.Number => value.ToJsonString(),
            _ => null,
        }
        : null;
}
