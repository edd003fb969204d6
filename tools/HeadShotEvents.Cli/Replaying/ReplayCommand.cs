using System.ComponentModel;
using HeadShotEvents.Cli.Api;
using HeadShotEvents.Cli.Output;
using Spectre.Console;
using Spectre.Console.Cli;

namespace HeadShotEvents.Cli.Replaying;

public sealed class ReplaySettings : ApiSettings
{
    [CommandArgument(0, "<REQUEST_ID>")]
    public Guid RequestId { get; init; }

    [CommandOption("-q|--queue <QUEUE>")]
    [Description("Send to this one subscriber's queue only (default: publish to every subscriber)")]
    public string? Queue { get; init; }
}

/// <summary><c>headshots replay ID [--queue Q]</c>: the job's terminal event again, same MessageId.</summary>
public sealed class ReplayCommand : AsyncCommand<ReplaySettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, ReplaySettings settings, CancellationToken cancellationToken)
    {
        using var client = settings.CreateClient();
        var replay = await client.ReplayAsync(settings.RequestId, string.IsNullOrEmpty(settings.Queue) ? null : settings.Queue, cancellationToken);
        var to = replay.Queue is { } queue ? $"queue {queue}" : "every subscriber";
        if (Terminal.Interactive)
        {
            Terminal.Out.MarkupLineInterpolated($"[green]Replayed[/] {replay.Event} (MessageId {replay.MessageId}) to {to}");
        }
        else
        {
            Terminal.Line($"replayed requestId={replay.RequestId} event={replay.Event} messageId={replay.MessageId} queue={replay.Queue ?? "*"}");
        }

        return ExitCodes.Ok;
    }
}
