using System.Reflection;
using System.Text.Json;
using HeadShotEvents.Contracts;
using HeadShotEvents.Service.Jobs;
using HeadShotEvents.Service.Jobs.GroupCommit;
using HeadShotEvents.Service.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HeadShotEvents.Service.Tests;

/// <summary>
/// The webhook's batched read on PostgreSQL is written by hand (no EF Core query): every property
/// of every row it returns must be what EF reads from the same row, including ones added to
/// <see cref="HeadShotJob"/> later (the comparison walks the type's properties).
/// </summary>
public sealed class HotPathReadTests
{
    private static readonly PropertyInfo[] Properties = typeof(HeadShotJob).GetProperties(BindingFlags.Public | BindingFlags.Instance);

    [Fact]
    public async Task The_batched_read_gives_every_property_as_EF_reads_it_and_nothing_for_an_unknown_job()
    {
        await using var service = await ServiceApplication.StartAsync(new ServiceApplication.Options { Roles = "Api" });
        var now = DateTime.UtcNow;
        var full = new HeadShotJob
        {
            RequestId = Guid.NewGuid(),
            ModelsLabId = "ml-full",
            State = JobState.Failed,
            TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
            TraceState = "vendor=a",
            CreatedAt = now.AddMinutes(-9),
            UpdatedAt = now.AddMinutes(-1),
            SubmittedAt = now.AddMinutes(-8),
            FinishedAt = now.AddMinutes(-2),
            NextPollAt = now.AddMinutes(3),
            PollAttempts = 4,
            EtaSeconds = 12.5,
            Outputs = ["https://pub-3626123a.r2.dev/temp/a-0.png", "https://pub-3626123a.r2.dev/temp/a-1.png"],
            OutputsExpireAt = now.AddHours(24),
            Delivery = HeadShotDelivery.Poll,
            GenerationSeconds = 3.25,
            FailureReason = HeadShotFailureReason.TimedOut,
            FailureMessage = "NSFW content detected \"quoted\" ü",
            FieldErrors = new Dictionary<string, string[]> { ["prompt"] = ["too long", "odd"] },
            RequestFingerprint = "sha256:abc",
            Metadata = new Dictionary<string, string> { ["order"] = "A-17", ["ü"] = "\"x\"" },
            TerminalEventPending = true,
            PublishClaimedUntil = now.AddSeconds(30),
            Version = 7,
        };
        var sparse = new HeadShotJob { RequestId = Guid.NewGuid(), State = JobState.Accepted, CreatedAt = now, UpdatedAt = now };
        var odd = new HeadShotJob { RequestId = Guid.NewGuid(), State = JobState.Accepted, CreatedAt = now, UpdatedAt = now };

        await using (var scope = service.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<JobsDbContext>();
            db.Jobs.AddRange(full, sparse, odd);
            await db.SaveChangesAsync();
            // Enum columns as EF does not write them but may find them (by hand; a newer release's state during its rollout).
            await db.Database.ExecuteSqlAsync($"""
                UPDATE head_shot_jobs SET "State" = 'processing', "Delivery" = 'webhook', "FailureReason" = '3' WHERE "TrackId" = {odd.TrackId}
                """);
        }

        var ids = new[] { full.TrackId, sparse.TrackId, full.TrackId, odd.TrackId, long.MaxValue };
        var hotPath = service.Services.GetRequiredService<HotPathStore>();
        var read = await Task.WhenAll(ids.Select(id => hotPath.FindAsync(id, CancellationToken.None)));

        Dictionary<long, HeadShotJob> expected;
        await using (var scope = service.Services.CreateAsyncScope())
        {
            expected = await scope.ServiceProvider.GetRequiredService<JobsDbContext>().Jobs.AsNoTracking().ToDictionaryAsync(j => j.TrackId);
        }

        // Every property of the full row as stored differs from its default, so a column the read left out cannot compare equal by accident.
        Assert.All(Properties.Where(p => p.Name != nameof(HeadShotJob.TrackId)), p =>
            Assert.False(IsDefault(p.GetValue(expected[full.TrackId])), $"{p.Name} is at its default in the full row"));
        Assert.Equal(JobState.Processing, expected[odd.TrackId].State);

        for (var i = 0; i < 4; i++)
        {
            Assert.NotNull(read[i]);
            Assert.All(Properties, p => Assert.Equal(Canonical(p.GetValue(expected[ids[i]])), Canonical(p.GetValue(read[i]))));
        }

        Assert.Null(read[4]);

        // A name the enum does not have: refused both ways, as an error, not read as some other value.
        await using (var scope = service.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<JobsDbContext>();
            await db.Database.ExecuteSqlAsync($"""UPDATE head_shot_jobs SET "Delivery" = 'Carrier pigeon' WHERE "TrackId" = {odd.TrackId}""");
            await Assert.ThrowsAsync<InvalidOperationException>(() => db.Jobs.AsNoTracking().SingleAsync(j => j.TrackId == odd.TrackId));
        }

        await Assert.ThrowsAsync<InvalidOperationException>(() => hotPath.FindAsync(odd.TrackId, CancellationToken.None));
    }

    private static bool IsDefault(object? value) => value switch
    {
        null => true,
        string text => text.Length == 0,
        System.Collections.ICollection collection => collection.Count == 0,
        _ => value.Equals(Activator.CreateInstance(value.GetType())),
    };

    /// <summary>A value as comparable text: collections by content, times with their kind ("Z" only for UTC).</summary>
    private static string Canonical(object? value) => value switch
    {
        null => "null",
        DateTime time => time.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        _ => JsonSerializer.Serialize(value),
    };
}
