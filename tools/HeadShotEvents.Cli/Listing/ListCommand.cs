using System.ComponentModel;
using System.Text.Json;
using HeadShotEvents.Cli.Api;
using HeadShotEvents.Cli.Output;
using HeadShotEvents.Cli.Submitting;
using Spectre.Console;
using Spectre.Console.Cli;

namespace HeadShotEvents.Cli.Listing;

public sealed class ListSettings : ApiSettings
{
    [CommandOption("-s|--state <STATE>")]
    [Description("Accepted, Submitting, Processing, OutcomeUnknown, Completed or Failed; repeatable")]
    public string[] States { get; init; } = [];

    [CommandOption("--since <TIME>")]
    [Description("Created at or after (ISO 8601)")]
    public string? Since { get; init; }

    [CommandOption("--until <TIME>")]
    [Description("Created before (ISO 8601)")]
    public string? Until { get; init; }

    [CommandOption("-m|--metadata <KEY=VALUE>")]
    [Description("Exact match on the publisher's metadata; repeatable (all must match)")]
    public string[] Metadata { get; init; } = [];

    [CommandOption("--limit <N>")]
    [Description("Jobs per page, 1 to 200 (default 50)")]
    public int? Limit { get; init; }

    [CommandOption("--cursor <CURSOR>")]
    [Description("The next page, from a previous list")]
    public string? Cursor { get; init; }

    [CommandOption("--json")]
    [Description("Print the page as the service answers it (JSON)")]
    public bool Json { get; init; }

    public override ValidationResult Validate()
    {
        if (Limit is < 1 or > 200)
        {
            return ValidationResult.Error($"--limit must be from 1 to 200; got {Limit}.");
        }

        var unknown = States.SelectMany(s => s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .FirstOrDefault(s => !JobStates.All.Contains(s, StringComparer.OrdinalIgnoreCase));
        return unknown is null
            ? base.Validate()
            : ValidationResult.Error($"--state must be one of {string.Join(", ", JobStates.All)}; got '{unknown}'.");
    }
}

/// <summary><c>headshots list [filters]</c>: the job log, newest first, one page at a time.</summary>
public sealed class ListCommand : AsyncCommand<ListSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, ListSettings settings, CancellationToken cancellationToken)
    {
        var query = new JobQuery
        {
            States = settings.States.SelectMany(s => s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray(),
            Since = KeyValues.Instant(settings.Since, "--since"),
            Until = KeyValues.Instant(settings.Until, "--until"),
            Metadata = KeyValues.Parse(settings.Metadata, "--metadata"),
            Cursor = settings.Cursor,
            Limit = settings.Limit,
        };

        using var client = settings.CreateClient();
        var raw = await client.ListRawAsync(query, cancellationToken);
        if (settings.Json)
        {
            Terminal.Line(JsonSerializer.Serialize(raw, HeadShotsClient.Json));
            return ExitCodes.Ok;
        }

        var page = raw.Deserialize<JobPage>(HeadShotsClient.Json) ?? new JobPage();
        if (Terminal.Interactive)
        {
            // Few columns and a light border, so the id (copied into the next command) stays whole on 80 columns;
            // the track id is in `status`.
            var table = new Table().Border(TableBorder.Simple).AddColumns(new TableColumn("request id").NoWrap(), new TableColumn("state"), new TableColumn("created (UTC)"), new TableColumn("out"), new TableColumn("metadata"));
            foreach (var job in page.Items)
            {
                table.AddRow(
                    new Text(job.RequestId.ToString()), new Text(job.State, StateStyle(job.State)), new Text(job.CreatedAt?.UtcDateTime.ToString("MM-dd HH:mm:ss") ?? ""),
                    new Text(job.Outputs.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)), new Text(Metadata(job)));
            }

            Terminal.Out.Write(table);
            Terminal.Out.MarkupLineInterpolated($"[grey]{page.Items.Count} job(s){(page.NextCursor is { } next ? $"; more with --cursor {next}" : "")}[/]");
        }
        else
        {
            Terminal.Line("requestId\tstate\tcreatedAt\ttrackId\toutputs\tmetadata");
            foreach (var job in page.Items)
            {
                Terminal.Line($"{job.RequestId}\t{job.State}\t{job.CreatedAt:O}\t{job.TrackId}\t{job.Outputs.Count}\t{Metadata(job)}");
            }

            if (page.NextCursor is { } next)
            {
                Terminal.Line($"nextCursor\t{next}");
            }
        }

        return ExitCodes.Ok;
    }

    private static string Metadata(JobStatus job) =>
        string.Join(' ', (job.Metadata ?? new Dictionary<string, string>()).Select(m => $"{m.Key}={m.Value}"));

    private static Style StateStyle(string state) => state switch
    {
        JobStates.Completed => new Style(Color.Green),
        JobStates.Failed => new Style(Color.Red),
        _ => new Style(Color.Yellow),
    };
}
