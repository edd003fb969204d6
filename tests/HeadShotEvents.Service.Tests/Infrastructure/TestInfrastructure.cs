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

    private static readonly Lazy<Task<Exception?>> Availability = new(CheckAsync);

    /// <summary>Both can be had (from the variables or Testcontainers) and answer a connection.</summary>
    public static async Task<bool> IsAvailableAsync() => await Availability.Value is null;

    /// <summary>Fails with the one message that says how to provide them.</summary>
    public static async Task EnsureAvailableAsync()
    {
        if (await Availability.Value is { } problem)
        {
            throw new InvalidOperationException(
                "The service tests need a real RabbitMQ and a real PostgreSQL, and did not get them, so no other test of " +
                "this assembly ran. Run ./test.sh at the repository root: it starts both (its own RabbitMQ node and " +
                $"PostgreSQL cluster, installed with apt where missing), or set {RabbitMqVariable} and {PostgresVariable}, or " +
                $"start a Docker engine for Testcontainers. What failed: {problem.Message}");
        }
    }

    private static async Task<Exception?> CheckAsync()
    {
        try
        {
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var rabbit = await RabbitMqUrlAsync();
            var factory = new RabbitMQ.Client.ConnectionFactory { Uri = new Uri(rabbit), RequestedConnectionTimeout = TimeSpan.FromSeconds(10) };
            await using (await factory.CreateConnectionAsync(limit.Token))
            {
            }

            var postgres = new Npgsql.NpgsqlConnectionStringBuilder(await PostgresServerAsync()) { Database = "postgres", Timeout = 10 };
            await using var connection = new Npgsql.NpgsqlConnection(postgres.ConnectionString);
            await connection.OpenAsync(limit.Token);
            return null;
        }
        catch (Exception ex)
        {
            return ex;
        }
    }
}
