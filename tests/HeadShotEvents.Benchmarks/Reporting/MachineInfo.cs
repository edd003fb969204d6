using System.Globalization;
using System.Runtime.InteropServices;

namespace HeadShotEvents.Benchmarks.Reporting;

/// <summary>Where and when the figures were taken: they mean nothing without it.</summary>
public sealed record MachineInfo(
    DateTimeOffset Date, int Cores, double MemoryGiB, string OperatingSystem, string Runtime,
    string LoadAverageAtStart, string? LoadAverageAtEnd, string? RabbitMqVersion, string? PostgresVersion)
{
    /// <summary>
    /// The server settings the figures depend on (its page cache and its commits): a table larger than
    /// <c>shared_buffers</c> is read from the operating system's cache page by page.
    /// </summary>
    public string? PostgresSettings { get; init; }

    public static MachineInfo Now() => new(
        DateTimeOffset.UtcNow,
        Environment.ProcessorCount,
        MemTotalGiB(),
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription,
        LoadAverage(),
        null, null, null);

    /// <summary>1, 5 and 15 minute load averages (Linux): on a shared machine, how much else was running.</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static double MemTotalGiB()
    {
        if (!File.Exists("/proc/meminfo"))
        {
            return double.NaN;
        }

        var line = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
        var kib = long.Parse(line["MemTotal:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        return Math.Round(kib / 1024.0 / 1024.0, 1);
    }
}
