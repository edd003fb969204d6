using System.Globalization;
using System.Text.Json;

namespace HeadShotEvents.ModelsLab.Wire;

/// <summary>
/// Reads ModelsLab bodies tolerantly (see shared/reference/modelslab-behaviour.md): unknown fields
/// are ignored and every documented variation of a known field is accepted. Only a body that is
/// not a JSON object at all is refused. Never throws, whatever the bytes.
/// </summary>
public static class ModelsLabResponseParser
{
    /// <summary>Deeper than any real body; bounds the work a hostile webhook body can cause.</summary>
    public const int MaxDepth = 16;

    /// <summary>A retry_after beyond a day is not advice anyone should follow.</summary>
    private const double MaxRetryAfterSeconds = 86_400;

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = MaxDepth };

    public static bool TryParse(ReadOnlyMemory<byte> utf8Json, out ModelsLabResponse response, out string error)
    {
        response = new ModelsLabResponse();

        // JsonDocument checks UTF-8 inside strings only when one is read, and then throws.
        if (!System.Text.Unicode.Utf8.IsValid(utf8Json.Span))
        {
            error = "The body is not valid UTF-8.";
            return false;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8Json, DocumentOptions);
        }
        catch (JsonException ex)
        {
            error = $"The body is not valid JSON: {ex.Message}";
            return false;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = $"The body must be a JSON object, not {root.ValueKind}.";
                return false;
            }

            try
            {
                response = Read(root);
            }
            catch (InvalidOperationException ex)
            {
                // Text() already reads undecodable strings as absent; this only guards what a later edit might miss.
                error = $"The body could not be read: {ex.Message}";
                return false;
            }

            error = "";
            return true;
        }
    }

    public static ModelsLabResponse Parse(ReadOnlyMemory<byte> utf8Json) =>
        TryParse(utf8Json, out var response, out var error) ? response : throw new FormatException(error);

    private static ModelsLabResponse Read(JsonElement root)
    {
        var rawStatus = Text(root, "status");
        var (message, fieldErrors) = ReadMessage(root);
        return new ModelsLabResponse
        {
            Status = StatusOf(rawStatus),
            RawStatus = rawStatus,
            Id = Scalar(root, "id"),
            TrackId = Scalar(root, "track_id"),
            Message = message,
            FieldErrors = fieldErrors,
            Output = Links(root, "output"),
            FutureLinks = Links(root, "future_links"),
            ProxyLinks = Links(root, "proxy_links"),
            Eta = Number(root, "eta"),
            GenerationTime = Number(root, "generationTime"),
            FetchResult = Text(root, "fetch_result"),
            Tip = Text(root, "tip"),
            WebhookStatus = Text(root, "webhook_status"),
            RetryAfter = Number(root, "retry_after") is { } seconds and >= 0 and <= MaxRetryAfterSeconds
                ? TimeSpan.FromSeconds(seconds)
                : null,
            Meta = root.TryGetProperty("meta", out var meta) && meta.ValueKind == JsonValueKind.Object ? meta.Clone() : null,
        };
    }

    private static ModelsLabStatus StatusOf(string? raw) => raw?.Trim().ToLowerInvariant() switch
    {
        "success" => ModelsLabStatus.Success,
        "processing" => ModelsLabStatus.Processing,
        "error" => ModelsLabStatus.Error,
        "failed" => ModelsLabStatus.Failed,
        _ => ModelsLabStatus.Unknown,
    };

    /// <summary><c>message</c> or the legacy <c>messege</c>; a string, a list, or a field → messages object.</summary>
    private static (string? Message, IReadOnlyDictionary<string, string[]> FieldErrors) ReadMessage(JsonElement root)
    {
        if (!root.TryGetProperty("message", out var value) && !root.TryGetProperty("messege", out value))
        {
            return (null, new Dictionary<string, string[]>());
        }

        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                var fields = new Dictionary<string, string[]>(StringComparer.Ordinal);
                foreach (var field in value.EnumerateObject())
                {
                    if (JsonText.Decoded(field) is { } name)
                    {
                        fields[name] = Strings(field.Value);
                    }
                }

                var joined = string.Join(" ", fields.Values.SelectMany(m => m));
                return (joined.Length > 0 ? joined : null, fields);
            case JsonValueKind.Array:
                return (string.Join(" ", Strings(value)), new Dictionary<string, string[]>());
            default:
                return (ScalarText(value), new Dictionary<string, string[]>());
        }
    }

    /// <summary>An array of strings, a single string, <c>""</c> (fetch while processing) or absent.</summary>
    private static IReadOnlyList<string> Links(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) ? Strings(value) : [];

    private static string[] Strings(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Array => value.EnumerateArray()
            .Select(ScalarText)
            .Where(s => !string.IsNullOrWhiteSpace(s))
            .Select(s => s!)
            .ToArray(),
        JsonValueKind.String when JsonText.Decoded(value) is { Length: > 0 } single && !string.IsNullOrWhiteSpace(single) => [single],
        _ => [],
    };

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? JsonText.Decoded(value) : null;

    /// <summary>A field that is a number in some bodies and a string in others (id, track_id).</summary>
    private static string? Scalar(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) ? ScalarText(value) : null;

    private static string? ScalarText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => JsonText.Decoded(value),
        JsonValueKind.Number => NumberText(value),
        _ => null,
    };

    /// <summary>32, 32.0 and 3.2e1 name the same id; anything else keeps its raw text.</summary>
    private static string NumberText(JsonElement value) =>
        value.TryGetDecimal(out var number) && number == decimal.Truncate(number)
            ? decimal.Truncate(number).ToString("0", CultureInfo.InvariantCulture)
            : value.GetRawText();

    private static double? Number(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.Number when value.TryGetDouble(out var number) && double.IsFinite(number) => number,
            JsonValueKind.String when double.TryParse(JsonText.Decoded(value), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed)
                && double.IsFinite(parsed) => parsed,
            _ => null,
        };
    }
}
