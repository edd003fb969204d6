namespace HeadShotEvents.Cli;

/// <summary>What a script can tell from <c>$?</c> (README "The CLI").</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary><c>submit --wait</c>: the job ended Failed.</summary>
    public const int JobFailed = 1;

    /// <summary>Bad arguments, or a request the validator refuses: nothing was sent.</summary>
    public const int Usage = 2;

    /// <summary>The service answered with an error (ProblemDetails): wrong key, unknown id, not terminal, ...</summary>
    public const int ServiceRefused = 3;

    /// <summary>No answer at all: wrong URL, service down, timeout. Worth retrying later.</summary>
    public const int Unreachable = 4;

    /// <summary><c>submit --wait</c>: the job was still not settled when <c>--timeout</c> ran out.</summary>
    public const int StillRunning = 5;
}
