using System.Net.Http.Json;
using System.Text.Json;
using HeadShotEvents.Operating.Tests.Infrastructure;
using HeadShotEvents.Simulator;
using HeadShotEvents.Testing;

namespace HeadShotEvents.Operating.Tests.Cli;

/// <summary><c>headshots submit</c> run as a process against the running service.</summary>
public sealed class CliSubmitTests(OperatedServiceFixture fixture) : IClassFixture<OperatedServiceFixture>, IDisposable
{
    /// <summary>This test's own files: the face it sends and the outputs it gets.</summary>
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("headshots-cli-");

    /// <summary>A 1×1 PNG: the validator checks the face's signature, not its content.</summary>
    private static readonly byte[] FacePng = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==");

    private OperatedService Service => fixture.Service;

    [Fact]
    public async Task Submit_with_wait_follows_the_job_to_Completed_and_saves_its_outputs_as_PNG_files()
    {
        var face = Path.Combine(_folder.FullName, "face.png");
        await File.WriteAllBytesAsync(face, FacePng);
        var outputs = Path.Combine(_folder.FullName, "out");
        var batch = Guid.NewGuid().ToString("N");

        // The webhook 2 s late: the submitter must record ModelsLab's answer (and its eta) before the
        // webhook settles the job, or the timeline's Submitted entry has no eta. Reset for the class's
        // other tests, which share this service.
        await Service.App.Simulator.SetFaultsAsync(new SimulatorFaults { WebhookDelay = TimeSpan.FromSeconds(2) });
        CliRun run;
        try
        {
            run = await CliProcess.RunAsync(
                ["submit", "pretty woman", "--face", face, "--width", "512", "--height", "512", "--num-inference-steps", "31",
                 "--guidance-scale", "4", "--samples", "1", "--metadata", $"batch={batch}", "--wait", "--out", outputs],
                Service.CliEnvironment);
        }
        finally
        {
            await Service.App.Simulator.SetFaultsAsync(new SimulatorFaults());
        }

        Assert.True(run.ExitCode == 0, run.ToString());
        var lines = run.Lines;
        // Accepted → Submitted (ModelsLab's id and eta) → Completed, then the files: in that order.
        Assert.StartsWith("accepted requestId=", lines[0], StringComparison.Ordinal);
        var submitted = Assert.Single(lines, l => l.StartsWith("submitted ", StringComparison.Ordinal));
        Assert.Matches(@"^submitted modelsLabId=\d+ eta=\d+(\.\d)?s$", submitted);
        var completed = Array.FindIndex(lines.ToArray(), l => l.StartsWith("completed outputs=1 ", StringComparison.Ordinal));
        Assert.True(completed > Array.IndexOf(lines.ToArray(), submitted), run.ToString());
        var requestId = Guid.Parse(lines[0]["accepted requestId=".Length..].Split(' ')[0]);
        var file = Assert.Single(Directory.GetFiles(outputs));
        Assert.Equal(Path.Combine(outputs, $"{requestId}-0.png"), file);
        Assert.Equal($"downloaded {file}", lines[^1]);
        var png = PngImage.Decode(await File.ReadAllBytesAsync(file));
        Assert.InRange(png.Width, 1, 512);

        var job = await Service.App.JobAsync(requestId);
        Assert.Equal(batch, job!.Metadata!["batch"]);

        // What the CLI sent: the face file as base64 data, and every flag under the request's own name.
        var sent = Service.Submissions.Select(body => JsonDocument.Parse(body).RootElement)
            .Single(body => body.GetProperty("requestId").GetGuid() == requestId);
        Assert.Equal("data:image/png;base64," + Convert.ToBase64String(FacePng), sent.GetProperty("faceImage").GetString());
        Assert.Equal(31, sent.GetProperty("numInferenceSteps").GetInt32());
        Assert.Equal(4, sent.GetProperty("guidanceScale").GetDouble());
        Assert.Equal(1, sent.GetProperty("samples").GetInt32());
        Assert.Equal(512, sent.GetProperty("width").GetInt32());
        Assert.Equal("pretty woman", sent.GetProperty("prompt").GetString());
    }

    [Fact]
    public async Task A_request_the_validator_refuses_exits_2_naming_each_flag_and_sends_nothing()
    {
        var before = Service.Requests.Count;
        var requestId = Guid.NewGuid();

        var run = await CliProcess.RunAsync(
            ["submit", "pretty woman", "--face", "https://faces.test/a.jpg", "--request-id", requestId.ToString(),
             "--guidance-scale", "7.5", "--width", "4096", "--wait"],
            Service.CliEnvironment);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("nothing was sent", run.Error, StringComparison.Ordinal);
        Assert.Contains("--guidance-scale: --guidance-scale must be a whole number from 1 to 5", run.Error, StringComparison.Ordinal);
        Assert.Contains("--width: --width must be from 1 to 512 pixels; got 4096.", run.Error, StringComparison.Ordinal);
        Assert.Equal("", run.Out);
        // The process has exited: any request it made has been answered, so it would be counted by now.
        Assert.DoesNotContain(Service.Requests.Skip(before), r => r.StartsWith("POST /headshots", StringComparison.Ordinal));
        Assert.Null(await Service.App.JobAsync(requestId));
    }

    [Fact]
    public async Task A_face_file_that_is_not_an_image_is_refused_before_any_HTTP()
    {
        var before = Service.Requests.Count;
        var text = Path.Combine(_folder.FullName, "face.jpg");
        await File.WriteAllTextAsync(text, "not a picture");

        var run = await CliProcess.RunAsync(["submit", "pretty woman", "--face", text], Service.CliEnvironment);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--face: --face base64 data must be a PNG, JPEG or WebP image.", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(Service.Requests.Skip(before), r => r.Contains("/headshots", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_job_that_fails_exits_1_with_its_reason()
    {
        await using var failing = await OperatedService.StartAsync(new Dictionary<string, string?> { ["Simulator:Faults:FailGenerationShare"] = "1" });

        var run = await CliProcess.RunAsync(["submit", "pretty woman", "--face", "https://faces.test/a.jpg", "--wait", "--out", _folder.FullName], failing.CliEnvironment);

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Equal("failed reason=GenerationFailed", run.Lines[^1]);
        Assert.Contains("failed: GenerationFailed:", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(run.Lines, l => l.StartsWith("downloaded", StringComparison.Ordinal));
    }

    public void Dispose() => _folder.Delete(recursive: true);
}
