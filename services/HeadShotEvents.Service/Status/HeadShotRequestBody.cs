using System.Text.Json;
using HeadShotEvents.Contracts;
using Microsoft.Extensions.Options;

namespace HeadShotEvents.Service.Status;

/// <summary>
/// POST /headshots' body, read by hand rather than bound: a missing or malformed field must come
/// back as a ProblemDetails naming it, in the request's own (camelCase) names, not as a bare 400.
/// </summary>
internal static class HeadShotRequestBody
{
    private static readonly string[] Required = ["requestId", "prompt", "faceImage"];

    /// <summary>The request, or the errors per field (<c>$</c> for the body as a whole).</summary>
    public static async Task<(HeadShotRequested? Request, Dictionary<string, string[]> Errors)> ReadAsync(HttpRequest http, CancellationToken cancellationToken)
    {
        var options = http.HttpContext.RequestServices.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(http.Body, cancellationToken: cancellationToken);
        }
        catch (JsonException ex)
        {
            return (null, Error("$", $"The body is not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1})."));
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (null, Error("$", "The body must be a JSON object."));
            }

            var missing = Required.Where(name => !Present(document.RootElement, name)).ToArray();
            if (missing.Length > 0)
            {
                return (null, missing.ToDictionary(name => name, name => new[] { $"{name} is required." }));
            }

            try
            {
                return (document.RootElement.Deserialize<HeadShotRequested>(options), []);
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
            {
                // The path names the field (`$.width`); the message would echo our types, not the client's.
                var field = ex is JsonException { Path: { Length: > 2 } path } && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : "$";
                return (null, Error(field, field == "$" ? "The body could not be read as a head-shot request." : $"{field} has a value of the wrong type or format."));
            }
        }
    }

    /// <summary>The validator speaks ModelsLab's snake_case (<c>guidance_scale</c>); a client wrote <c>guidanceScale</c>.</summary>
    public static Dictionary<string, string[]> InRequestNames(IReadOnlyDictionary<string, string[]> errors) =>
        errors.ToDictionary(e => CamelCase(e.Key), e => e.Value.Select(m => m.Replace(e.Key, CamelCase(e.Key), StringComparison.Ordinal)).ToArray());

    private static string CamelCase(string snake)
    {
        var parts = snake.Split('_', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length == 0 ? snake : parts[0] + string.Concat(parts.Skip(1).Select(p => char.ToUpperInvariant(p[0]) + p[1..]));
    }

    /// <summary>Given and not null; names match without regard to case, as the binder's web defaults do.</summary>
    private static bool Present(JsonElement root, string name)
    {
        foreach (var property in root.EnumerateObject())
        {
            if (string.Equals(SafeName(property), name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value.ValueKind != JsonValueKind.Null;
            }
        }

        return false;
    }

    private static string? SafeName(JsonProperty property)
    {
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static Dictionary<string, string[]> Error(string field, string message) => new() { [field] = [message] };
}
