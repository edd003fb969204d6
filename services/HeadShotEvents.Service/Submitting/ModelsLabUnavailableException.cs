namespace HeadShotEvents.Service.Submitting;

/// <summary>ModelsLab did not take the request (unreachable, queue full, server error): sending again is safe.</summary>
public sealed class ModelsLabUnavailableException : Exception
{
    public ModelsLabUnavailableException(string message, Exception inner) : base(message, inner)
    {
    }

    public ModelsLabUnavailableException(string message, TimeSpan? retryAfter) : base(message) => RetryAfter = retryAfter;

    public TimeSpan? RetryAfter { get; }
}
