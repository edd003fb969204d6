using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using HeadShotEvents.Contracts;
using HeadShotEvents.Service.Tests.Infrastructure;
using HeadShotEvents.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace HeadShotEvents.Operating.Tests.Infrastructure;

/// <summary>
/// The service as an operator meets it: an API key set (so the key is really checked), a Jaeger UI
/// URL, and every request that reaches it recorded, so a test can say "nothing was sent".
/// </summary>
public sealed class OperatedService : IAsyncDisposable
{
    public const string ApiKey = "operator-test-key-0123456789";
    public const string JaegerUi = "http://jaeger.test:16686";

    private OperatedService(ServiceApplication app, ConcurrentQueue<string> requests, ConcurrentQueue<string> submissions, CapturedLogs warnings)
    {
        App = app;
        Requests = requests;
        Submissions = submissions;
        Warnings = warnings;
        Http = new HttpClient { BaseAddress = app.BaseAddress };
        Http.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
    }

    public ServiceApplication App { get; }

    /// <summary>"METHOD /path" of every request that reached the service, in arrival order.</summary>
    public ConcurrentQueue<string> Requests { get; }

    /// <summary>The body of every POST /headshots, as the client sent it.</summary>
    public ConcurrentQueue<string> Submissions { get; }

    /// <summary>What the service logged at Warning and above: for a failing test's message.</summary>
    public CapturedLogs Warnings { get; }

    /// <summary>A client with the key, for setting up what a test then looks at.</summary>
    public HttpClient Http { get; }

    public Uri BaseAddress => App.BaseAddress;

    /// <summary>The CLI's environment for this service: its URL and key, as a user would export them.</summary>
    public IReadOnlyDictionary<string, string> CliEnvironment => new Dictionary<string, string>
    {
        ["HEADSHOTS_URL"] = BaseAddress.AbsoluteUri,
        ["HEADSHOTS_API_KEY"] = ApiKey,
    };

    public static async Task<OperatedService> StartAsync(IReadOnlyDictionary<string, string?>? simulator = null)
    {
        var requests = new ConcurrentQueue<string>();
        var submissions = new ConcurrentQueue<string>();
        var warnings = new CapturedLogs(Microsoft.Extensions.Logging.LogLevel.Warning);
        var app = await ServiceApplication.StartAsync(new ServiceApplication.Options
        {
            Settings = new Dictionary<string, string?> { ["Api:Key"] = ApiKey, ["Jaeger:UiUrl"] = JaegerUi },
            Simulator = simulator ?? new Dictionary<string, string?>(),
            ConfigureServices = services =>
            {
                services.AddSingleton<IStartupFilter>(new RecordRequests(requests, submissions));
                services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(warnings);
            },
        });
        return new OperatedService(app, requests, submissions, warnings);
    }

    public static HeadShotRequested Request(IReadOnlyDictionary<string, string>? metadata = null) => new()
    {
        RequestId = Guid.NewGuid(),
        Prompt = "pretty woman",
        FaceImage = "https://faces.test/568d6320.jpg",
        Width = 512,
        Height = 512,
        NumInferenceSteps = 21,
        GuidanceScale = 5,
        Metadata = metadata,
    };

    /// <summary>POSTs a request over HTTP and waits until the service says it is terminal.</summary>
    public async Task<JsonElement> SubmitAndSettleAsync(HeadShotRequested request)
    {
        using var response = await Http.PostAsJsonAsync("headshots", request, new JsonSerializerOptions(JsonSerializerDefaults.Web));
        response.EnsureSuccessStatusCode();
        return await Eventually.UntilAsync(
            () => Http.GetFromJsonAsync<JsonElement>($"headshots/{request.RequestId}"),
            s => s.GetProperty("state").GetString() is "Completed" or "Failed",
            TimeSpan.FromSeconds(30), $"request {request.RequestId} to settle");
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.DisposeAsync();
    }

    private sealed class RecordRequests(ConcurrentQueue<string> requests, ConcurrentQueue<string> submissions) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, following) =>
            {
                requests.Enqueue($"{context.Request.Method} {context.Request.Path}");
                if (HttpMethods.IsPost(context.Request.Method) && context.Request.Path == "/headshots")
                {
                    context.Request.EnableBuffering();
                    submissions.Enqueue(await new StreamReader(context.Request.Body, leaveOpen: true).ReadToEndAsync());
                    context.Request.Body.Position = 0;
                }

                await following(context);
            });
            next(app);
        };
    }
}
