using System.Text.Json;

namespace HeadShotEvents.ModelsLab.Wire;

/// <summary>
/// One ModelsLab body (an immediate answer, a fetch answer or a webhook), normalised: every
/// spelling and type the API family is known to use arrives here in one shape.
/// </summary>
public sealed record ModelsLabResponse
{
    public ModelsLabStatus Status { get; init; }

    /// <summary>The status exactly as sent, for messages about unknown statuses.</summary>
    public string? RawStatus { get; init; }

    /// <summary>ModelsLab's id: an integer in real bodies, a string in the webhook page; kept as text.</summary>
    public string? Id { get; init; }

    /// <summary>The track_id echoed back: a number or a string depending on the source; kept as text.</summary>
    public string? TrackId { get; init; }

    /// <summary>The message (from <c>message</c> or the legacy <c>messege</c>); field errors joined when it was an object.</summary>
    public string? Message { get; init; }

    /// <summary>Laravel-style validation errors (<c>{"field": ["..."]}</c>), empty when the message was plain text.</summary>
    public IReadOnlyDictionary<string, string[]> FieldErrors { get; init; } = Empty;

    public IReadOnlyList<string> Output { get; init; } = [];
    public IReadOnlyList<string> FutureLinks { get; init; } = [];
    public IReadOnlyList<string> ProxyLinks { get; init; } = [];

    /// <summary>Seconds ModelsLab expects the work to take: an integer or a float.</summary>
    public double? Eta { get; init; }

    public double? GenerationTime { get; init; }
    public string? FetchResult { get; init; }
    public string? Tip { get; init; }
    public string? WebhookStatus { get; init; }

    /// <summary>From the body's <c>retry_after</c> (429 answers).</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>The <c>meta</c> object as sent (booleans as "yes"/"no", track_id as a string), detached from the parsed document.</summary>
    public JsonElement? Meta { get; init; }

    /// <summary>A result: success with images, or a failure. A success without images is not one yet.</summary>
    public bool IsTerminal => (Status is ModelsLabStatus.Success && !IsSuccessWithoutOutputs) || Status is ModelsLabStatus.Error or ModelsLabStatus.Failed;

    /// <summary>
    /// <c>success</c> with <c>output</c> empty, absent or only blanks: no usable result yet
    /// (ModelsLab's outputs can lag its status). Polled for, never published as a completion.
    /// </summary>
    public bool IsSuccessWithoutOutputs => Status == ModelsLabStatus.Success && Output.Count == 0;

    private static readonly IReadOnlyDictionary<string, string[]> Empty = new Dictionary<string, string[]>();
}
