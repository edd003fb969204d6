using System.Net.Http.Json;
using System.Text.Json;
using HeadShotEvents.Operating.Tests.Infrastructure;
using HeadShotEvents.Simulator;
using HeadShotEvents.Testing;

namespace HeadShotEvents.Operating.Tests.Cli;

/// <summary><c>headshots status</c>, <c>list</c> and <c>replay</c>, and how the CLI fails, run as processes.</summary>
public sealed class CliJobLogTests(OperatedServiceFixture fixture) : IClassFixture<OperatedServiceFixture>
{
    private OperatedService Service => fixture.Service;

    [Fact]
    public async Task Status_shows_a_job_and_its_timeline()
    {
        var request = OperatedService.Request();
        await Service.SubmitAndSettleAsync(request);

        var run = await CliProcess.RunAsync(["status", request.RequestId.ToString()], Service.CliEnvironment);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"requestId\t{request.RequestId}", run.Lines);
        Assert.Contains("state\tCompleted", run.Lines);
        Assert.Single(run.Lines, l => l.StartsWith("output.0\thttp://", StringComparison.Ordinal));
        var kinds = run.Lines.Where(l => l.StartsWith("timeline\t", StringComparison.Ordinal)).Select(l => l.Split('\t')[2]).ToList();
        Assert.Equal(["Accepted", "Submitted"], kinds.Take(2));
        Assert.Contains("Settled", kinds);

        var json = await CliProcess.RunAsync(["status", request.RequestId.ToString(), "--json"], Service.CliEnvironment);
        Assert.True(json.ExitCode == 0, json.ToString());
        using var status = JsonDocument.Parse(json.Out);
        Assert.Equal(request.RequestId, status.RootElement.GetProperty("requestId").GetGuid());
        Assert.Equal("Completed", status.RootElement.GetProperty("state").GetString());
        Assert.Equal(1, status.RootElement.GetProperty("outputs").GetArrayLength());
    }

    [Fact]
    public async Task Status_of_an_unknown_request_exits_3_with_the_services_problem()
    {
        var unknown = Guid.NewGuid();

        var run = await CliProcess.RunAsync(["status", unknown.ToString()], Service.CliEnvironment);

        Assert.Equal(3, run.ExitCode);
        Assert.Contains("error: the service answered 404 Unknown request: No head shot is known with RequestId " + unknown, run.Error, StringComparison.Ordinal);
        Assert.Equal("", run.Out);
    }

    [Fact]
    public async Task List_with_a_metadata_and_state_filter_shows_only_the_matching_jobs()
    {
        var batch = Guid.NewGuid().ToString("N");
        var first = OperatedService.Request(new Dictionary<string, string> { ["batch"] = batch });
        var second = OperatedService.Request(new Dictionary<string, string> { ["batch"] = batch });
        var other = OperatedService.Request(new Dictionary<string, string> { ["batch"] = "other-" + batch });
        foreach (var request in new[] { first, second, other })
        {
            await Service.SubmitAndSettleAsync(request);
        }

        var run = await CliProcess.RunAsync(["list", "--metadata", $"batch={batch}", "--state", "Completed"], Service.CliEnvironment);
        var json = await CliProcess.RunAsync(["list", "--metadata", $"batch={batch}", "--limit", "1", "--json"], Service.CliEnvironment);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("requestId\tstate\tcreatedAt\ttrackId\toutputs\tmetadata", run.Lines[0]);
        // Newest first.
        Assert.Equal([second.RequestId, first.RequestId], run.Lines.Skip(1).Select(l => Guid.Parse(l.Split('\t')[0])));
        Assert.All(run.Lines.Skip(1), l => Assert.Equal("Completed", l.Split('\t')[1]));

        Assert.True(json.ExitCode == 0, json.ToString());
        using var page = JsonDocument.Parse(json.Out);
        Assert.Equal(second.RequestId, page.RootElement.GetProperty("items")[0].GetProperty("requestId").GetGuid());
        Assert.Equal(1, page.RootElement.GetProperty("items").GetArrayLength());
        var cursor = page.RootElement.GetProperty("nextCursor").GetString();
        Assert.False(string.IsNullOrEmpty(cursor));

        var next = await CliProcess.RunAsync(["list", "--metadata", $"batch={batch}", "--limit", "1", "--cursor", cursor!], Service.CliEnvironment);
        Assert.Equal([first.RequestId], next.Lines.Skip(1).Where(l => !l.StartsWith("nextCursor", StringComparison.Ordinal)).Select(l => Guid.Parse(l.Split('\t')[0])));
    }

    [Fact]
    public async Task List_with_a_state_the_service_does_not_know_exits_2_before_any_HTTP()
    {
        var before = Service.Requests.Count;

        var run = await CliProcess.RunAsync(["list", "--state", "Done"], Service.CliEnvironment);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--state must be one of Accepted, Submitting, Processing, OutcomeUnknown, Completed, Failed; got 'Done'.", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(Service.Requests.Skip(before), r => r.Contains("/headshots", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Replay_republishes_the_terminal_event_and_the_timeline_records_it()
    {
        var request = OperatedService.Request();
        await Service.SubmitAndSettleAsync(request);

        var run = await CliProcess.RunAsync(["replay", request.RequestId.ToString()], Service.CliEnvironment);

        Assert.True(run.ExitCode == 0, run.ToString());
        var line = Assert.Single(run.Lines);
        Assert.Matches($"^replayed requestId={request.RequestId} event=HeadShotCompleted messageId=[0-9a-f-]{{36}} queue=\\*$", line);
        var status = await CliProcess.RunAsync(["status", request.RequestId.ToString()], Service.CliEnvironment);
        var replayed = Assert.Single(status.Lines, l => l.StartsWith("timeline\t", StringComparison.Ordinal) && l.Split('\t')[2] == "Replayed");
        Assert.Contains("messageId=" + line.Split("messageId=")[1].Split(' ')[0], replayed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_of_a_job_that_is_not_settled_exits_3_with_the_services_409()
    {
        // A job whose webhook never comes (and no reconciler in this service) stays Processing.
        var request = OperatedService.Request();
        await Service.App.Simulator.SetFaultsAsync(new SimulatorFaults { DropWebhookShare = 1 });
        try
        {
            using var posted = await Service.Http.PostAsJsonAsync("headshots", request, new JsonSerializerOptions(JsonSerializerDefaults.Web));
            posted.EnsureSuccessStatusCode();
            await Eventually.UntilAsync(
                () => Service.Http.GetFromJsonAsync<JsonElement>($"headshots/{request.RequestId}"),
                // POST, broker, submitter, simulator and database: more than the default 10 s on a loaded machine.
                s => s.GetProperty("state").GetString() == "Processing", TimeSpan.FromSeconds(30), "the job to be submitted");
        }
        finally
        {
            await Service.App.Simulator.SetFaultsAsync(new SimulatorFaults());
        }

        var run = await CliProcess.RunAsync(["replay", request.RequestId.ToString(), "--queue", "archive-head-shot"], Service.CliEnvironment);

        Assert.Equal(3, run.ExitCode);
        Assert.Contains($"error: the service answered 409 Not settled yet: Request {request.RequestId} has no terminal event yet", run.Error, StringComparison.Ordinal);
        Assert.Equal("", run.Out);
    }

    [Fact]
    public async Task A_wrong_API_key_exits_3_with_the_services_401_and_a_hint()
    {
        var run = await CliProcess.RunAsync(
            ["list", "--api-key", "not-the-key-0123456789"],
            new Dictionary<string, string> { ["HEADSHOTS_URL"] = Service.BaseAddress.AbsoluteUri });

        Assert.Equal(3, run.ExitCode);
        Assert.Contains("error: the service answered 401 API key required: Send the API key in the X-Api-Key header.", run.Error, StringComparison.Ordinal);
        Assert.Contains("--api-key or $HEADSHOTS_API_KEY", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-key", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_URL_exits_4_naming_it()
    {
        // A port that was free a moment ago: nothing listens there.
        var port = LoopbackPorts.Free();

        var run = await CliProcess.RunAsync(["status", Guid.NewGuid().ToString(), "--url", $"http://127.0.0.1:{port}"]);

        Assert.Equal(4, run.ExitCode);
        Assert.Contains($"error: The service at http://127.0.0.1:{port}/ did not answer", run.Error, StringComparison.Ordinal);
        Assert.Contains("Connection refused", run.Error, StringComparison.Ordinal);
    }
}
