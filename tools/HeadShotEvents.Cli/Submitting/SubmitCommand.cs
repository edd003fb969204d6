using System.Globalization;
using HeadShotEvents.Cli.Api;
using HeadShotEvents.Cli.Output;
using HeadShotEvents.Contracts;
using HeadShotEvents.ModelsLab.Validation;
using Spectre.Console;
using Spectre.Console.Cli;

namespace HeadShotEvents.Cli.Submitting;

/// <summary>
/// <c>headshots submit PROMPT --face F [options] [--wait --out DIR]</c>: validated here with the
/// service's own validator (nothing is sent when it refuses), POSTed to /headshots, and with
/// <c>--wait</c> followed to its end and its outputs saved.
/// </summary>
public sealed class SubmitCommand : AsyncCommand<SubmitSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, SubmitSettings settings, CancellationToken cancellationToken)
    {
        var request = ToRequest(settings);
        var errors = HeadShotRequestValidator.Validate(request);
        if (errors.Count > 0)
        {
            throw new UsageException("the request breaks ModelsLab's schema; nothing was sent.", InFlagNames(errors));
        }

        using var client = settings.CreateClient();
        var accepted = await client.SubmitAsync(request, cancellationToken);
        if (Terminal.Interactive)
        {
            Terminal.Out.MarkupLineInterpolated($"[green]Accepted[/] {accepted.RequestId} ({accepted.State})");
        }
        else
        {
            Terminal.Line($"accepted requestId={accepted.RequestId} state={accepted.State}");
        }

        if (!settings.Wait)
        {
            return ExitCodes.Ok;
        }

        var final = await new JobWatcher(client, accepted.RequestId).WaitAsync(TimeSpan.FromSeconds(settings.Timeout), cancellationToken);
        if (!final.IsTerminal)
        {
            Terminal.Error($"error: still {final.State} after {settings.Timeout} s; follow it with: headshots status {final.RequestId}");
            return ExitCodes.StillRunning;
        }

        if (final.State == JobStates.Failed)
        {
            Terminal.Error($"failed: {final.FailureReason}: {final.FailureMessage}");
            foreach (var (field, messages) in final.FieldErrors ?? new Dictionary<string, string[]>())
            {
                Terminal.Error($"  {field}: {string.Join(" ", messages)}");
            }

            return ExitCodes.JobFailed;
        }

        var files = await OutputDownloader.DownloadAsync(final, settings.Out, cancellationToken);
        foreach (var file in files)
        {
            if (Terminal.Interactive)
            {
                Terminal.Out.MarkupLineInterpolated($"Saved [link]{file}[/]");
            }
            else
            {
                Terminal.Line($"downloaded {file}");
            }
        }

        return ExitCodes.Ok;
    }

    internal static HeadShotRequested ToRequest(SubmitSettings settings) => new()
    {
        RequestId = settings.RequestId ?? Guid.NewGuid(),
        Prompt = settings.Prompt,
        FaceImage = FaceImageInput.Resolve(settings.Face),
        NegativePrompt = settings.NegativePrompt,
        Width = settings.Width,
        Height = settings.Height,
        Samples = settings.Samples,
        NumInferenceSteps = settings.NumInferenceSteps,
        GuidanceScale = settings.GuidanceScale,
        SScale = settings.SScale,
        SafetyChecker = settings.SafetyChecker,
        SafetyCheckerType = settings.SafetyCheckerType,
        Base64 = settings.Base64,
        Seed = settings.Seed,
        Metadata = settings.Metadata.Length == 0 ? null : KeyValues.Parse(settings.Metadata, "--metadata"),
    };

    /// <summary>The validator speaks ModelsLab's names (<c>guidance_scale</c>); the user typed <c>--guidance-scale</c>.</summary>
    private static Dictionary<string, string[]> InFlagNames(IReadOnlyDictionary<string, string[]> errors) =>
        errors.ToDictionary(
            e => Flag(e.Key),
            e => e.Value.Select(message => message.Replace(e.Key, Flag(e.Key), StringComparison.Ordinal)).ToArray());

    private static string Flag(string field) => field switch
    {
        "prompt" => "PROMPT",
        "face_image" => "--face",
        _ => "--" + field.Replace('_', '-'),
    };
}

/// <summary><c>key=value</c> options (<c>--metadata</c>), refused clearly when malformed.</summary>
public static class KeyValues
{
    public static Dictionary<string, string> Parse(IEnumerable<string> pairs, string option)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new UsageException($"{option} must be KEY=VALUE; got '{pair}'.");
            }

            result[pair[..equals]] = pair[(equals + 1)..];
        }

        return result;
    }

    public static DateTimeOffset? Instant(string? text, string option) =>
        text is null ? null
        : DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value) ? value
        : throw new UsageException($"{option} must be a date and time (ISO 8601, e.g. 2026-11-25T16:00:00Z); got '{text}'.");
}
