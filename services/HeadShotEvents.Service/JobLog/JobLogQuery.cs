using System.Globalization;
using HeadShotEvents.Service.Jobs;

namespace HeadShotEvents.Service.JobLog;

/// <summary>
/// A search of the job log: GET /headshots' query string (the event-log page sends the same).
/// Empty parameters count as absent, so a form can send every field.
/// </summary>
public sealed record JobLogQuery
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;
    public const string MetadataPrefix = "metadata.";
    public const int MaxMetadataKeyLength = 128;
    public const int MaxMetadataValueLength = 1024;

    public IReadOnlyList<JobState> States { get; init; } = [];

    /// <summary>Inclusive, on CreatedAt.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Exclusive, on CreatedAt.</summary>
    public DateTimeOffset? Until { get; init; }

    /// <summary>Exact matches on the publisher's metadata, all of them (AND).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    public JobCursor? After { get; init; }
    public int Limit { get; init; } = DefaultLimit;

    /// <summary>The query, or the problems per parameter (named as sent).</summary>
    public static (JobLogQuery? Query, Dictionary<string, string[]> Errors) Parse(IQueryCollection query)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var states = new List<JobState>();
        foreach (var text in Values(query, "state"))
        {
            if (Enum.TryParse<JobState>(text, ignoreCase: true, out var state) && Enum.IsDefined(state) && !int.TryParse(text, out _))
            {
                states.Add(state);
            }
            else
            {
                Error(errors, "state", $"'{Shown(text)}' is not a state: use {string.Join(", ", Enum.GetNames<JobState>())}.");
            }
        }

        var since = Date(query, "since", errors);
        var until = Date(query, "until", errors);
        if (since is not null && until is not null && since >= until)
        {
            Error(errors, "until", "until must be later than since.");
        }

        JobCursor? after = null;
        if (Single(query, "cursor", errors) is { } cursorText)
        {
            if (JobCursor.TryDecode(cursorText, out var cursor))
            {
                after = cursor;
            }
            else
            {
                Error(errors, "cursor", "The cursor is not one this service gave out: send nextCursor from the previous page unchanged.");
            }
        }

        var limit = DefaultLimit;
        if (Single(query, "limit", errors) is { } limitText)
        {
            if (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxLimit)
            {
                Error(errors, "limit", $"limit must be a whole number from 1 to {MaxLimit}.");
            }
        }

        var metadata = MetadataFilters(query, errors);
        return errors.Count > 0
            ? (null, errors)
            : (new JobLogQuery { States = [.. states.Distinct()], Since = since, Until = until, Metadata = metadata, After = after, Limit = limit }, errors);
    }

    private static Dictionary<string, string> MetadataFilters(IQueryCollection query, Dictionary<string, string[]> errors)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, values) in query)
        {
            if (!name.StartsWith(MetadataPrefix, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var key = name[MetadataPrefix.Length..];
            if (key.Length is 0 or > MaxMetadataKeyLength || key.Any(char.IsControl))
            {
                Error(errors, name, $"A metadata filter is metadata.<key>=<value>, with a key of 1 to {MaxMetadataKeyLength} printable characters.");
            }
            else if (values.Count != 1)
            {
                Error(errors, name, "Give each metadata key once: several filters on different keys are AND-ed.");
            }
            else if (values[0] is not { Length: <= MaxMetadataValueLength } value)
            {
                Error(errors, name, $"A metadata value has at most {MaxMetadataValueLength} characters.");
            }
            else
            {
                metadata[key] = value;
            }
        }

        return metadata;
    }

    /// <summary>ISO 8601 with an offset; a '+' the query string turned into a space is read as the '+' it was.</summary>
    private static DateTimeOffset? Date(IQueryCollection query, string name, Dictionary<string, string[]> errors)
    {
        if (Single(query, name, errors) is not { } text)
        {
            return null;
        }

        var repaired = text.Length > 6 && text[^6] == ' ' ? string.Concat(text.AsSpan(0, text.Length - 6), "+", text.AsSpan(text.Length - 5)) : text;
        if (HasOffset(repaired) && DateTimeOffset.TryParse(repaired, CultureInfo.InvariantCulture, DateTimeStyles.None, out var value)
            && repaired.Contains('T', StringComparison.Ordinal))
        {
            return value;
        }

        Error(errors, name, $"{name} must be an ISO 8601 date and time with an offset, e.g. 2026-11-25T16:00:00Z or 2026-11-25T17:00:00%2B01:00.");
        return null;
    }

    private static bool HasOffset(string text) =>
        text.EndsWith('Z') || text.EndsWith('z') || (text.Length > 6 && text[^6] is '+' or '-' && text[^3] == ':');

    private static string? Single(IQueryCollection query, string name, Dictionary<string, string[]> errors)
    {
        var values = query[name].Where(v => !string.IsNullOrWhiteSpace(v)).ToList();
        if (values.Count > 1)
        {
            Error(errors, name, $"Give {name} once.");
            return null;
        }

        return values.Count == 1 ? values[0]!.Trim() : null;
    }

    /// <summary>Repeated and comma-separated values alike.</summary>
    private static IEnumerable<string> Values(IQueryCollection query, string name) =>
        query[name].SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));

    private static void Error(Dictionary<string, string[]> errors, string name, string message) =>
        errors[name] = errors.TryGetValue(name, out var known) ? [.. known, message] : [message];

    /// <summary>Echoes at most a short, printable part of what was sent.</summary>
    private static string Shown(string text) =>
        new(text.Take(40).Select(c => char.IsControl(c) ? '?' : c).ToArray());
}
