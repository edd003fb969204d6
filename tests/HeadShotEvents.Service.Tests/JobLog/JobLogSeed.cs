using HeadShotEvents.Service.Jobs;
using HeadShotEvents.Service.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace HeadShotEvents.Service.Tests.JobLog;

/// <summary>Job rows written straight into a service's store, with the times, states and metadata a test needs.</summary>
internal static class JobLogSeed
{
    public static readonly DateTime Noon = new(2026, 11, 20, 12, 0, 0, DateTimeKind.Utc);

    /// <summary>A service with only the Api role: nothing submits or settles the seeded rows behind the test's back.</summary>
    public static Task<ServiceApplication> ApiOnlyAsync(bool sqlite) =>
        ServiceApplication.StartAsync(new ServiceApplication.Options { UseSqlite = sqlite, Roles = "Api" });

    public static HeadShotJob Job(DateTime createdAt, JobState state = JobState.Completed, Dictionary<string, string>? metadata = null) => new()
    {
        RequestId = Guid.NewGuid(),
        State = state,
        CreatedAt = createdAt,
        UpdatedAt = createdAt,
        FinishedAt = state.IsTerminal() ? createdAt.AddSeconds(30) : null,
        Metadata = metadata,
    };

    public static async Task<IReadOnlyList<HeadShotJob>> AddAsync(ServiceApplication service, params HeadShotJob[] jobs)
    {
        await using var scope = service.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<JobsDbContext>();
        db.Jobs.AddRange(jobs);
        await db.SaveChangesAsync();
        return jobs;
    }
}
