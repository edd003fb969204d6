using Testcontainers.PostgreSql;
using Testcontainers.RabbitMq;

namespace HeadShotEvents.Service.Tests.Infrastructure;

/// <summary>
/// The real RabbitMQ and PostgreSQL the tests run against: from <c>RABBITMQ_URL</c> and
/// <c>POSTGRES_CONNECTION</c> when set (CI starts both), else from Testcontainers when a Docker
/// engine answers, else a failure that says how to provide them. Never a silent skip.
/// </summary>
public static class TestInfrastructure
{
    public const string RabbitMqVariable = "RABBITMQ_URL";
    public const string PostgresVariable = "POSTGRES_CONNECTION";

    private static readonly Lazy<Task<string>> RabbitMq = new(StartRabbitMqAsync);
    private static RabbitMqContainer? _rabbitContainer;
    private static readonly Lazy<Task<string>> Postgres = new(StartPostgresAsync);

    public static Task<string> RabbitMqUrlAsync() => RabbitMq.Value;

    /// <summary>A server-level connection string (no database): each test creates its own database.</summary>
    public static Task<string> PostgresServerAsync() => Postgres.Value;

    private static async Task<string> StartRabbitMqAsync()
    {
        if (Environment.GetEnvironmentVariable(RabbitMqVariable) is { Length: > 0 } url)
        {
            return url;
        }

        try
        {
            var container = new RabbitMqBuilder("rabbitmq:3.13-management-alpine").Build();
            await container.StartAsync();
            _rabbitContainer = container;
            return container.GetConnectionString();
        }
        catch (Exception ex)
        {
            throw new InvalidOperationException(
                $"These tests need a real RabbitMQ. Set {RabbitMqVariable} (e.g. amqp://guest:guest@127.0.0.1:5672/) " +
                $"or start a Docker engine so Testcontainers can run one. Testcontainers said: {ex.Message}", ex);
        }
    }

    private static async Task<string> StartPostgresAsync()
    {
        if (Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } connection)
        {
            return connection;
        }

        try
        {
            var container = new PostgreSqlBuilder("postgres:15-alpine").Build();
            await container.StartAsync();
            return container.GetConnectionString();
        }
        catch (Exception ex)
        {
            throw new InvalidOperationException(
                $"These tests need a real PostgreSQL. Set {PostgresVariable} (e.g. Host=127.0.0.1;Username=postgres;Password=postgres) " +
                $"or start a Docker engine so Testcontainers can run one. Testcontainers said: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Stops and starts the broker application (connections drop; durable queues and persistent
    /// messages survive), in the container or, for a local broker, with rabbitmqctl.
    /// </summary>
    public static async Task RestartRabbitMqAsync()
    {
        await RabbitMqUrlAsync();
        foreach (var command in new[] { "stop_app", "start_app" })
        {
            if (_rabbitContainer is not null)
            {
                var result = await _rabbitContainer.ExecAsync(["rabbitmqctl", command]);
                if (result.ExitCode != 0)
                {
                    throw new InvalidOperationException($"rabbitmqctl {command} failed in the container: {result.Stderr}");
                }

                continue;
            }

            using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("rabbitmqctl", [command])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            }) ?? throw new InvalidOperationException("rabbitmqctl could not be started: the chaos test restarts the local broker with it.");
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            var stderr = await process.StandardError.ReadToEndAsync(limit.Token);
            await process.WaitForExitAsync(limit.Token);
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"rabbitmqctl {command} failed ({process.ExitCode}): {stderr}");
            }
        }
    }
}
