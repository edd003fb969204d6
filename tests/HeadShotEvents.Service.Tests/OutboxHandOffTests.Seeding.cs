using System.Text.Json;
using HeadShotEvents.Contracts;
using HeadShotEvents.Service.Jobs;
using HeadShotEvents.Service.Outbox;
using HeadShotEvents.Service.Tests.Infrastructure;
using HeadShotEvents.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace HeadShotEvents.Service.Tests;

/// <summary>The outbox tests' seeding and reading: jobs, settlements, the dispatcher.</summary>
public sealed partial class OutboxHandOffTests
{
    private static Task DispatcherTakesHandOffsAsync(ServiceApplication service) =>
        Eventually.UntilAsync(() => Task.FromResult(service.Services.GetRequiredService<OwedEvents>().TakesHandOffs), takes => takes,
            TimeSpan.FromSeconds(10), "the dispatcher to take hand-offs");

    private static EventDispatcher Dispatcher(ServiceApplication service) =>
        service.Services.GetServices<IHostedService>().OfType<EventDispatcher>().Single();

    private static string Json(object message) => JsonSerializer.Serialize(message, message.GetType());

    private static JobSettlement Completed(DateTime now) =>
        new JobSettlement(JobState.Completed, now, null, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "vendor=a")
        {
            Outputs = ["https://pub-3626123a.r2.dev/temp/a-0.png", "https://pub-3626123a.r2.dev/temp/a-1.png"],
            OutputsExpireAt = now.AddHours(24),
            Delivery = HeadShotDelivery.Webhook,
            GenerationSeconds = 3.25,
        };

    private static JobSettlement Failed(DateTime now) =>
        new JobSettlement(JobState.Failed, now, "ml-new", null, null)
        {
            FailureReason = HeadShotFailureReason.GenerationFailed,
            FailureMessage = "NSFW content detected \"quoted\" ü",
            FieldErrors = new Dictionary<string, string[]> { ["prompt"] = ["too long", "odd"] },
        };

    private static async Task<List<HeadShotJob>> RowsAsync(ServiceApplication service)
    {
        await using var scope = service.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<JobsDbContext>().Jobs.AsNoTracking().ToListAsync();
    }

    /// <summary>Jobs with metadata and a ModelsLab id on every other one, so the event's every column is exercised.</summary>
    private static async Task<List<long>> SeedAsync(ServiceApplication service, int count, JobState state, DateTime? claimedUntil = null)
    {
        await using var scope = service.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<JobsDbContext>();
        var now = DateTime.UtcNow;
        var jobs = Enumerable.Range(0, count).Select(i => new HeadShotJob
        {
            RequestId = Guid.NewGuid(),
            ModelsLabId = i % 2 == 0 ? $"ml-{i}" : null,
            State = state,
            CreatedAt = now.AddMinutes(-1),
            UpdatedAt = now,
            SubmittedAt = now,
            FinishedAt = state.IsTerminal() ? now : null,
            Outputs = state.IsTerminal() ? ["https://pub-3626123a.r2.dev/temp/x-0.png"] : [],
            TraceParent = "00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01",
            Metadata = i % 3 == 0 ? null : new Dictionary<string, string> { ["customer"] = $"c-{i}", ["quote"] = "\"ü\"" },
        }).ToList();
        db.Jobs.AddRange(jobs);
        await db.SaveChangesAsync();
        if (state.IsTerminal())
        {
            await OwedEventsTable.OweAsync(db, jobs.Select(j => j.TrackId), claimedUntil);
        }

        return jobs.Select(j => j.TrackId).ToList();
    }
}
