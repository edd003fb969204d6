using HeadShotEvents.ModelsLab.Wire;

namespace HeadShotEvents.ModelsLab;

/// <summary>
/// What one call to ModelsLab produced. ModelsLab puts errors both under HTTP 200 and under 4xx/5xx,
/// so <see cref="Response"/>'s status is what counts; <see cref="HttpStatus"/> is kept for retry
/// decisions and metrics.
/// </summary>
public sealed record ModelsLabAnswer(int HttpStatus, ModelsLabResponse Response, TimeSpan? RetryAfter)
{
    /// <summary>A 429 or 5xx that ModelsLab may answer differently later.</summary>
    public bool IsTransient => HttpStatus is 429 or >= 500;
}
