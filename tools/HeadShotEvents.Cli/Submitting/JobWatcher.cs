using System.Net;
using HeadShotEvents.Cli.Api;
using HeadShotEvents.Cli.Output;
using Spectre.Console;

namespace HeadShotEvents.Cli.Submitting;

/// <summary>
/// Follows one job by polling its status and timeline: Accepted, then Submitted with ModelsLab's
/// eta as a progress bar, then Completed or Failed. Live on a terminal; one line per step otherwise.
/// </summary>
public sealed class JobWatcher(HeadShotsClient client, Guid requestId)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(400);

    /// <summary>The last status seen: terminal, or not when <paramref name="timeout"/> ran out first.</summary>
    public async Task<JobStatus> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        Terminal.Interactive
            ? await WithProgressBarAsync(timeout, cancellationToken)
            : await WithLinesAsync(timeout, cancellationToken);

    private async Task<JobStatus> WithLinesAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var shown = Phase.Accepted;
        JobStatus status = null!;
        await foreach (var seen in ObserveAsync(timeout, cancellationToken))
        {
            status = seen.Status;
            if (shown < Phase.Submitted && seen.Submitted is not null)
            {
                shown = Phase.Submitted;
                Terminal.Line($"submitted modelsLabId={seen.Submitted?.ModelsLabId ?? status.ModelsLabId} eta={Seconds(seen.Submitted?.EtaSeconds)}");
            }
        }

        Terminal.Line(status.State switch
        {
            JobStates.Completed => $"completed outputs={status.Outputs.Count} delivery={status.Delivery}",
            JobStates.Failed => $"failed reason={status.FailureReason}",
            _ => $"waiting state={status.State}",
        });
        return status;
    }

    private async Task<JobStatus> WithProgressBarAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        JobStatus status = null!;
        await Terminal.Out.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async progress =>
            {
                var accepted = progress.AddTask("Accepted").IsIndeterminate();
                ProgressTask? generating = null;
                await foreach (var seen in ObserveAsync(timeout, cancellationToken))
                {
                    status = seen.Status;
                    if (seen.Phase >= Phase.Submitted)
                    {
                        accepted.IsIndeterminate(false).Value(accepted.MaxValue);
                        accepted.StopTask();
                        var eta = seen.Submitted?.EtaSeconds ?? 0;
                        generating ??= progress.AddTask($"Submitted (ModelsLab eta {Seconds(seen.Submitted?.EtaSeconds)})", maxValue: Math.Max(eta, 1));
                        var since = seen.Submitted?.At ?? status.SubmittedAt ?? DateTimeOffset.UtcNow;
                        // ModelsLab's eta is a guess: the bar stops short of the end until the job really settles.
                        generating.Value(Math.Min((DateTimeOffset.UtcNow - since).TotalSeconds, generating.MaxValue * 0.99));
                    }
                }

                accepted.StopTask();
                if (generating is not null && status.IsTerminal)
                {
                    generating.Value(generating.MaxValue);
                    generating.StopTask();
                }
            });

        Terminal.Out.MarkupLineInterpolated(status.State switch
        {
            JobStates.Completed => $"[green]Completed[/]: {status.Outputs.Count} output(s), delivered by {status.Delivery}",
            JobStates.Failed => $"[red]Failed[/]: {status.FailureReason}",
            _ => $"[yellow]Still {status.State}[/]",
        });
        return status;
    }

    private async IAsyncEnumerable<Observation> ObserveAsync(TimeSpan timeout, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (true)
        {
            var status = await client.GetAsync(requestId, cancellationToken);
            // The entry appears when the submitter claims the job ("head_shot is being sent"); it is
            // ModelsLab's answer (its id and eta) that makes the job Submitted for the user.
            var submitted = await SubmittedEntryAsync(cancellationToken) is { } entry && (entry.ModelsLabId is not null || status.State == "OutcomeUnknown")
                ? entry
                : null;
            var phase = status.IsTerminal ? Phase.Settled
                : status.State is "Processing" or "OutcomeUnknown" || submitted is not null ? Phase.Submitted
                : Phase.Accepted;
            yield return new Observation(status, submitted, phase);
            if (status.IsTerminal || DateTimeOffset.UtcNow >= deadline)
            {
                yield break;
            }

            await Task.Delay(PollInterval, cancellationToken);
        }
    }

    /// <summary>The timeline's Submitted entry (ModelsLab's id and eta), or null before it exists.</summary>
    private async Task<TimelineEntry?> SubmittedEntryAsync(CancellationToken cancellationToken)
    {
        try
        {
            return (await client.TimelineAsync(requestId, cancellationToken)).Submitted;
        }
        catch (ApiProblemException ex) when (ex.Status == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private static string Seconds(double? seconds) => seconds is { } s ? $"{s:0.#}s" : "unknown";

    private enum Phase
    {
        Accepted,
        Submitted,
        Settled,
    }

    private sealed record Observation(JobStatus Status, TimelineEntry? Submitted, Phase Phase);
}
