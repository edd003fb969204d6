namespace HeadShotEvents.Simulator;

/// <summary>
/// The ways the real API is inconsistent or unreliable, each switchable at run time
/// (section "Simulator:Faults", or <c>PUT /simulator/admin/faults</c>). The defaults are a
/// well-behaved ModelsLab. A job keeps the faults that were in force when it was submitted,
/// so replacing them never changes a job half way.
/// </summary>
public sealed record SimulatorFaults
{
    /// <summary>Answer errors with HTTP 200 and <c>"status":"error"</c>, as the OpenAPI declares, instead of 4xx.</summary>
    public bool ErrorsAsHttp200 { get; init; }

    /// <summary>A validation failure's <c>message</c>: one string, or Laravel's field → messages object.</summary>
    public ValidationErrorStyle ValidationErrorStyle { get; init; } = ValidationErrorStyle.String;

    /// <summary>
    /// The schema bounds guidance_scale to 1–5, yet the page's own example sends 7.5 and the
    /// captured Success answer echoes 7.5. Strict by default (the schema is the contract we code
    /// against); lenient widens the bound to 1–20, the range the rest of the v6 API documents.
    /// </summary>
    public bool LenientGuidanceScale { get; init; }

    /// <summary>Write <c>eta</c> as a float (2.75) instead of an integer.</summary>
    public bool EtaAsFloat { get; init; }

    /// <summary>Share (0..1) of submissions answered <c>success</c> at once instead of <c>processing</c>.</summary>
    public double ImmediateSuccessShare { get; init; }

    /// <summary>Share (0..1) of generations that fail.</summary>
    public double FailGenerationShare { get; init; }

    /// <summary>The status a failed generation reports.</summary>
    public FailureStatus FailureStatus { get; init; } = FailureStatus.Failed;

    /// <summary>The field a failure's text goes in: <c>message</c>, or the legacy misspelling <c>messege</c>.</summary>
    public MessageField MessageField { get; init; } = MessageField.Message;

    /// <summary>How the webhook writes <c>track_id</c>.</summary>
    public TrackIdFormat TrackIdAs { get; init; } = TrackIdFormat.String;

    /// <summary>POST a <c>processing</c> webhook first, as older API versions did.</summary>
    public bool SendProcessingWebhook { get; init; }

    /// <summary>Share (0..1) of jobs whose webhooks are never sent.</summary>
    public double DropWebhookShare { get; init; }

    /// <summary>Share (0..1) of jobs whose terminal webhook is sent twice.</summary>
    public double DuplicateWebhookShare { get; init; }

    /// <summary>Extra wait before each webhook is sent.</summary>
    public TimeSpan WebhookDelay { get; init; }

    /// <summary>
    /// Extra wait before head_shot answers, AFTER the job was accepted: a client that times out
    /// meanwhile has a job queued (and paid) that it never heard about.
    /// </summary>
    public TimeSpan AnswerDelay { get; init; }

    /// <summary>Errors by field name, empty when the settings are usable.</summary>
    public IReadOnlyDictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, string[]>();
        CheckShare(nameof(ImmediateSuccessShare), ImmediateSuccessShare);
        CheckShare(nameof(FailGenerationShare), FailGenerationShare);
        CheckShare(nameof(DropWebhookShare), DropWebhookShare);
        CheckShare(nameof(DuplicateWebhookShare), DuplicateWebhookShare);
        CheckDefined(nameof(ValidationErrorStyle), ValidationErrorStyle);
        CheckDefined(nameof(FailureStatus), FailureStatus);
        CheckDefined(nameof(MessageField), MessageField);
        CheckDefined(nameof(TrackIdAs), TrackIdAs);
        if (WebhookDelay < TimeSpan.Zero)
            errors[nameof(WebhookDelay)] = ["Must not be negative."];
        if (AnswerDelay < TimeSpan.Zero)
            errors[nameof(AnswerDelay)] = ["Must not be negative."];
        return errors;

        void CheckShare(string name, double share)
        {
            // Written so that NaN fails too.
            if (!(share >= 0 && share <= 1))
                errors[name] = ["Must be a share between 0 and 1."];
        }

        void CheckDefined<TEnum>(string name, TEnum value) where TEnum : struct, Enum
        {
            if (!Enum.IsDefined(value))
                errors[name] = [$"Must be one of: {string.Join(", ", Enum.GetNames<TEnum>())}."];
        }
    }
}

public enum ValidationErrorStyle
{
    /// <summary><c>"message":"The prompt field is required."</c></summary>
    String,

    /// <summary><c>"message":{"prompt":["The prompt field is required."]}</c></summary>
    Fields,
}

public enum FailureStatus
{
    Failed,
    Error,
}

public enum MessageField
{
    Message,

    /// <summary>The misspelling some ModelsLab endpoints use.</summary>
    Messege,
}

public enum TrackIdFormat
{
    String,
    Number,
}
