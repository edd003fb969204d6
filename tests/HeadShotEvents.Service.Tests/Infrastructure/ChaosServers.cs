using System.Diagnostics;

namespace HeadShotEvents.Service.Tests.Infrastructure;

/// <summary>
/// The RabbitMQ node and PostgreSQL cluster the chaos test may kill -9 and restart: ./test.sh's own
/// (<c>CHAOS_RABBITMQ_URL</c>, <c>CHAOS_POSTGRES_CONNECTION</c>), driven through the script
/// (<c>CHAOS_CONTROL</c>), never the servers the other tests share. Without them the chaos test
/// fails saying so: a run that quietly left out the broker crash would claim a guarantee it never checked.
/// </summary>
public sealed class ChaosServers
{
    private readonly string _control;

    private ChaosServers(string control, string rabbitMqUrl, string postgresServer)
    {
        _control = control;
        RabbitMqUrl = rabbitMqUrl;
        PostgresServer = postgresServer;
    }

    public string RabbitMqUrl { get; }
    public string PostgresServer { get; }

    public static ChaosServers FromEnvironment()
    {
        var control = Environment.GetEnvironmentVariable("CHAOS_CONTROL");
        var rabbit = Environment.GetEnvironmentVariable("CHAOS_RABBITMQ_URL");
        var postgres = Environment.GetEnvironmentVariable("CHAOS_POSTGRES_CONNECTION");
        if (string.IsNullOrEmpty(control) || string.IsNullOrEmpty(rabbit) || string.IsNullOrEmpty(postgres))
        {
            throw new InvalidOperationException(
                "The chaos test kill -9s a RabbitMQ node and crash-restarts a PostgreSQL cluster, so it runs only against servers " +
                "started for it: run it through ./test.sh (which starts a node and a cluster of its own and sets CHAOS_CONTROL, " +
                "CHAOS_RABBITMQ_URL and CHAOS_POSTGRES_CONNECTION), never against a shared RABBITMQ_URL.");
        }

        return new ChaosServers(control, rabbit, postgres);
    }

    /// <summary>SIGKILL to the broker's Erlang VM: no clean shutdown, unconfirmed work is cut.</summary>
    public Task KillRabbitMqAsync() => RunAsync("chaos-rabbitmq-kill");

    public Task StartRabbitMqAsync() => RunAsync("chaos-rabbitmq-start");

    /// <summary>An immediate-mode restart: every connection is cut, uncommitted work rolled back on recovery.</summary>
    public Task RestartPostgresAsync() => RunAsync("chaos-postgres-restart");

    private async Task RunAsync(string command)
    {
        using var process = Process.Start(new ProcessStartInfo("bash", [_control, command])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException($"Could not run {_control} {command}.");
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var stdout = process.StandardOutput.ReadToEndAsync(limit.Token);
        var stderr = process.StandardError.ReadToEndAsync(limit.Token);
        await process.WaitForExitAsync(limit.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{_control} {command} failed ({process.ExitCode}): {await stdout} {await stderr}");
        }
    }
}

/// <summary>
/// Lines a test wants on the console of a CI run (xunit's output goes only to TRX): also appended
/// to the file ./test.sh prints at the end (<c>HEADSHOT_TEST_REPORT</c>).
/// </summary>
public static class TestReport
{
    private static readonly Lock Gate = new();

    public static void WriteLine(Xunit.Abstractions.ITestOutputHelper output, string line)
    {
        output.WriteLine(line);
        if (Environment.GetEnvironmentVariable("HEADSHOT_TEST_REPORT") is { Length: > 0 } file)
        {
            lock (Gate)
            {
                File.AppendAllText(file, line + Environment.NewLine);
            }
        }
    }
}
