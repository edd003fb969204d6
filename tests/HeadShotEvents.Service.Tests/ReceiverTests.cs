using System.Net;
using System.Net.Http.Headers;
using System.Text;
using HeadShotEvents.Contracts;
using HeadShotEvents.Service.Callbacks;
using HeadShotEvents.Service.Jobs;
using HeadShotEvents.Service.Tests.Infrastructure;
using HeadShotEvents.Testing;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace HeadShotEvents.Service.Tests;

/// <summary>
/// Every answer of the webhook endpoint, over real HTTP. The simulator drops its own webhooks
/// here, so the job waits in Processing and each test posts the callback itself.
/// </summary>
public sealed class ReceiverTests
{
    [Theory]
    [InlineData("malformed", HttpStatusCode.BadRequest)]
    [InlineData("not-an-object", HttpStatusCode.BadRequest)]
    [InlineData("wrong-content-type", HttpStatusCode.UnsupportedMediaType)]
    [InlineData("no-content-type", HttpStatusCode.UnsupportedMediaType)]
    [InlineData("oversized", HttpStatusCode.RequestEntityTooLarge)]
    [InlineData("forged-token", HttpStatusCode.NotFound)]
    [InlineData("tampered-token", HttpStatusCode.NotFound)]
    [InlineData("token-of-unknown-job", HttpStatusCode.NotFound)]
    [InlineData("expired-token", HttpStatusCode.Gone)]
    [InlineData("other-track-id", HttpStatusCode.UnprocessableEntity)]
    [InlineData("other-id", HttpStatusCode.UnprocessableEntity)]
    [InlineData("unknown-status", HttpStatusCode.UnprocessableEntity)]
    public async Task A_rejected_callback_gets_its_status_code_and_publishes_nothing(string kind, HttpStatusCode expected)
    {
        await using var waiting = await WaitingJob.StartAsync();
        var (token, body, contentType) = kind switch
        {
            "malformed" => (waiting.Token, "{\"status\":\"success\",", "application/json"),
            "not-an-object" => (waiting.Token, "[\"success\"]", "application/json"),
            "wrong-content-type" => (waiting.Token, waiting.SuccessBody(), "text/plain"),
            "no-content-type" => (waiting.Token, waiting.SuccessBody(), null),
            "oversized" => (waiting.Token, waiting.SuccessBody(padding: 4096), "application/json"),
            "forged-token" => ("CfDJ8forgedtokenthatnobodyminted", waiting.SuccessBody(), "application/json"),
            "tampered-token" => (Tamper(waiting.Token), waiting.SuccessBody(), "application/json"),
            "token-of-unknown-job" => (waiting.Tokens().Mint(987_654_321), waiting.SuccessBody(), "application/json"),
            "expired-token" => (waiting.Tokens(mintedAgo: TimeSpan.FromDays(3)).Mint(waiting.Job.TrackId), waiting.SuccessBody(), "application/json"),
            "other-track-id" => (waiting.Token, waiting.SuccessBody(trackId: waiting.Job.TrackId + 1), "application/json"),
            "other-id" => (waiting.Token, waiting.SuccessBody(id: "999999"), "application/json"),
            "unknown-status" => (waiting.Token, waiting.SuccessBody(status: "queued"), "application/json"),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };

        using var response = await waiting.PostAsync(token, body, contentType);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        await waiting.AssertUnchangedAsync();
    }

    [Fact]
    public async Task A_callback_gets_503_and_publishes_nothing_when_the_store_is_unavailable()
    {
        await using var waiting = await WaitingJob.StartAsync();
        var database = new NpgsqlConnectionStringBuilder(waiting.Pipeline.Service.ConnectionString).Database!;
        await DropDatabaseAsync(database);

        using var response = await waiting.PostAsync(waiting.Token, waiting.SuccessBody(), "application/json");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(0, waiting.Pipeline.Published.Terminal);
    }

    [Fact]
    public async Task A_callback_is_accepted_while_the_broker_is_unreachable_and_its_event_follows_when_the_broker_is_back()
    {
        var broker = new Uri(await TestInfrastructure.RabbitMqUrlAsync());
        await using var relay = new TcpRelay(broker.Host, broker.Port);
        var throughRelay = new UriBuilder(broker) { Host = "127.0.0.1", Port = relay.Port }.Uri.AbsoluteUri;
        await using var waiting = await WaitingJob.StartAsync(throughRelay);

        relay.Cut();
        using var cutOff = await waiting.PostAsync(waiting.Token, waiting.SuccessBody(), "application/json");

        // The 200 means the transition and "its event is owed" are one durable write; the bus is not needed for it.
        Assert.Equal(HttpStatusCode.OK, cutOff.StatusCode);
        var owed = await waiting.Pipeline.Service.JobAsync(waiting.Job.RequestId);
        Assert.Equal(JobState.Completed, owed!.State);
        Assert.True(await waiting.Pipeline.Service.OwesEventAsync(owed.TrackId), "the transition is durable and the event is owed");
        Assert.Equal(0, waiting.Pipeline.Published.Terminal);

        relay.Restore();
        await waiting.Pipeline.WaitForPublishedTerminalAsync(waiting.Job.RequestId);
        await Eventually.UntilAsync(() => waiting.Pipeline.Service.OwesEventAsync(owed.TrackId),
            owes => !owes, Pipeline.Patience, "the event to be no longer owed");
        await waiting.Pipeline.SettleAsync();
        Assert.Single(waiting.Pipeline.Archiver.Received.All<HeadShotCompleted>());
        Assert.Single(waiting.Pipeline.Published.All<HeadShotCompleted>());
    }

    [Fact]
    public async Task A_valid_callback_completes_the_job_and_its_replay_is_a_duplicate()
    {
        await using var waiting = await WaitingJob.StartAsync();

        using var first = await waiting.PostAsync(waiting.Token, waiting.SuccessBody(), "application/json");
        using var replay = await waiting.PostAsync(waiting.Token, waiting.SuccessBody(), "application/json");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Contains("\"completed\"", await first.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Contains("\"duplicate\"", await replay.Content.ReadAsStringAsync());
        Assert.Equal(JobState.Completed, (await waiting.Pipeline.Service.JobAsync(waiting.Job.RequestId))!.State);
        // A second publish the replay caused would still be on its way: the marker's terminal event,
        // heard and confirmed, comes after it.
        var marker = await waiting.Pipeline.SettleAsync();
        await waiting.Pipeline.WaitForPublishedTerminalAsync(waiting.Job.RequestId, marker);
        Assert.Equal(2, waiting.Pipeline.Published.Terminal); // the job's and the marker's
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Concurrent_copies_of_one_callback_publish_exactly_one_event(bool sqlite)
    {
        await using var waiting = await WaitingJob.StartAsync(sqlite: sqlite);

        var responses = await Task.WhenAll(Enumerable.Range(0, 12)
            .Select(_ => waiting.PostAsync(waiting.Token, waiting.SuccessBody(), "application/json")));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        await waiting.Pipeline.WaitForPublishedTerminalAsync(waiting.Job.RequestId);
        Assert.Equal(1, waiting.Pipeline.Published.Terminal);
        await waiting.Pipeline.SettleAsync();
        Assert.Single(waiting.Pipeline.Archiver.Received.All<HeadShotCompleted>());
        Assert.Single(waiting.Pipeline.Published.All<HeadShotCompleted>());
        // The owed row is deleted after the confirm, its delete gathered with others for a moment.
        await Eventually.UntilAsync(() => waiting.Pipeline.Service.OwesEventAsync(waiting.Job.TrackId),
            owes => !owes, Pipeline.Patience, "the event to be no longer owed");
    }

    [Fact]
    public async Task A_processing_callback_changes_nothing_and_a_failed_one_fails_the_job()
    {
        await using var waiting = await WaitingJob.StartAsync();

        using var processing = await waiting.PostAsync(waiting.Token, waiting.SuccessBody(status: "processing"), "application/json");
        Assert.Equal(HttpStatusCode.OK, processing.StatusCode);
        await waiting.AssertUnchangedAsync();

        var failedBody = $$"""{"status":"failed","id":{{waiting.Job.ModelsLabId}},"messege":"Processing failed: Invalid input dimensions","track_id":{{waiting.Job.TrackId}}}""";
        using var failed = await waiting.PostAsync(waiting.Token, failedBody, "application/json");

        Assert.Equal(HttpStatusCode.OK, failed.StatusCode);
        await waiting.Pipeline.WaitForTerminalAsync(waiting.Job.RequestId);
        var @event = Assert.Single(waiting.Pipeline.Archiver.Received.All<HeadShotFailed>());
        Assert.Equal(HeadShotFailureReason.GenerationFailed, @event.Reason);
        Assert.Equal("Processing failed: Invalid input dimensions", @event.Message);
    }

    private static string Tamper(string token) =>
        token[..^3] + (token[^3] == 'A' ? 'B' : 'A') + token[^2..];

    private static async Task DropDatabaseAsync(string database)
    {
        var server = new NpgsqlConnectionStringBuilder(await TestInfrastructure.PostgresServerAsync()) { Database = "postgres" };
        await using var admin = new NpgsqlConnection(server.ConnectionString);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }

}
