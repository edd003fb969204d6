using System.Collections.Concurrent;
using System.Diagnostics;
using HeadShotEvents.Service.Jobs.Schema;
using HeadShotEvents.Service.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HeadShotEvents.Service.Tests.Migrations;

/// <summary>How instances bring an empty job store to the current schema: together at start, or with the migrate verb first.</summary>
public sealed class StartTests
{
    [Theory]
    [InlineData("Postgres", false)]
    [InlineData("Sqlite", false)]
    [InlineData("Postgres", true)]
    [InlineData("Sqlite", true)]
    public async Task Three_instances_starting_together_apply_the_migrations_once(string provider, bool onPreviousRelease)
    {
        // Empty: on PostgreSQL the database itself does not exist yet either. Previous release: all three would adopt it.
        await using var database = onPreviousRelease ? await JobStoreDatabase.OfPreviousReleaseAsync(provider) : await JobStoreDatabase.NewAsync(provider);
        var logs = new MigratorLog();
        var starting = Enumerable.Range(0, 3).Select(_ => ServiceApplication.StartAsync(new()
        {
            UseSqlite = database.IsSqlite,
            Settings = database.Settings,
            ConfigureServices = services => services.AddSingleton<ILoggerProvider>(logs),
        })).ToList();
        var instances = await Task.WhenAll(starting);
        try
        {
            Assert.Equal(UpgradeTests.Known, await database.HistoryAsync());
            // Adopting the previous release's store leaves to apply only what came after the Baseline.
            Assert.Equal(!onPreviousRelease || UpgradeTests.Known.Count > 1 ? 1 : 0, logs.Count("Applied job store migrations"));
            Assert.Equal(onPreviousRelease ? 1 : 0, logs.Count("Adopted a job store created without migrations"));
            Assert.Equal(onPreviousRelease && UpgradeTests.Known.Count == 1 ? 3 : 2, logs.Count("schema is current"));
            foreach (var instance in instances)
            {
                Assert.Equal(0, await instance.JobCountAsync());
            }
        }
        finally
        {
            foreach (var instance in instances)
            {
                await instance.DisposeAsync();
            }
        }
    }

    [Theory]
    [InlineData("Postgres")]
    [InlineData("Sqlite")]
    public async Task The_migrate_verb_of_the_service_executable_applies_the_migrations_and_exits_0(string provider)
    {
        await using var database = await JobStoreDatabase.NewAsync(provider);

        var (exitCode, output) = await RunServiceAsync(["migrate", .. database.CommandLine]);

        Assert.True(exitCode == 0, $"exit code {exitCode}; output: {output}");
        Assert.Contains("Applied job store migrations " + UpgradeTests.Baseline, output);
        Assert.Equal(UpgradeTests.Known, await database.HistoryAsync());

        // A second run finds nothing to do.
        (exitCode, output) = await RunServiceAsync(["migrate", .. database.CommandLine]);
        Assert.True(exitCode == 0, $"exit code {exitCode}; output: {output}");
        Assert.Contains("schema is current", output);
    }

    private static async Task<(int ExitCode, string Output)> RunServiceAsync(string[] args)
    {
        var dll = ServiceDll();
        var start = new ProcessStartInfo("dotnet", [dll, .. args])
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["DOTNET_ENVIRONMENT"] = "Testing";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await error);
    }

    /// <summary>The service's own build output, as a deployment runs it.</summary>
    private static string ServiceDll()
    {
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var dll = Path.Combine(dir.FullName, "services", "HeadShotEvents.Service", "bin", configuration, "net10.0", "HeadShotEvents.Service.dll");
            if (File.Exists(dll))
            {
                return dll;
            }
        }

        throw new FileNotFoundException("Build the solution first: HeadShotEvents.Service.dll not found above " + AppContext.BaseDirectory);
    }

    /// <summary>What the migrators of every instance in the test logged.</summary>
    private sealed class MigratorLog : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> _lines = new();

        public int Count(string text) => _lines.Count(line => line.Contains(text, StringComparison.Ordinal));

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName == typeof(SchemaMigrator).FullName ? _lines : null);

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<string>? lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => lines is not null;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines?.Enqueue(formatter(state, exception));
        }
    }
}
