using HeadShotEvents.Service.Jobs.Schema;

namespace HeadShotEvents.Service.Tests.Migrations;

/// <summary>
/// Migration OwedEventsSideTable: events owed under the older releases' mark on the job row move to
/// the outbox's table with their claims; on PostgreSQL, what an older release still running beside
/// this one writes (its settle's mark, its sweep's claim, its clear) is copied into the table.
/// </summary>
public sealed class OwedEventsSideTableTests
{
    private static readonly DateTime Claim = new(2026, 11, 26, 3, 0, 0, 123, DateTimeKind.Utc);

    [Theory]
    [InlineData("Postgres")]
    [InlineData("Sqlite")]
    public async Task Events_owed_on_job_rows_move_to_the_table_with_their_claims(string provider)
    {
        await using var database = await JobStoreDatabase.OfPreviousReleaseAsync(provider);
        var (free, claimed, done) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        await InsertAsync(database, free, owed: true, claim: null);
        await InsertAsync(database, claimed, owed: true, claim: Claim);
        await InsertAsync(database, done, owed: false, claim: null);

        Assert.Equal(0, await MigrateCommand.RunAsync(database.CommandLine));

        Assert.Equal(2L, Convert.ToInt64(await database.ScalarAsync("SELECT count(*) FROM head_shot_owed_events")));
        Assert.Equal(1L, await OwedCountAsync(database, free, "\"ClaimedUntil\" IS NULL"));
        Assert.Equal(1L, await OwedCountAsync(database, claimed, "\"ClaimedUntil\" = @c", ("c", Claim)));
        Assert.Equal(0L, await OwedCountAsync(database, done, "TRUE"));
        // Their marks are cleared: an older release's sweep does not publish them a second time.
        Assert.Equal(0L, Convert.ToInt64(await database.ScalarAsync("SELECT count(*) FROM head_shot_jobs WHERE \"TerminalEventPending\"")));
    }

    [Fact]
    public async Task What_an_older_release_writes_on_the_job_row_is_copied_into_the_table()
    {
        await using var database = await JobStoreDatabase.OfPreviousReleaseAsync("Postgres");
        Assert.Equal(0, await MigrateCommand.RunAsync(database.CommandLine));
        var (settled, inserted) = (Guid.NewGuid(), Guid.NewGuid());
        await InsertAsync(database, settled, owed: false, claim: null, state: "Processing");

        // The older release's settle: the terminal state and the mark, claimed for its dispatcher.
        await database.ExecuteAsync(
            "UPDATE head_shot_jobs SET \"State\" = 'Completed', \"TerminalEventPending\" = TRUE, \"PublishClaimedUntil\" = @c WHERE \"RequestId\" = @r",
            ("c", Claim), ("r", settled));
        Assert.Equal(1L, await OwedCountAsync(database, settled, "\"ClaimedUntil\" = @c", ("c", Claim)));

        // Its sweep's claim, then its release, then its clear.
        var later = Claim.AddMinutes(1);
        await database.ExecuteAsync("UPDATE head_shot_jobs SET \"PublishClaimedUntil\" = @c WHERE \"RequestId\" = @r", ("c", later), ("r", settled));
        Assert.Equal(1L, await OwedCountAsync(database, settled, "\"ClaimedUntil\" = @c", ("c", later)));
        await database.ExecuteAsync("UPDATE head_shot_jobs SET \"PublishClaimedUntil\" = NULL WHERE \"RequestId\" = @r", ("r", settled));
        Assert.Equal(1L, await OwedCountAsync(database, settled, "\"ClaimedUntil\" IS NULL"));
        await database.ExecuteAsync(
            "UPDATE head_shot_jobs SET \"TerminalEventPending\" = FALSE, \"PublishClaimedUntil\" = NULL WHERE \"RequestId\" = @r", ("r", settled));
        Assert.Equal(0L, await OwedCountAsync(database, settled, "TRUE"));

        // A job it inserts already owing its event (a request refused before ModelsLab) owes it here too.
        await InsertAsync(database, inserted, owed: true, claim: null, state: "Failed");
        Assert.Equal(1L, await OwedCountAsync(database, inserted, "\"ClaimedUntil\" IS NULL"));

        // This release publishes it and deletes the row; the older release's mark is still set. An
        // update of the job row that does not name the mark (all this release's writes) copies nothing back.
        await database.ExecuteAsync(
            "DELETE FROM head_shot_owed_events WHERE \"TrackId\" = (SELECT \"TrackId\" FROM head_shot_jobs WHERE \"RequestId\" = @r)", ("r", inserted));
        await database.ExecuteAsync(
            "UPDATE head_shot_jobs SET \"UpdatedAt\" = @now, \"Version\" = \"Version\" + 1 WHERE \"RequestId\" = @r", ("now", DateTime.UtcNow), ("r", inserted));
        Assert.Equal(0L, Convert.ToInt64(await database.ScalarAsync("SELECT count(*) FROM head_shot_owed_events")));
    }

    private static Task InsertAsync(JobStoreDatabase database, Guid requestId, bool owed, DateTime? claim, string state = "Completed") =>
        database.ExecuteAsync(
            "INSERT INTO head_shot_jobs (\"RequestId\", \"State\", \"CreatedAt\", \"UpdatedAt\", \"PollAttempts\", \"Outputs\", \"TerminalEventPending\", \"PublishClaimedUntil\", \"Version\") " +
            "VALUES (@r, @s, @now, @now, 0, '{}', @o, @c, 0)",
            ("r", requestId), ("s", state), ("now", DateTime.UtcNow), ("o", owed), ("c", claim));

    private static async Task<long> OwedCountAsync(JobStoreDatabase database, Guid requestId, string condition, params (string Name, object? Value)[] parameters) =>
        Convert.ToInt64(await database.ScalarAsync(
            "SELECT count(*) FROM head_shot_owed_events AS o JOIN head_shot_jobs AS j ON j.\"TrackId\" = o.\"TrackId\" " +
            $"WHERE j.\"RequestId\" = @r AND {condition}", [("r", requestId), .. parameters]));
}
