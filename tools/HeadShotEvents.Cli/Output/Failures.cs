using System.Net;
using HeadShotEvents.Cli.Api;
using Spectre.Console.Cli;

namespace HeadShotEvents.Cli.Output;

/// <summary>A refusal made here, before anything was sent: bad arguments or a request the validator rejects.</summary>
public sealed class UsageException(string message, IReadOnlyDictionary<string, string[]>? fieldErrors = null) : Exception(message)
{
    public IReadOnlyDictionary<string, string[]> FieldErrors { get; } = fieldErrors ?? new Dictionary<string, string[]>();
}

/// <summary>Every error ends here: one clear message on stderr and its exit code (<see cref="ExitCodes"/>).</summary>
public static class Failures
{
    public static int Report(Exception exception)
    {
        switch (exception)
        {
            case UsageException usage:
                Terminal.Error($"error: {usage.Message}");
                Fields(usage.FieldErrors);
                return ExitCodes.Usage;
            case CommandAppException usage:
                Terminal.Error($"error: {usage.Message}");
                return ExitCodes.Usage;
            case ApiProblemException problem:
                Terminal.Error($"error: the service answered {(int)problem.Status} {problem.Title}" + (problem.Detail is { Length: > 0 } detail ? $": {detail}" : ""));
                Fields(problem.Errors);
                if (problem.Status == HttpStatusCode.Unauthorized)
                {
                    Terminal.Error($"hint: pass the service's Api:Key with --api-key or ${ApiSettings.ApiKeyVariable}.");
                }

                return ExitCodes.ServiceRefused;
            case ServiceUnreachableException unreachable:
                Terminal.Error($"error: {unreachable.Message}");
                Terminal.Error($"hint: check --url or ${ApiSettings.UrlVariable}, and that the service is running.");
                return ExitCodes.Unreachable;
            case OperationCanceledException:
                Terminal.Error("cancelled");
                return ExitCodes.StillRunning;
            default:
                Terminal.Error($"error: {exception.GetType().Name}: {exception.Message}");
                return ExitCodes.ServiceRefused;
        }
    }

    private static void Fields(IReadOnlyDictionary<string, string[]> errors)
    {
        foreach (var (field, messages) in errors.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            foreach (var message in messages)
            {
                Terminal.Error($"  {field}: {message}");
            }
        }
    }
}
