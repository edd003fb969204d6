using System.ComponentModel.DataAnnotations;

namespace HeadShotEvents.ModelsLab;

/// <summary>Where ModelsLab is and how to authenticate; section <c>ModelsLab</c>.</summary>
public sealed class ModelsLabOptions
{
    public const string Section = "ModelsLab";

    /// <summary>The API root, ending in <c>/api/v6/</c>. Point it at the simulator in tests and embedded mode.</summary>
    [Required]
    public Uri BaseUrl { get; set; } = new("https://modelslab.com/api/v6/");

    /// <summary>The account's API key. A secret: never logged, never on the bus. Only roles that call ModelsLab need it.</summary>
    [Required]
    public string ApiKey { get; set; } = "";

    /// <summary>
    /// How long one call may take. A head_shot that times out after sending has an unknown outcome
    /// and must not be re-sent blindly (DESIGN.md, guarantee 1).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How many of our jobs ModelsLab may hold queued at once for this key: 5, 10 or 15 by plan.
    /// The submitter waits below it instead of collecting 429s.
    /// </summary>
    [Range(1, 1000)]
    public int MaxQueuedJobs { get; set; } = 5;

    public override string ToString() => $"ModelsLab at {BaseUrl} (key hidden)";
}
