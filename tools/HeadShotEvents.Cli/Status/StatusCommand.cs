using System.ComponentModel;
using System.Net;
using System.Text.Json;
using HeadShotEvents.Cli.Api;
using HeadShotEvents.Cli.Output;
using Spectre.Console;
using Spectre.Console.Cli;

namespace HeadShotEvents.Cli.Status;

public sealed class StatusSettings : ApiSettings
{
    [CommandArgument(0, "<REQUEST_ID>")]
    public Guid RequestId { get; init; }

    [CommandOption("--json")]
    [Description("Print the status as the service answers it (JSON)")]
    public bool Json { get; init; }
}

/// <summary><c>headshots status ID</c>: where a request stands, and its timeline.</summary>
public sealed class StatusCommand : AsyncCommand<StatusSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, StatusSettings settings, CancellationToken cancellationToken)
    {
        using var client = settings.CreateClient();
        if (settings.Json)
        {
            var raw = await client.GetRawAsync(settings.RequestId, cancellationToken);
            Terminal.Line(JsonSerializer.Serialize(raw, HeadShotsClient.Json));
            return ExitCodes.Ok;
        }

        var status = await client.GetAsync(settings.RequestId, cancellationToken);
        JobTimeline? timeline;
        try
        {
            timeline = await client.TimelineAsync(settings.RequestId, cancellationToken);
        }
        catch (ApiProblemException ex) when (ex.Status == HttpStatusCode.NotFound)
        {
            timeline = null;
        }

        if (Terminal.Interactive)
        {
            Show(status, timeline);
        }
        else
        {
            Print(status, timeline);
        }

        return ExitCodes.Ok;
    }

    private static IEnumerable<(string Name, string? Value)> Fields(JobStatus status) =>
    [
        ("requestId", status.RequestId.ToString()),
        ("state", status.State),
        ("trackId", status.TrackId?.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ("modelsLabId", status.ModelsLabId),
        ("createdAt", status.CreatedAt?.ToString("O")),
        ("submittedAt", status.SubmittedAt?.ToString("O")),
        ("finishedAt", status.FinishedAt?.ToString("O")),
        ("delivery", status.Delivery),
        ("failureReason", status.FailureReason),
        ("failureMessage", status.FailureMessage),
        ("outputsExpireAt", status.OutputsExpireAt?.ToString("O")),
        .. status.Outputs.Select((url, i) => ($"output.{i}", (string?)url)),
        .. (status.Metadata ?? new Dictionary<string, string>()).Select(m => ($"metadata.{m.Key}", (string?)m.Value)),
    ];

    private static void Print(JobStatus status, JobTimeline? timeline)
    {
        foreach (var (name, value) in Fields(status).Where(f => f.Value is not null))
        {
            Terminal.Line($"{name}\t{value}");
        }

        foreach (var entry in timeline?.Entries ?? [])
        {
            Terminal.Line($"timeline\t{entry.At:O}\t{entry.Kind}\t{Describe(entry)}");
        }
    }

    private static void Show(JobStatus status, JobTimeline? timeline)
    {
        var grid = new Grid().AddColumn().AddColumn();
        foreach (var (name, value) in Fields(status).Where(f => f.Value is not null))
        {
            grid.AddRow(new Text(name, new Style(Color.Grey)), new Text(value!));
        }

        Terminal.Out.Write(grid);
        if (timeline is null)
        {
            return;
        }

        var table = new Table().Title("Timeline").AddColumns("at", "kind", "detail");
        foreach (var entry in timeline.Entries)
        {
            table.AddRow(new Text(entry.At.ToString("HH:mm:ss.fff")), new Text(entry.Kind), new Text(Describe(entry)));
        }

        Terminal.Out.Write(table);
        if (timeline.Truncated)
        {
            Terminal.Out.MarkupLine("[grey](older entries were dropped)[/]");
        }
    }

    internal static string Describe(TimelineEntry entry) => string.Join(' ', new[]
    {
        entry.Outcome is { } outcome ? $"outcome={outcome}" : null,
        entry.ModelsLabId is { } id ? $"modelsLabId={id}" : null,
        entry.EtaSeconds is { } eta ? $"eta={eta:0.#}s" : null,
        entry.MessageId is { } messageId ? $"messageId={messageId}" : null,
        entry.Queue is { } queue ? $"queue={queue}" : null,
        entry.Detail,
    }.Where(part => part is not null));
}
