using System.Text.Json;
using HeadShotEvents.UrlSafety;
using HeadShotEvents.ModelsLab.Wire;

namespace HeadShotEvents.Service.Callbacks;

/// <summary>
/// What a callback body may contain before anything in it is believed. The wire parser is
/// tolerant on purpose (ModelsLab varies); these checks stop the tolerance at the receiver, where
/// a body becomes an event other services trust.
/// </summary>
public static class CallbackValidator
{
    /// <summary>Matches the job store's column for ModelsLab's id.</summary>
    public const int MaxIdLength = 128;
    public const int MaxTrackIdLength = 20;
    public const int MaxStatusLength = 32;
    public const int MaxMessageLength = 1024;
    public const int MaxFieldErrors = 32;
    public const int MaxFieldNameLength = 64;

    private static readonly string[] Scalars = ["id", "track_id"];
    private static readonly string[] Numbers = ["eta", "generationTime", "retry_after"];
    private static readonly string[] LinkLists = ["output", "future_links", "proxy_links"];
    private static readonly string[] Texts = ["status", "fetch_result", "tip", "webhook_status"];

    /// <summary>
    /// Null when every known field has one of the types ModelsLab is known to send, and none is
    /// given twice (two parsers could each believe a different copy).
    /// </summary>
    public static string? CheckShape(JsonElement root)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in root.EnumerateObject())
        {
            if (!seen.Add(property.Name))
            {
                return $"The field '{Printable(property.Name)}' is given more than once.";
            }

            var value = property.Value;
            var kind = value.ValueKind;
            var name = property.Name;
            var acceptable = kind == JsonValueKind.Null || name switch
            {
                _ when Scalars.Contains(name) => kind is JsonValueKind.String or JsonValueKind.Number,
                _ when Numbers.Contains(name) => kind is JsonValueKind.Number or JsonValueKind.String,
                _ when Texts.Contains(name) => kind is JsonValueKind.String,
                _ when LinkLists.Contains(name) => kind is JsonValueKind.String
                    || (kind is JsonValueKind.Array && value.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String)),
                "message" or "messege" => kind is JsonValueKind.String
                    || (kind is JsonValueKind.Array && value.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String))
                    || (kind is JsonValueKind.Object && value.EnumerateObject().All(f => f.Value.ValueKind is JsonValueKind.String
                        || (f.Value.ValueKind is JsonValueKind.Array && f.Value.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String)))),
                "meta" => kind is JsonValueKind.Object,
                _ => true,
            };
            if (!acceptable)
            {
                return $"The field '{name}' has an unexpected type ({kind}).";
            }
        }

        return null;
    }

    /// <summary>Null when the parsed callback is within every limit and its output URLs are safe to publish.</summary>
    public static CallbackOutcome? CheckContent(ModelsLabResponse callback, ImageUrlRules outputRules, int maxOutputs)
    {
        var tooLong = callback switch
        {
            { Id.Length: > MaxIdLength } => "id",
            { TrackId.Length: > MaxTrackIdLength } => "track_id",
            { RawStatus.Length: > MaxStatusLength } => "status",
            { Message.Length: > MaxMessageLength } => "message",
            _ when callback.FieldErrors.Count > MaxFieldErrors
                || callback.FieldErrors.Any(f => f.Key.Length > MaxFieldNameLength || f.Value.Length > 8 || f.Value.Any(m => m.Length > MaxMessageLength)) => "message",
            _ => null,
        };
        if (tooLong is not null)
        {
            return CallbackOutcome.Rejected(422, "field-too-long", "Callback field too long", $"The callback's '{tooLong}' is longer than allowed.");
        }

        if (callback.Output.Count > maxOutputs)
        {
            return CallbackOutcome.Rejected(422, "too-many-outputs", "Too many outputs",
                $"The callback lists {callback.Output.Count} output URLs; at most {maxOutputs} are accepted.");
        }

        for (var index = 0; index < callback.Output.Count; index++)
        {
            if (ImageUrl.Check(callback.Output[index], outputRules) is { } why)
            {
                // The reason names the rule, never echoes the URL: the answer goes back to whoever sent it.
                return CallbackOutcome.Rejected(422, "unsafe-output-url", "Unacceptable output URL", $"Output {index}: {why}");
            }
        }

        return null;
    }

    /// <summary>
    /// True when a name or string anywhere in the body is an escape that names no Unicode text
    /// (<c>"\ud800"</c>): valid JSON, but nothing a real callback sends, and .NET throws reading it.
    /// Refused whole, so that no check below and no stored copy (meta) ever meets one.
    /// </summary>
    public static bool HoldsUndecodableText(JsonElement value)
    {
        try
        {
            switch (value.ValueKind)
            {
                case JsonValueKind.String:
                    _ = value.GetString();
                    return false;
                case JsonValueKind.Array:
                    return value.EnumerateArray().Any(HoldsUndecodableText);
                case JsonValueKind.Object:
                    foreach (var property in value.EnumerateObject())
                    {
                        // Reading the name is the check: it throws for an undecodable one.
                        if (property.Name is null || HoldsUndecodableText(property.Value))
                        {
                            return true;
                        }
                    }

                    return false;
                default:
                    return false;
            }
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }

    private static string Printable(string name) =>
        name.Length <= MaxFieldNameLength && name.All(c => !char.IsControl(c)) ? name : "(unprintable)";
}
