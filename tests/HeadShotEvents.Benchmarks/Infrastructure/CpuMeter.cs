using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;

namespace HeadShotEvents.Benchmarks.Infrastructure;

/// <summary>CPU milliseconds one event cost each process taking part, over one measured window.</summary>
public sealed record CpuPerEvent(double ServiceMs, double PostgresMs, double RabbitMqMs, double LoadGeneratorMs)
{
    public double TotalMs => ServiceMs + PostgresMs + RabbitMqMs + LoadGeneratorMs;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"CPU/event {TotalMs:F2} ms (service {ServiceMs:F2}, PostgreSQL {PostgresMs:F2}, RabbitMQ {RabbitMqMs:F2}, load generator {LoadGeneratorMs:F2})");
}

/// <summary>
/// Where the machine's CPU time goes, per process (Linux /proc): the service, the PostgreSQL
/// server the run uses (its postmaster and every backend), the RabbitMQ node (the beam process
/// listening on the run's AMQP port) and this process, the load generator. On a machine whose
/// cores the run saturates, throughput is the cores divided by the CPU one event costs in total,
/// so this says which part an optimisation has to shrink and what ratio to the broker is attainable.
/// </summary>
public sealed partial class CpuMeter
{
    private static readonly double TicksPerSecond = 100; // USER_HZ on every Linux .NET supports
    private readonly int? _service;
    private readonly int? _postmaster;
    private readonly int? _rabbit;

    private CpuMeter(int? service, int? postmaster, int? rabbit)
    {
        _service = service;
        _postmaster = postmaster;
        _rabbit = rabbit;
    }

    public static async Task<CpuMeter> ForAsync(int? servicePid, string postgresConnection, string rabbitMqUrl)
    {
        int? postmaster = null;
        try
        {
            await using var connection = new NpgsqlConnection(postgresConnection);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT pg_backend_pid()", connection);
            var backend = (int)(await command.ExecuteScalarAsync())!;
            postmaster = ParentOf(backend);
        }
        catch (Exception ex) when (ex is NpgsqlException or IOException)
        {
            // A remote or unreadable server: its share is reported as 0.
        }

        return new CpuMeter(servicePid, postmaster, ListeningPid(new Uri(rabbitMqUrl).Port));
    }

    public Snapshot Take() => new(
        _service is { } s ? TreeTicks(s) : 0,
        _postmaster is { } p ? TreeTicks(p) : 0,
        _rabbit is { } r ? TreeTicks(r) : 0,
        ProcessTicks(Environment.ProcessId));

    public static CpuPerEvent PerEvent(Snapshot before, Snapshot after, int events) => new(
        Ms(after.Service - before.Service, events), Ms(after.Postgres - before.Postgres, events),
        Ms(after.RabbitMq - before.RabbitMq, events), Ms(after.LoadGenerator - before.LoadGenerator, events));

    private static double Ms(long ticks, int events) => events == 0 ? 0 : ticks * 1000.0 / TicksPerSecond / events;

    public sealed record Snapshot(long Service, long Postgres, long RabbitMq, long LoadGenerator);

    /// <summary>utime + stime of a process and of its live children (PostgreSQL's backends, beam's helpers).</summary>
    private static long TreeTicks(int root)
    {
        long total = 0;
        foreach (var (pid, parent, ticks) in AllProcesses())
        {
            if (pid == root || parent == root)
            {
                total += ticks;
            }
        }

        return total;
    }

    private static long ProcessTicks(int pid) => Stat(pid) is { } stat ? stat.Ticks : 0;

    private static int? ParentOf(int pid) => Stat(pid)?.Parent;

    private static IEnumerable<(int Pid, int Parent, long Ticks)> AllProcesses()
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && Stat(pid) is { } stat)
            {
                yield return (pid, stat.Parent, stat.Ticks);
            }
        }
    }

    private static (int Parent, long Ticks)? Stat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        // The command name is in parentheses and may hold spaces: fields are counted after its ')'.
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return (int.Parse(fields[1], CultureInfo.InvariantCulture),
            long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture));
    }

    /// <summary>The process listening on a local TCP port (the RabbitMQ node), from `ss`.</summary>
    private static int? ListeningPid(int port)
    {
        try
        {
            using var ss = Process.Start(new ProcessStartInfo("ss", ["-Hltnp", $"sport = :{port}"]) { RedirectStandardOutput = true, UseShellExecute = false });
            var output = ss!.StandardOutput.ReadToEnd();
            ss.WaitForExit();
            return PidPattern().Match(output) is { Success: true } match ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    [GeneratedRegex(@"pid=(\d+)")]
    private static partial Regex PidPattern();
}
