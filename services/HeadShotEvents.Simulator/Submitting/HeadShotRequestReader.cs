using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using HeadShotEvents.Simulator.Jobs;
using HeadShotEvents.Simulator.Wire;

namespace HeadShotEvents.Simulator.Submitting;

/// <summary>
/// Validates a head_shot body against the OpenAPI limits, with the messages of ModelsLab's
/// Laravel validator ("The prompt field is required."). Numbers may come as JSON numbers or as
/// numeric strings: the documentation's own example sends "512" and "21", and the service takes them.
/// </summary>
internal sealed class HeadShotRequestReader
{
    // The schema gives no defaults for these; the simulator fills in the documentation example's values.
    private const int DefaultSize = 512;
    private const double DefaultGuidanceScale = 5;
    private static readonly long[] InferenceSteps = [21, 31, 41];
    private static readonly string[] SafetyCheckerTypes = ["black", "blur", "sensitive_content_text", "pixelate"];

    private readonly JsonObject _body;
    private readonly List<(string Field, string Message)> _errors = [];

    private HeadShotRequestReader(JsonObject body) => _body = body;

    /// <summary>The request, or null with every error in field order.</summary>
    public static HeadShotRequest? Read(JsonObject body, SimulatorFaults faults, out IReadOnlyList<(string Field, string Message)> errors)
    {
        var reader = new HeadShotRequestReader(body);
        var prompt = reader.Text("prompt", required: true);
        var negativePrompt = reader.Text("negative_prompt", required: false);
        var faceImage = reader.Text("face_image", required: true);
        var width = reader.Integer("width", DefaultSize, min: 1, max: 512);
        var height = reader.Integer("height", DefaultSize, min: 1, max: 768);
        var samples = reader.Integer("samples", 1, min: 1, max: 2);
        var steps = reader.IntegerOneOf("num_inference_steps", InferenceSteps);
        var guidanceScale = reader.Number("guidance_scale", DefaultGuidanceScale, min: 1, max: faults.LenientGuidanceScale ? 20 : 5);
        var sScale = reader.Number("s_scale", 1, min: 0, max: 2);
        var safetyChecker = reader.Flag("safety_checker");
        var safetyCheckerType = reader.TextOneOf("safety_checker_type", SafetyCheckerTypes);
        var base64 = reader.Flag("base64");
        var seed = reader.OptionalInteger("seed", min: 0, max: uint.MaxValue);
        var webhook = reader.Url("webhook");
        var trackId = reader.OptionalInteger("track_id", min: long.MinValue, max: long.MaxValue);

        errors = reader._errors;
        return errors.Count > 0 ? null : new HeadShotRequest(
            prompt!, negativePrompt, faceImage!, (int)width, (int)height, (int)samples, (int)steps, guidanceScale, sScale,
            safetyChecker, safetyCheckerType, base64, seed, webhook, trackId);
    }

    private string? Text(string field, bool required)
    {
        if (Value(field) is not { } value)
        {
            if (required)
                Fail(field, "The {0} field is required.");
            return null;
        }
        if (value.GetValueKind() == JsonValueKind.String)
            return value.GetValue<string>();
        Fail(field, "The {0} must be a string.");
        return null;
    }

    private string TextOneOf(string field, string[] allowed)
    {
        var text = Text(field, required: false);
        if (text is null)
            return allowed[0];
        if (allowed.Contains(text, StringComparer.Ordinal))
            return text;
        Fail(field, "The selected {0} is invalid.");
        return allowed[0];
    }

    private long Integer(string field, long fallback, long min, long max) => OptionalInteger(field, min, max) ?? fallback;

    private long IntegerOneOf(string field, long[] allowed)
    {
        var number = OptionalInteger(field, long.MinValue, long.MaxValue) ?? allowed[0];
        if (allowed.Contains(number))
            return number;
        Fail(field, "The selected {0} is invalid.");
        return allowed[0];
    }

    private long? OptionalInteger(string field, long min, long max)
    {
        if (Value(field) is not { } value)
            return null;
        var number = value.GetValueKind() switch
        {
            JsonValueKind.Number when value.AsValue().TryGetValue<long>(out var parsed) => parsed,
            JsonValueKind.String when long.TryParse(value.GetValue<string>(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) => parsed,
            _ => (long?)null,
        };
        if (number is null)
            Fail(field, "The {0} must be an integer.");
        else if (number < min)
            Fail(field, $"The {{0}} must be at least {min}.");
        else if (number > max)
            Fail(field, $"The {{0}} may not be greater than {max}.");
        else
            return number;
        return null;
    }

    private double Number(string field, double fallback, double min, double max)
    {
        if (Value(field) is not { } value)
            return fallback;
        var number = value.GetValueKind() switch
        {
            JsonValueKind.Number when value.AsValue().TryGetValue<double>(out var parsed) => parsed,
            JsonValueKind.String when double.TryParse(value.GetValue<string>(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed)
                && double.IsFinite(parsed) => parsed,
            _ => (double?)null,
        };
        if (number is null)
            Fail(field, "The {0} must be a number.");
        else if (number < min || number > max)
            Fail(field, string.Create(CultureInfo.InvariantCulture, $"The {{0}} must be between {min} and {max}."));
        else
            return number.Value;
        return fallback;
    }

    /// <summary>Laravel's boolean rule (true, false, 1, 0, "1", "0"), plus the "yes"/"no" ModelsLab itself echoes.</summary>
    private bool Flag(string field)
    {
        if (Value(field) is not { } value)
            return false;
        switch (value.GetValueKind())
        {
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
            case JsonValueKind.Number or JsonValueKind.String:
                switch (JsonBody.ScalarText(value)?.ToLowerInvariant())
                {
                    case "1" or "true" or "yes":
                        return true;
                    case "0" or "false" or "no":
                        return false;
                }
                break;
        }
        Fail(field, "The {0} field must be true or false.");
        return false;
    }

    private Uri? Url(string field)
    {
        var text = Text(field, required: false);
        if (text is null)
            return null;
        if (WebAddress.IsHttp(text))
            return new Uri(text, UriKind.Absolute);
        Fail(field, "The {0} format is invalid.");
        return null;
    }

    /// <summary>
    /// The field's value; null when absent, JSON null or "" (Laravel turns empty strings into
    /// null, and the documentation's example sends null for seed, webhook and track_id).
    /// </summary>
    private JsonNode? Value(string field) =>
        _body[field] is { } value && !(value.GetValueKind() == JsonValueKind.String && value.GetValue<string>().Length == 0)
            ? value
            : null;

    private void Fail(string field, string template) =>
        _errors.Add((field, string.Format(CultureInfo.InvariantCulture, template, field.Replace('_', ' '))));
}
