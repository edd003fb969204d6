using System.Net.Http.Headers;
using System.Text;
using HeadShotEvents.Contracts;
using HeadShotEvents.Service.Callbacks;
using HeadShotEvents.Service.Jobs;
using HeadShotEvents.Testing;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace HeadShotEvents.Service.Tests.Infrastructure;

/// <summary>A pipeline with one job submitted and waiting for a callback that will not come by itself.</summary>
public sealed class WaitingJob : IAsyncDisposable
{
    private WaitingJob(Pipeline pipeline, HeadShotJob job, string token)
    {
        Pipeline = pipeline;
        Job = job;
        Token = token;
    }

    public Pipeline Pipeline { get; }
    public HeadShotJob Job { get; }
    public string Token { get; }

    public static async Task<WaitingJob> StartAsync(string? serviceRabbitMqUrl = null, bool sqlite = false, IReadOnlyDictionary<string, string?>? settingsToo = null)
    {
        var settings = new Dictionary<string, string?>(settingsToo ?? new Dictionary<string, string?>()) { ["Webhooks:MaxBodyBytes"] = "2048" };
        if (serviceRabbitMqUrl is not null)
        {
            settings["Messaging:RabbitMqUrl"] = serviceRabbitMqUrl;
        }

        var pipeline = await Pipeline.StartAsync(new ServiceApplication.Options
        {
            Simulator = new Dictionary<string, string?> { ["Simulator:Faults:DropWebhookShare"] = "1.0" },
            Settings = settings,
            UseSqlite = sqlite,
        });
        var request = Pipeline.Request();
        await pipeline.PublishAsync(request);
        var job = await Eventually.UntilAsync(() => pipeline.Service.JobAsync(request.RequestId), j => j?.State == JobState.Processing,
            Pipeline.Patience, "the job to be Processing");
        await pipeline.Archiver.Received.WaitForAsync(r => r.All<HeadShotSubmitted>().Count == 1, Pipeline.Patience, "HeadShotSubmitted");
        return new WaitingJob(pipeline, job!, pipeline.Service.Services.GetRequiredService<WebhookTokens>().Mint(job!.TrackId));
    }

    public WebhookTokens Tokens(TimeSpan mintedAgo = default) => new(
        Pipeline.Service.Services.GetRequiredService<IDataProtectionProvider>(),
        Pipeline.Service.Services.GetRequiredService<IOptions<WebhookOptions>>(),
        new ShiftedTime(-mintedAgo));

    public string SuccessBody(string status = "success", long? trackId = null, string? id = null, int padding = 0) =>
        $$"""
        {"status":"{{status}}","id":{{id ?? Job.ModelsLabId}},"output":["https://pub.r2.dev/temp/x-0.png"],"generationTime":1.5,
         "track_id":"{{trackId ?? Job.TrackId}}","meta":{"prompt":"{{new string('p', padding)}}"},"webhook_status":"complete"}
        """;

    public async Task<HttpResponseMessage> PostAsync(string token, string body, string? contentType, params (string Name, string Value)[] headers)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        if (contentType is not null)
        {
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        using var message = new HttpRequestMessage(HttpMethod.Post, $"webhooks/modelslab/{token}") { Content = content };
        foreach (var (name, value) in headers)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }

        return await Pipeline.Service.HttpClient.SendAsync(message);
    }

    /// <summary>Nothing was published and the job is as the submit left it.</summary>
    public async Task AssertUnchangedAsync()
    {
        Assert.Equal(0, Pipeline.Published.Terminal);
        var now = await Pipeline.Service.JobAsync(Job.RequestId);
        Assert.Equal(JobState.Processing, now!.State);
        Assert.Equal(Job.Version, now.Version);
        Assert.Empty(now.Outputs);
    }

    public ValueTask DisposeAsync() => Pipeline.DisposeAsync();
}

public sealed class ShiftedTime(TimeSpan shift) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + shift;
}
