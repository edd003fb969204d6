using System.Text.RegularExpressions;
using HeadShotEvents.Contracts;
using HeadShotEvents.Service.Jobs;
using HeadShotEvents.Service.Outcomes;
using HeadShotEvents.Service.Telemetry;
using HeadShotEvents.Service.Timeline;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace HeadShotEvents.Service.JobLog;

/// <summary>What a replay did: the event sent again, under its original MessageId.</summary>
public sealed record ReplayAnswer(Guid RequestId, Guid MessageId, string Event, string? Queue);

/// <summary>Why a replay did not happen.</summary>
public enum ReplayRefusal
{
    UnknownRequest,
    NotTerminal,
}

/// <summary>
/// Sends a job's terminal event again, for a subscriber that lost it: to every subscriber (publish)
/// or to one queue (send), with the original MessageId (so a subscriber that already has it can
/// drop it) and the header <see cref="Header"/>. Audited in the job's timeline before the caller is answered.
/// </summary>
public sealed partial class JobReplay(JobsDbContext db, IBus bus, TimelineStore timeline, TimeProvider time)
{
    public const string Header = "HeadShotEvents-Replay";
    public const string ReplayActivity = "headshot.replay";

    /// <summary>What RabbitMQ accepts as a queue name and MassTransit as a <c>queue:</c> address, minus the server's own <c>amq.</c> names.</summary>
    public static string? QueueNameProblem(string queue) =>
        queue.Length is 0 or > 255 || !QueueName().IsMatch(queue)
            ? "A queue name has 1 to 255 of the characters A-Z, a-z, 0-9, '-', '_', '.' and ':'."
            : queue.StartsWith("amq.", StringComparison.OrdinalIgnoreCase)
                ? "Queue names starting with 'amq.' are the broker's own."
                : null;

    public async Task<(ReplayAnswer? Answer, ReplayRefusal? Refusal)> ReplayAsync(Guid requestId, string? queue, CancellationToken cancellationToken)
    {
        var job = await db.Jobs.AsNoTracking().SingleOrDefaultAsync(j => j.RequestId == requestId, cancellationToken);
        if (job is null)
        {
            return (null, ReplayRefusal.UnknownRequest);
        }

        if (!job.State.IsTerminal())
        {
            return (null, ReplayRefusal.NotTerminal);
        }

        using var span = HeadShotTelemetry.Continue(ReplayActivity, job);
        var messageId = EventIds.Terminal(job.RequestId);
        var message = TerminalEvents.From(job);
        switch (message)
        {
            case HeadShotCompleted completed:
                await SendAsync(completed, messageId, queue, cancellationToken);
                break;
            case HeadShotFailed failed:
                await SendAsync(failed, messageId, queue, cancellationToken);
                break;
        }

        // After the broker confirmed it, before the answer: the audit says what did happen.
        var entry = new TimelineRecord(job.TrackId, time.GetUtcNow().UtcDateTime, TimelineKind.Replayed,
            detail: message.GetType().Name, messageId: messageId, queue: queue);
        var lost = await timeline.AppendAsync([entry], CancellationToken.None);
        if (lost.Count > 0)
        {
            await timeline.AppendAsync(lost, CancellationToken.None);
        }

        return (new ReplayAnswer(job.RequestId, messageId, message.GetType().Name, queue), null);
    }

    private async Task SendAsync<T>(T message, Guid messageId, string? queue, CancellationToken cancellationToken) where T : class
    {
        void Mark(SendContext<T> context)
        {
            context.MessageId = messageId;
            context.Headers.Set(Header, "true");
        }

        if (queue is null)
        {
            await bus.Publish(message, (PublishContext<T> context) => Mark(context), cancellationToken);
            return;
        }

        var endpoint = await bus.GetSendEndpoint(new Uri($"queue:{queue}"));
        await endpoint.Send(message, Mark, cancellationToken);
    }

    [GeneratedRegex("^[A-Za-z0-9_.:-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex QueueName();
}
