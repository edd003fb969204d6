using System.Globalization;

namespace HeadShotEvents.Benchmarks.Infrastructure;

/// <summary>What one run measures and how much of it. <c>--small</c> is CI's configuration: same paths, small counts.</summary>
public sealed record BenchmarkSettings
{
    public required string RabbitMqUrl { get; init; }

    /// <summary>A server-level connection string: each section creates (and drops) its own database.</summary>
    public required string PostgresServer { get; init; }

    /// <summary>The server's own <c>postgres</c> database, for questions about the server itself.</summary>
    public string PostgresAdmin => new Npgsql.NpgsqlConnectionStringBuilder(PostgresServer) { Database = "postgres" }.ConnectionString;

    public int Jobs { get; init; } = 5_000;
    public int Connections { get; init; } = 32;
    /// <summary>
    /// Callbacks before the measured ones, at least: the warm-up goes on in rounds of
    /// <see cref="WarmUpRoundCallbacks"/> until the service's JIT has settled (<see cref="WarmUp"/>),
    /// at most <see cref="MaxWarmUpRounds"/> rounds. A service in production runs the steady state,
    /// not the first code.
    /// </summary>
    public int WarmUpCallbacks { get; init; } = 15_000;
    public int WarmUpRoundCallbacks { get; init; } = 5_000;
    public int MaxWarmUpRounds { get; init; } = 30;

    /// <summary>A quiet moment after the warm-up, for the JIT's background recompilation to finish.</summary>
    public TimeSpan WarmUpPause { get; init; } = TimeSpan.FromSeconds(2);

    public int BrokerPublishers { get; init; } = 32;
    public int BrokerMessages { get; init; } = 10_000;

    public double EndToEndRate { get; init; } = 500;
    public TimeSpan EndToEndDuration { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>The end-to-end warm-up at half the rate, at least; in rounds of <see cref="EndToEndWarmUpRound"/> until the JIT has settled.</summary>
    public TimeSpan EndToEndWarmUp { get; init; } = TimeSpan.FromSeconds(20);
    public TimeSpan EndToEndWarmUpRound { get; init; } = TimeSpan.FromSeconds(5);

    public int ScaleSmallRows { get; init; } = 1_000;
    public int ScaleLargeRows { get; init; } = 1_000_000;
    /// <summary>
    /// Callbacks per table, in alternating rounds. 10,000: with 1,000 (rounds of 200) the p99 was the
    /// tenth-worst call, and one stall of the machine decided the ratio (20.4 and 3.6 in two runs of
    /// session 7, where the p50s differed by 1.3).
    /// </summary>
    public int ScaleCallbacks { get; init; } = 10_000;

    public int ClaimSettledRows { get; init; } = 200_000;
    public int ClaimNotYetDueRows { get; init; } = 20_000;

    public bool Small { get; init; }

    /// <summary>Where the JSON and Markdown go; null: nowhere (the caller reads the result).</summary>
    public string? OutputDirectory { get; init; }

    public ISet<string> Sections { get; init; } = new HashSet<string>(AllSections, StringComparer.OrdinalIgnoreCase);

    public static readonly string[] AllSections = ["ingest", "broker", "e2e", "scale", "claim"];

    public bool Runs(string section) => Sections.Contains(section);

    /// <summary>A few hundred jobs, a 10,000-row table instead of 1,000,000, a short end-to-end run: well under 2 minutes.</summary>
    public static BenchmarkSettings SmallFor(string rabbitMqUrl, string postgresServer) => new()
    {
        RabbitMqUrl = rabbitMqUrl,
        PostgresServer = postgresServer,
        Small = true,
        Jobs = 300,
        WarmUpCallbacks = 30,
        WarmUpRoundCallbacks = 30,
        MaxWarmUpRounds = 1,
        EndToEndWarmUp = TimeSpan.FromSeconds(1),
        EndToEndWarmUpRound = TimeSpan.FromSeconds(1),
        WarmUpPause = TimeSpan.Zero,
        BrokerMessages = 1_000,
        EndToEndRate = 50,
        EndToEndDuration = TimeSpan.FromSeconds(2),
        ScaleSmallRows = 1_000,
        ScaleLargeRows = 10_000,
        ScaleCallbacks = 100,
        ClaimSettledRows = 10_000,
        ClaimNotYetDueRows = 1_000,
    };

    public static BenchmarkSettings FromArguments(string[] args)
    {
        var rabbit = Environment.GetEnvironmentVariable("RABBITMQ_URL") is { Length: > 0 } r ? r
            : throw new ArgumentException("Set RABBITMQ_URL (e.g. amqp://guest:guest@127.0.0.1:5672/).");
        var postgres = Environment.GetEnvironmentVariable("POSTGRES_CONNECTION") is { Length: > 0 } p ? p
            : throw new ArgumentException("Set POSTGRES_CONNECTION (e.g. Host=127.0.0.1;Username=postgres;Password=postgres).");

        var settings = args.Contains("--small") ? SmallFor(rabbit, postgres) : new BenchmarkSettings { RabbitMqUrl = rabbit, PostgresServer = postgres };
        settings = settings with { OutputDirectory = settings.Small ? null : RepositoryLayout.LatestRunDirectory() };
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value.");
            int Count() => int.Parse(Value(), NumberStyles.None, CultureInfo.InvariantCulture);
            settings = name switch
            {
                "--small" => settings,
                "--jobs" => settings with { Jobs = Count() },
                "--connections" => settings with { Connections = Count() },
                "--warm-up" => settings with { WarmUpCallbacks = Count() },
                "--max-warm-up-rounds" => settings with { MaxWarmUpRounds = Count() },
                "--broker-messages" => settings with { BrokerMessages = Count() },
                "--e2e-rate" => settings with { EndToEndRate = Count() },
                "--e2e-seconds" => settings with { EndToEndDuration = TimeSpan.FromSeconds(Count()) },
                "--e2e-warm-up" => settings with { EndToEndWarmUp = TimeSpan.FromSeconds(Count()) },
                "--scale-rows" => settings with { ScaleLargeRows = Count() },
                "--scale-callbacks" => settings with { ScaleCallbacks = Count() },
                "--out" => settings with { OutputDirectory = Value() },
                "--no-out" => settings with { OutputDirectory = null },
                "--sections" => settings with { Sections = new HashSet<string>(Value().Split(','), StringComparer.OrdinalIgnoreCase) },
                _ => throw new ArgumentException($"Unknown argument {name}. Known: --small --jobs N --connections N --broker-messages N " +
                    "--warm-up N --max-warm-up-rounds N --e2e-warm-up N --e2e-rate N --e2e-seconds N --scale-rows N --scale-callbacks N --out DIR --no-out --sections " + string.Join(',', AllSections)),
            };
        }

        var unknown = settings.Sections.Except(AllSections, StringComparer.OrdinalIgnoreCase).ToArray();
        return unknown.Length == 0 ? settings : throw new ArgumentException($"Unknown section(s) {string.Join(',', unknown)}; known: {string.Join(',', AllSections)}.");
    }
}
