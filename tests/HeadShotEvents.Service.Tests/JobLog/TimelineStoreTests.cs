using System.Diagnostics.Metrics;
using HeadShotEvents.Service.Jobs;
using HeadShotEvents.Service.Timeline;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static HeadShotEvents.Service.Tests.JobLog.JobLogSeed;

namespace HeadShotEvents.Service.Tests.JobLog;

/// <summary>The timeline's bounds: per job in the store, and in memory before it.</summary>
public sealed class TimelineStoreTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_store_keeps_at_most_64_entries_a_job_and_marks_the_rest_as_truncated(bool sqlite)
    {
        await using var service = await ApiOnlyAsync(sqlite);
        var (busy, quiet) = (Job(Noon), Job(Noon.AddMinutes(1)));
        await AddAsync(service, busy, quiet);

        // One batch past the bound, another job's entry in the middle of it; then more in a later batch.
        var first = Enumerable.Range(0, 70).Select(i => Poll(busy, i)).ToList();
        first.Insert(35, Poll(quiet, 0));
        await AppendAsync(service, first);
        await AppendAsync(service, [.. Enumerable.Range(70, 3).Select(i => Poll(busy, i))]);

        await using var scope = service.Services.CreateAsyncScope();
        var stored = await scope.ServiceProvider.GetRequiredService<JobsDbContext>().TimelineEntries.AsNoTracking()
            .Where(e => e.TrackId == busy.TrackId).OrderBy(e => e.Slot).ToListAsync();
        Assert.Equal(TimelineEntry.MaxPerJob, stored.Count);
        Assert.Equal(Enumerable.Range(0, 63).Select(i => $"poll {i}"), stored.Take(63).Select(e => e.Detail));
        Assert.Equal(TimelineKind.Truncated, stored[^1].Kind);
        Assert.Equal(1, await Timelines.StoredCountAsync(service, quiet.TrackId));

        var timeline = await Timelines.GetAsync(service, busy.RequestId);
        Assert.True((bool)timeline["truncated"]!);
        Assert.Equal(2 + 63, Timelines.Entries(timeline).Count); // Accepted and Settled come from the row
        Assert.False((bool)(await Timelines.GetAsync(service, quiet.RequestId))["truncated"]!);
    }

    [Fact]
    public void A_full_buffer_drops_new_entries_and_counts_them_instead_of_waiting()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = services.GetRequiredService<IMeterFactory>();
        long dropped = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, meters) && instrument.Name == "headshot.timeline.dropped")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref dropped, value));
        listener.Start();
        var timeline = new JobTimeline(Options.Create(new TimelineOptions { Capacity = 16 }), new TimelineMetrics(meters), TimeProvider.System);

        for (var i = 0; i < 20; i++)
        {
            timeline.Poll(1, DateTime.UtcNow, "processing");
        }

        Assert.Equal(4, Interlocked.Read(ref dropped));
        Assert.Equal(4, timeline.TakeDropped());
        Assert.Equal(16, timeline.Reader.Count);
    }

    private static TimelineRecord Poll(HeadShotJob job, int i) =>
        new(job.TrackId, Noon.AddSeconds(1 + i), TimelineKind.Poll, "processing", $"poll {i}");

    private static async Task AppendAsync(Infrastructure.ServiceApplication service, IReadOnlyList<TimelineRecord> records)
    {
        await using var scope = service.Services.CreateAsyncScope();
        Assert.Empty(await scope.ServiceProvider.GetRequiredService<TimelineStore>().AppendAsync(records, default));
    }
}
