using System.Globalization;
using HeadShotEvents.Contracts;

namespace HeadShotEvents.ModelsLab.Validation;

/// <summary>
/// Checks a request against ModelsLab's published head_shot schema, so that a request ModelsLab
/// would refuse is never sent (nor paid for). One clear message per bad field, keyed by
/// ModelsLab's field name.
/// </summary>
public static class HeadShotRequestValidator
{
    public const int MaxWidth = 512;
    public const int MaxHeight = 768;
    public const int MaxSamples = 2;
    public static readonly IReadOnlyList<int> InferenceSteps = [21, 31, 41];
    public static readonly IReadOnlyList<string> SafetyCheckerTypes = ["black", "blur", "sensitive_content_text", "pixelate"];

    /// <summary>Empty when the request may be sent.</summary>
    public static IReadOnlyDictionary<string, string[]> Validate(HeadShotRequested request)
    {
        var errors = new FieldErrors();

        if (request.RequestId == Guid.Empty)
        {
            errors.Add("request_id", "request_id must be a non-empty GUID chosen by the publisher.");
        }

        if (string.IsNullOrWhiteSpace(request.Prompt))
        {
            errors.Add("prompt", "prompt is required.");
        }

        if (FaceImage.Check(request.FaceImage) is { } faceImageError)
        {
            errors.Add("face_image", faceImageError);
        }

        if (request.Width is { } width && width is < 1 or > MaxWidth)
        {
            errors.Add("width", $"width must be from 1 to {MaxWidth} pixels; got {width}.");
        }

        if (request.Height is { } height && height is < 1 or > MaxHeight)
        {
            errors.Add("height", $"height must be from 1 to {MaxHeight} pixels; got {height}.");
        }

        if (request.Samples is { } samples && samples is < 1 or > MaxSamples)
        {
            errors.Add("samples", $"samples must be 1 or {MaxSamples}; got {samples}.");
        }

        if (request.NumInferenceSteps is { } steps && !InferenceSteps.Contains(steps))
        {
            errors.Add("num_inference_steps", $"num_inference_steps must be one of {string.Join(", ", InferenceSteps)}; got {steps}.");
        }

        // The schema says integer 1..5; the documentation's own example (7.5) breaks it. Following
        // the schema is the only reading that cannot be refused, so 7.5 and 2.5 are both rejected.
        if (request.GuidanceScale is { } guidance
            && (!double.IsFinite(guidance) || guidance != Math.Floor(guidance) || guidance is < 1 or > 5))
        {
            errors.Add("guidance_scale", $"guidance_scale must be a whole number from 1 to 5 (ModelsLab's schema); got {Show(guidance)}.");
        }

        if (request.SScale is { } sScale && (!double.IsFinite(sScale) || sScale is < 0 or > 2))
        {
            errors.Add("s_scale", $"s_scale must be from 0 to 2; got {Show(sScale)}.");
        }

        if (request.SafetyCheckerType is { } checkerType && !SafetyCheckerTypes.Contains(checkerType))
        {
            errors.Add("safety_checker_type", $"safety_checker_type must be one of {string.Join(", ", SafetyCheckerTypes)}; got '{checkerType}'.");
        }

        if (request.Seed is < 0)
        {
            errors.Add("seed", $"seed must not be negative; got {request.Seed}.");
        }

        return errors.ToDictionary();
    }

    private static string Show(double value) => value.ToString(CultureInfo.InvariantCulture);

    private sealed class FieldErrors
    {
        private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

        public void Add(string field, string message)
        {
            if (!_errors.TryGetValue(field, out var messages))
            {
                _errors[field] = messages = [];
            }

            messages.Add(message);
        }

        public IReadOnlyDictionary<string, string[]> ToDictionary() =>
            _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
    }
}
