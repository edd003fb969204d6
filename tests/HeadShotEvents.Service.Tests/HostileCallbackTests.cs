using System.Net;
using HeadShotEvents.Contracts;
using HeadShotEvents.Service.Jobs;
using HeadShotEvents.Service.Tests.Infrastructure;
using static HeadShotEvents.Service.Tests.HostileRequests;

namespace HeadShotEvents.Service.Tests;

/// <summary>
/// One running receiver, one job waiting for its callback, and every case of the hostile
/// catalogue sent at it in turn: each gets its status code, publishes nothing, leaves the job as
/// it was, and leaves the service healthy for the next.
/// </summary>
public sealed class HostileCallbackTests(HostileCallbackTests.Receiver receiver) : IClassFixture<HostileCallbackTests.Receiver>
{
    public sealed class Receiver : IAsyncLifetime
    {
        public WaitingJob Waiting { get; private set; } = null!;

        public async Task InitializeAsync() => Waiting = await WaitingJob.StartAsync();

        public async Task DisposeAsync() => await Waiting.DisposeAsync();
    }

    public static TheoryData<string> Cases => HostileCallbackCases.Names();

    [Fact]
    public void The_catalogue_has_at_least_forty_distinct_cases() =>
        Assert.True(HostileCallbackCases.All.Select(c => c.Name).Distinct().Count() >= 40);

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_hostile_callback_gets_its_status_publishes_nothing_and_changes_nothing(string name)
    {
        var hostile = HostileCallbackCases.Named(name);
        var waiting = receiver.Waiting;

        var answer = await hostile.Send(waiting);

        Assert.Equal(hostile.Expected, answer.Status);
        if (hostile.Title is { } title)
        {
            Assert.Contains(title, answer.Body, StringComparison.Ordinal);
        }

        await waiting.AssertUnchangedAsync();
        using var health = await waiting.Pipeline.Service.HttpClient.GetAsync("health/ready");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    /// <summary>
    /// The catalogue's bodies are each one defect away from this one, which is accepted: without
    /// this, a case could pass by being refused for some other reason.
    /// </summary>
    [Fact]
    public async Task The_catalogue_baseline_is_accepted_and_every_replay_after_completion_is_a_duplicate()
    {
        await using var waiting = await WaitingJob.StartAsync();
        var first = await PostAsync(waiting, waiting.Token, Callback(waiting));
        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Contains("\"completed\"", first.Body, StringComparison.Ordinal);
        var completed = await waiting.Pipeline.Service.JobAsync(waiting.Job.RequestId);

        string[] replays =
        [
            Callback(waiting),
            Callback(waiting, output: Outputs("https://pub.r2.dev/other.png")),
            Callback(waiting, status: "\"failed\"", extra: ",\"message\":\"it failed after all\""),
            Callback(waiting, status: "\"processing\""),
        ];
        foreach (var replay in replays)
        {
            var answer = await PostAsync(waiting, waiting.Token, replay);
            Assert.Equal(HttpStatusCode.OK, answer.Status);
        }

        var now = await waiting.Pipeline.Service.JobAsync(waiting.Job.RequestId);
        Assert.Equal(JobState.Completed, now!.State);
        Assert.Equal(completed!.Version, now.Version);
        Assert.Equal(["https://pub-3626123a.r2.dev/temp/x-0.png"], now.Outputs);
        // A second publish a replay caused would still be on its way: the marker's terminal event,
        // heard and confirmed, comes after it.
        var marker = await waiting.Pipeline.SettleAsync();
        await waiting.Pipeline.WaitForPublishedTerminalAsync(waiting.Job.RequestId, marker);
        Assert.Equal(2, waiting.Pipeline.Published.Terminal); // the job's and the marker's
        Assert.Single(waiting.Pipeline.Archiver.Received.All<HeadShotCompleted>());
    }
}
