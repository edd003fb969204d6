namespace HeadShotEvents.Simulator.Jobs;

internal enum JobStatus
{
    Processing,
    Succeeded,
    Failed,
}

/// <summary>
/// One submitted generation. Immutable: its status follows from the clock, so there is no
/// completion step to race with fetch, the outputs or the webhook.
/// </summary>
internal sealed class HeadShotJob
{
    public HeadShotJob(
        long id, string apiKey, HeadShotRequest request, JobFate fate, SimulatorFaults faults,
        string baseUrl, DateTimeOffset submittedAt, TimeSpan generationTime)
    {
        Id = id;
        ApiKey = apiKey;
        Request = request;
        Fate = fate;
        Faults = faults;
        SubmittedAt = submittedAt;
        GenerationTime = generationTime;
        CompletesAt = fate.AnsweredAtOnce ? submittedAt : submittedAt + generationTime;
        FetchUrl = $"{baseUrl}/api/v6/image_editing/fetch/{id}";
        OutputUrls = Enumerable.Range(0, request.ImageCount)
            .Select(index => $"{baseUrl}/simulator/outputs/{OutputName(fate.FilePrefix, index)}.png")
            .ToArray();
    }

    public long Id { get; }
    public string ApiKey { get; }
    public HeadShotRequest Request { get; }
    public JobFate Fate { get; }

    /// <summary>The faults in force at submission: they shape this job to the end.</summary>
    public SimulatorFaults Faults { get; }

    public DateTimeOffset SubmittedAt { get; }
    public DateTimeOffset CompletesAt { get; }
    public string FetchUrl { get; }
    public IReadOnlyList<string> OutputUrls { get; }

    /// <summary>The time the generation takes, reported as generationTime even when answered at once.</summary>
    public TimeSpan GenerationTime { get; }

    public JobStatus StatusAt(DateTimeOffset now) =>
        now < CompletesAt ? JobStatus.Processing
        : Fate.Fails ? JobStatus.Failed
        : JobStatus.Succeeded;

    /// <summary>The output file name without extension: ModelsLab's <c>{file_prefix}-{index}</c>.</summary>
    public static string OutputName(string filePrefix, int index) => $"{filePrefix}-{index}";
}
