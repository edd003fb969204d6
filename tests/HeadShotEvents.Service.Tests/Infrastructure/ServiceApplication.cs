using HeadShotEvents.Service.Hosting;
using HeadShotEvents.Service.Jobs;
using HeadShotEvents.ServiceDefaults;
using HeadShotEvents.Testing;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace HeadShotEvents.Service.Tests.Infrastructure;

/// <summary>
/// The service as Program.cs builds it, on a real loopback port, against a real RabbitMQ (its own
/// entity prefix, so tests never see each other's messages), its own PostgreSQL database (or
/// SQLite file) and its own simulator. One per test.
/// </summary>
public sealed class ServiceApplication : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Func<Task> _dropDatabase;

    private ServiceApplication(WebApplication app, Uri baseAddress, LoopbackSimulator simulator, string prefix, string connectionString, Func<Task> dropDatabase)
    {
        ConnectionString = connectionString;
        _app = app;
        _dropDatabase = dropDatabase;
        BaseAddress = baseAddress;
        Simulator = simulator;
        EntityPrefix = prefix;
        HttpClient = new HttpClient { BaseAddress = baseAddress };
    }

    public Uri BaseAddress { get; }
    public HttpClient HttpClient { get; }
    public LoopbackSimulator Simulator { get; }
    public IServiceProvider Services => _app.Services;

    /// <summary>This test's own job database.</summary>
    public string ConnectionString { get; }

    public string Provider { get; private init; } = "Postgres";

    private bool _ownsSimulator;

    /// <summary>The broker this instance's prefix lives on, when it chose the prefix itself and so deletes its entities.</summary>
    private string? _ownedPrefixBroker;

    /// <summary>The prefix of this test's exchanges and queues on the shared broker.</summary>
    public string EntityPrefix { get; }

    public sealed record Options
    {
        public bool UseSqlite { get; init; }
        public string Roles { get; init; } = "Submitter,Receiver,Api";
        public IReadOnlyDictionary<string, string?> Simulator { get; init; } = new Dictionary<string, string?>();
        public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();
        public Action<IBusRegistrationConfigurator>? AddConsumers { get; init; }
        public Action<IServiceCollection>? ConfigureServices { get; init; }
        public string? EntityPrefix { get; init; }

        /// <summary>Another broker and database server than the shared ones (the chaos test's own).</summary>
        public string? RabbitMqUrl { get; init; }

        public string? PostgresServer { get; init; }

        /// <summary>
        /// As `dotnet run` with no configuration: every role in one process, the in-memory bus,
        /// SQLite and the simulator mapped into the service itself.
        /// </summary>
        public bool EmbeddedDefaults { get; init; }

        /// <summary>Another instance's job database and simulator: several instances of one deployment.</summary>
        public ServiceApplication? ShareWith { get; init; }
    }

    public static async Task<ServiceApplication> StartAsync(Options? options = null)
    {
        options ??= new Options();
        var prefix = options.EntityPrefix ?? "t" + Guid.NewGuid().ToString("N")[..12];
        var simulator = options.ShareWith?.Simulator ?? await LoopbackSimulator.StartAsync(new Dictionary<string, string?>(options.Simulator)
        {
            ["Simulator:GenerationTime"] = options.Simulator.GetValueOrDefault("Simulator:GenerationTime") ?? "00:00:00.200",
        });

        var baseAddress = LoopbackPorts.FreeAddress();
        var (connectionString, provider, drop) = options.ShareWith is { } first
            ? (first.ConnectionString, first.Provider, () => Task.CompletedTask)
            : await DatabaseAsync(options.UseSqlite || options.EmbeddedDefaults, options.PostgresServer);

        var settings = new Dictionary<string, string?>
        {
            ["Roles"] = options.Roles,
            ["Jobs:Provider"] = provider,
            ["ConnectionStrings:Jobs"] = connectionString,
            ["Messaging:RabbitMqUrl"] = options.EmbeddedDefaults ? "" : options.RabbitMqUrl ?? await TestInfrastructure.RabbitMqUrlAsync(),
            ["Messaging:EntityPrefix"] = prefix,
            ["Webhooks:PublicBaseUrl"] = baseAddress.AbsoluteUri,
            ["ModelsLab:BaseUrl"] = simulator.ApiBaseAddress.AbsoluteUri,
            ["ModelsLab:ApiKey"] = simulator.ApiKey,
            ["ModelsLab:Timeout"] = "00:00:10",
            // The simulator's queue limit is lifted in tests too; the ceiling has its own test.
            ["ModelsLab:MaxQueuedJobs"] = "1000",
            // The simulator's outputs are http://127.0.0.1:<port>/...: a development host, as in appsettings.json.
            ["Webhooks:DevelopmentHosts:0"] = "127.0.0.1",
        };
        if (options.EmbeddedDefaults)
        {
            settings["Roles"] = "All,Simulator";
            settings["Messaging:RabbitMqUrl"] = "";
            settings["ModelsLab:BaseUrl"] = new Uri(baseAddress, "api/v6/").AbsoluteUri;
            settings["ModelsLab:ApiKey"] = "sim-key";
            settings["Simulator:GenerationTime"] = "00:00:00.300";
        }

        foreach (var (key, value) in options.Settings)
        {
            settings[key] = value;
        }

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(HeadShotEventsHosting).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = "Testing",
        });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.WebHost.UseUrls(baseAddress.AbsoluteUri);
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(10));

        // What Program.cs does, with the test's subscribers added to the bus.
        builder.AddServiceDefaults(builder.Configuration.ServiceName(), HeadShotEventsHosting.TelemetrySources);
        builder.AddHeadShotEvents(options.AddConsumers);
        options.ConfigureServices?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapHeadShotEvents();

        await app.StartAsync();
        return new ServiceApplication(app, baseAddress, simulator, prefix, connectionString, drop)
        {
            Provider = provider,
            _ownsSimulator = options.ShareWith is null,
            _ownedPrefixBroker = options.EntityPrefix is null && !options.EmbeddedDefaults ? settings["Messaging:RabbitMqUrl"] : null,
        };
    }

    /// <summary>A scope's job store: read rows as the service wrote them.</summary>
    public async Task<HeadShotJob?> JobAsync(Guid requestId)
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<JobStore>().FindByRequestIdAsync(requestId, default);
    }

    /// <summary>Whether the job's terminal event is still owed (a row of the outbox's table).</summary>
    public async Task<bool> OwesEventAsync(long trackId)
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<JobsDbContext>().OwedEvents.AnyAsync(o => o.TrackId == trackId);
    }

    public async Task<int> JobCountAsync()
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<JobsDbContext>().Jobs.CountAsync();
    }

    public IBus Bus => Services.GetRequiredService<IBus>();

    public async ValueTask DisposeAsync()
    {
        HttpClient.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_ownsSimulator)
        {
            await Simulator.DisposeAsync();
        }

        await _dropDatabase();
        if (_ownedPrefixBroker is not null)
        {
            await BrokerEntities.DeleteAsync(_ownedPrefixBroker, EntityPrefix);
        }
    }

    private static async Task<(string ConnectionString, string Provider, Func<Task> Drop)> DatabaseAsync(bool sqlite, string? postgresServer)
    {
        if (sqlite)
        {
            var file = Path.Combine(Path.GetTempPath(), $"headshots-{Guid.NewGuid():N}.db");
            return ($"Data Source={file}", "Sqlite", () =>
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                foreach (var path in new[] { file, file + "-wal", file + "-shm" })
                {
                    File.Delete(path);
                }

                return Task.CompletedTask;
            });
        }

        var server = new NpgsqlConnectionStringBuilder(postgresServer ?? await TestInfrastructure.PostgresServerAsync());
        var database = $"headshots_{Guid.NewGuid():N}";
        var connection = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = database }.ConnectionString;
        return (connection, "Postgres", async () =>
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = "postgres" }.ConnectionString);
            await admin.OpenAsync();
            await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", admin);
            await command.ExecuteNonQueryAsync();
        });
    }
}
