using HeadShotEvents.Service.Jobs;
using HeadShotEvents.Service.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HeadShotEvents.Service.Tests;

/// <summary>
/// The submit claim with its room check (one statement on PostgreSQL, two on SQLite): an Accepted
/// job is taken only while fewer than the limit are at ModelsLab, a full queue changes nothing, and
/// a job another delivery took is reported as taken, not as waiting for room.
/// </summary>
public sealed class SubmitClaimTests
{
    private const string TraceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_accepted_job_is_claimed_only_while_modelslab_has_room(bool sqlite)
    {
        await using var service = await ServiceApplication.StartAsync(new ServiceApplication.Options { Roles = "Api", UseSqlite = sqlite });
        var (accepted, atModelsLab) = await SeedAsync(service, atModelsLab: 4);
        var now = DateTime.UtcNow;

        await using (var scope = service.Services.CreateAsyncScope())
        {
            var store = scope.ServiceProvider.GetRequiredService<JobStore>();
            Assert.Equal((SubmitClaim.NoRoom, atModelsLab), await store.ClaimIfRoomAsync(accepted, atModelsLab, now, now.AddMinutes(1), TraceParent, null, CancellationToken.None));
            // Room for one, but one place is held back for a job the count cannot see yet (a slot in flight).
            Assert.Equal((SubmitClaim.NoRoom, atModelsLab), await store.ClaimIfRoomAsync(accepted, atModelsLab + 1, now, now.AddMinutes(1), TraceParent, null, CancellationToken.None, reserved: 1));
        }

        var untouched = await RowAsync(service, accepted);
        Assert.Equal(JobState.Accepted, untouched.State);
        Assert.Equal(0, untouched.Version);
        Assert.Null(untouched.SubmittedAt);

        await using (var scope = service.Services.CreateAsyncScope())
        {
            var store = scope.ServiceProvider.GetRequiredService<JobStore>();
            // The count is the one before this claim.
            Assert.Equal((SubmitClaim.Claimed, atModelsLab), await store.ClaimIfRoomAsync(accepted, atModelsLab + 1, now, now.AddMinutes(1), TraceParent, "k=v", CancellationToken.None));
        }

        var claimed = await RowAsync(service, accepted);
        Assert.Equal(JobState.Submitting, claimed.State);
        Assert.Equal(1, claimed.Version);
        Assert.Equal(TraceParent, claimed.TraceParent);
        Assert.Equal("k=v", claimed.TraceState);
        Assert.NotNull(claimed.SubmittedAt);
        Assert.InRange(claimed.NextPollAt!.Value, now.AddSeconds(59), now.AddSeconds(61));

        await using (var scope = service.Services.CreateAsyncScope())
        {
            var store = scope.ServiceProvider.GetRequiredService<JobStore>();
            // Taken (by us, above) and the queue now full: taken is the answer, so nobody waits for room in vain.
            Assert.Equal((SubmitClaim.TakenByAnother, atModelsLab + 1), await store.ClaimIfRoomAsync(accepted, atModelsLab + 1, now, now.AddMinutes(1), null, null, CancellationToken.None));
            // Counted up to the limit asked about, never past it.
            Assert.Equal((SubmitClaim.TakenByAnother, atModelsLab + 1), await store.ClaimIfRoomAsync(accepted, 100, now, now.AddMinutes(1), null, null, CancellationToken.None));
            Assert.Equal((SubmitClaim.TakenByAnother, 3), await store.ClaimIfRoomAsync(accepted, 3, now, now.AddMinutes(1), null, null, CancellationToken.None));
        }

        Assert.Equal(1, (await RowAsync(service, accepted)).Version);
    }

    private static async Task<HeadShotJob> RowAsync(ServiceApplication service, long trackId)
    {
        await using var scope = service.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<JobsDbContext>();
        return await db.Jobs.AsNoTracking().SingleAsync(j => j.TrackId == trackId);
    }

    private static async Task<(long Accepted, int AtModelsLab)> SeedAsync(ServiceApplication service, int atModelsLab)
    {
        await using var scope = service.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<JobsDbContext>();
        var now = DateTime.UtcNow;
        HeadShotJob Job(JobState state) => new() { RequestId = Guid.NewGuid(), State = state, CreatedAt = now, UpdatedAt = now };
        // Settled and not-yet-sent jobs do not count against ModelsLab's queue; Submitting and Processing do.
        db.Jobs.AddRange(Enumerable.Range(0, atModelsLab).Select(i => Job(i % 2 == 0 ? JobState.Processing : JobState.Submitting)));
        db.Jobs.AddRange(Job(JobState.Completed), Job(JobState.Failed), Job(JobState.Accepted), Job(JobState.OutcomeUnknown));
        var accepted = Job(JobState.Accepted);
        db.Jobs.Add(accepted);
        await db.SaveChangesAsync();
        return (accepted.TrackId, atModelsLab);
    }
}
