using System.Text.Json;
using HeadShotEvents.UrlSafety;
using HeadShotEvents.ModelsLab.Wire;

namespace HeadShotEvents.Service.Callbacks;

/// <summary>A callback body read and checked: either a callback the receiver may act on, or the answer that refuses it.</summary>
public abstract record CallbackReading
{
    public sealed record Accepted(ModelsLabResponse Callback) : CallbackReading;
    public sealed record Rejected(CallbackOutcome Outcome) : CallbackReading;
}

/// <summary>Bytes to a callback: JSON syntax and depth, the shape of known fields, then limits and URL rules.</summary>
public static class CallbackReader
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = ModelsLabResponseParser.MaxDepth };

    /// <summary>Never throws for any input: a hostile body gets an answer, not a 500.</summary>
    public static CallbackReading Read(ReadOnlyMemory<byte> body, ImageUrlRules outputRules, int maxOutputs)
    {
        // JsonDocument checks UTF-8 only when a string is read, by throwing: check it first.
        if (!System.Text.Unicode.Utf8.IsValid(body.Span))
        {
            return new CallbackReading.Rejected(CallbackOutcome.Rejected(400, "malformed", "Malformed callback", "The body is not valid UTF-8."));
        }

        string? shapeError;
        try
        {
            using var document = JsonDocument.Parse(body, DocumentOptions);
            if (CallbackValidator.HoldsUndecodableText(document.RootElement))
            {
                return new CallbackReading.Rejected(CallbackOutcome.Rejected(400, "malformed", "Malformed callback",
                    "The body holds a string that is not Unicode text (a lone surrogate escape such as \\ud800)."));
            }

            shapeError = document.RootElement.ValueKind == JsonValueKind.Object ? CallbackValidator.CheckShape(document.RootElement) : null;
        }
        catch (JsonException)
        {
            // The parser below says what is wrong, in its own words.
            shapeError = null;
        }

        if (!ModelsLabResponseParser.TryParse(body, out var callback, out var parseError))
        {
            return new CallbackReading.Rejected(CallbackOutcome.Rejected(400, "malformed", "Malformed callback", parseError));
        }

        if (shapeError is not null)
        {
            return new CallbackReading.Rejected(CallbackOutcome.Rejected(422, "wrong-type", "Unexpected callback field", shapeError));
        }

        return CallbackValidator.CheckContent(callback, outputRules, maxOutputs) is { } rejected
            ? new CallbackReading.Rejected(rejected)
            // Published as a downloader will read them, never as written (fullwidth dots, IDN hosts).
            : new CallbackReading.Accepted(callback with { Output = [.. callback.Output.Select(ImageUrl.Normalised)] });
    }
}
