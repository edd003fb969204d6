using System.Net;
using System.Text;
using HeadShotEvents.Contracts;
using HeadShotEvents.Service.Outcomes;
using HeadShotEvents.Service.Tests.Infrastructure;
using HeadShotEvents.Testing;
using static HeadShotEvents.Service.Tests.JobLog.Timelines;

namespace HeadShotEvents.Service.Tests.JobLog;

/// <summary>GET /headshots/{id}/timeline: what happened to a request, through the simulator over real HTTP and RabbitMQ.</summary>
public sealed class JobTimelineTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_request_shows_accepted_submitted_its_callback_settled_and_published_in_order(bool sqlite)
    {
        // Two seconds to generate, not 200 ms: the submitter must record ModelsLab's answer (and its
        // eta) before the webhook settles the job, or the Submitted entry has no etaSeconds.
        await using var pipeline = await Pipeline.StartAsync(new ServiceApplication.Options
        {
            UseSqlite = sqlite,
            Simulator = new Dictionary<string, string?> { ["Simulator:GenerationTime"] = "00:00:02" },
        });
        var request = Pipeline.Request();

        await pipeline.PublishAsync(request);
        await pipeline.WaitForTerminalAsync(request.RequestId);
        // The callback's entry is buffered by the request's thread and can be stored after the publish's.
        var timeline = await UntilAsync(pipeline.Service, request.RequestId, t => Has(t, "Published") && Has(t, "Callback", "completed"),
            "the Published entry and the completed callback");

        var kinds = Kinds(timeline);
        Assert.Equal(["Accepted", "Submitted"], kinds.Take(2));
        Assert.Equal(["Settled", "Published"], kinds.TakeLast(2));
        Assert.All(kinds.Skip(2).SkipLast(2), kind => Assert.Equal("Callback", kind));
        var entries = Entries(timeline);
        Assert.Equal("completed", (string?)entries[^3]["outcome"]);
        Assert.InRange(entries.Count, 5, 6); // a processing callback may come first
        Assert.Equal(entries.Select(e => (DateTimeOffset)e["at"]!).Order(), entries.Select(e => (DateTimeOffset)e["at"]!));

        var job = await pipeline.Service.JobAsync(request.RequestId);
        var submitted = entries[1];
        Assert.Equal(job!.ModelsLabId, (string?)submitted["modelsLabId"]);
        Assert.InRange((double)submitted["etaSeconds"]!, 0.001, 3600);
        Assert.Equal("Completed", (string?)entries[^2]["outcome"]);
        Assert.Equal(EventIds.Terminal(request.RequestId), (Guid)entries[^1]["messageId"]!);
        Assert.Equal("HeadShotCompleted", (string?)entries[^1]["detail"]);
        Assert.Equal("Completed", (string?)timeline["state"]);
        Assert.False((bool)timeline["truncated"]!);
        Assert.Matches("^[0-9a-f]{32}$", (string?)timeline["traceId"]);
    }

    [Fact]
    public async Task A_duplicated_webhook_shows_up_as_a_duplicate_callback()
    {
        await using var pipeline = await Pipeline.StartAsync(new ServiceApplication.Options
        {
            Simulator = new Dictionary<string, string?> { ["Simulator:Faults:DuplicateWebhookShare"] = "1.0" },
        });
        var request = Pipeline.Request();

        await pipeline.PublishAsync(request);
        await pipeline.WaitForTerminalAsync(request.RequestId);
        var timeline = await UntilAsync(pipeline.Service, request.RequestId, t => Has(t, "Callback", "duplicate") && Has(t, "Published"),
            "the duplicate callback and the publish");

        var callbacks = Entries(timeline).Where(e => (string?)e["kind"] == "Callback").Select(e => (string?)e["outcome"]).ToList();
        Assert.Equal(1, callbacks.Count(o => o == "completed"));
        Assert.Equal(1, callbacks.Count(o => o == "duplicate"));
        Assert.Single(Entries(timeline), e => (string?)e["kind"] == "Published");
        var kinds = Kinds(timeline).ToList();
        Assert.True(kinds.IndexOf("Settled") < kinds.LastIndexOf("Callback"), string.Join(", ", kinds));
    }

    [Fact]
    public async Task A_poll_that_brings_the_result_shows_up_before_the_settlement()
    {
        await using var pipeline = await Pipeline.StartAsync(new ServiceApplication.Options
        {
            Simulator = new Dictionary<string, string?> { ["Simulator:Faults:DropWebhookShare"] = "1.0" },
            Settings = ReconcilerTests.FastReconciler,
        });
        var request = Pipeline.Request();

        await pipeline.PublishAsync(request);
        await pipeline.WaitForTerminalAsync(request.RequestId);
        var timeline = await UntilAsync(pipeline.Service, request.RequestId, t => Has(t, "Published"), "the Published entry");

        var entries = Entries(timeline);
        var polls = entries.Where(e => (string?)e["kind"] == "Poll").ToList();
        Assert.InRange(polls.Count, 1, 20);
        Assert.Equal("success", (string?)polls[^1]["outcome"]);
        Assert.DoesNotContain(entries, e => (string?)e["kind"] == "Callback");
        var kinds = Kinds(timeline).ToList();
        Assert.Equal(kinds.IndexOf("Settled") - 1, kinds.LastIndexOf("Poll"));
        Assert.EndsWith("delivered by Poll.", (string?)entries[kinds.IndexOf("Settled")]["detail"]);
    }

    [Fact]
    public async Task The_stored_timeline_never_holds_the_token_the_prompt_the_face_image_or_a_key()
    {
        await using var waiting = await WaitingJob.StartAsync();
        var service = waiting.Pipeline.Service;
        var request = Pipeline.Request();
        // ModelsLab echoes the request in its callback's meta: the prompt and the face image arrive with it. The
        // unknown status quotes the token: a refusal's detail would repeat it.
        var echo = $$"""
            "meta":{"prompt":"{{request.Prompt}}","init_image":"{{request.FaceImage}}","key":"{{service.Simulator.ApiKey}}"}
            """;
        var job = waiting.Job;
        string[] bodies =
        [
            $$"""{"status":"processing","id":{{job.ModelsLabId}},"track_id":"{{job.TrackId}}",{{echo}}}""",
            $$"""{"status":"{{waiting.Token[..20]}}","id":{{job.ModelsLabId}},"track_id":"{{job.TrackId}}",{{echo}}}""",
            $$"""{"status":"success","id":{{job.ModelsLabId}},"track_id":"{{job.TrackId + 1}}",{{echo}}}""",
            $$"""{"status":"success","id":{{job.ModelsLabId}},"output":["https://pub.r2.dev/temp/x-0.png"],"track_id":"{{job.TrackId}}",{{echo}}}""",
        ];
        foreach (var body in bodies)
        {
            using var response = await waiting.PostAsync(waiting.Token, body, "application/json");
        }

        var timeline = await UntilAsync(service, job.RequestId, t => Has(t, "Published") && Entries(t).Count(e => (string?)e["kind"] == "Callback") == 4,
            "four callbacks and the publish");

        Assert.Equal(["processing", "unknown-status", "mismatch", "completed"],
            Entries(timeline).Where(e => (string?)e["kind"] == "Callback").Select(e => (string?)e["outcome"]));
        var stored = await StoredTextAsync(service);
        Assert.Contains("unknown-status", stored, StringComparison.Ordinal);
        foreach (var secret in new[] { waiting.Token, waiting.Token[..20], request.Prompt, request.FaceImage, service.Simulator.ApiKey })
        {
            Assert.DoesNotContain(secret, stored, StringComparison.Ordinal);
        }

        var answered = Encoding.UTF8.GetString(await service.HttpClient.GetByteArrayAsync($"headshots/{job.RequestId}/timeline"));
        Assert.DoesNotContain(waiting.Token[..20], answered, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_request_has_no_timeline()
    {
        await using var service = await ServiceApplication.StartAsync(new ServiceApplication.Options { UseSqlite = true, Roles = "Api" });

        using var response = await service.HttpClient.GetAsync($"headshots/{Guid.NewGuid()}/timeline");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
