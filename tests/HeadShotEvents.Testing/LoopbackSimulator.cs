using System.Net.Http.Json;
using HeadShotEvents.Simulator;
using HeadShotEvents.Simulator.Admin;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace HeadShotEvents.Testing;

/// <summary>
/// The ModelsLab simulator in-process on <c>http://127.0.0.1:{free port}</c>. Each test starts its
/// own, so counters and faults never leak between tests.
/// </summary>
public sealed class LoopbackSimulator : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LoopbackSimulator(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
        HttpClient = new HttpClient { BaseAddress = baseAddress };
    }

    /// <summary>The simulator's root, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>Where ModelsLab's v6 API lives here: what <c>https://modelslab.com/api/v6/</c> is in production.</summary>
    public Uri ApiBaseAddress => new(BaseAddress, "api/v6/");

    /// <summary>A client whose BaseAddress is <see cref="BaseAddress"/>; disposed with the simulator.</summary>
    public HttpClient HttpClient { get; }

    /// <summary>The simulator's services, for tests that need to look inside.</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>The options in force after configuration and defaults.</summary>
    public SimulatorOptions Options => _app.Services.GetRequiredService<IOptions<SimulatorOptions>>().Value;

    /// <summary>The first accepted API key.</summary>
    public string ApiKey => Options.ApiKeys[0];

    /// <summary>Starts a simulator with the code defaults, changed by <paramref name="configure"/>.</summary>
    public static Task<LoopbackSimulator> StartAsync(Action<SimulatorOptions>? configure = null, CancellationToken cancellationToken = default) =>
        StartAsync(new Dictionary<string, string?>(), configure, cancellationToken);

    /// <summary>
    /// Starts a simulator from configuration values (keys as in appsettings, e.g.
    /// <c>Simulator:Faults:TrackIdAs</c>), then <paramref name="configure"/>. Invalid options make
    /// this throw <see cref="OptionsValidationException"/>, as the standalone simulator fails to start.
    /// </summary>
    public static async Task<LoopbackSimulator> StartAsync(
        IReadOnlyDictionary<string, string?> settings,
        Action<SimulatorOptions>? configure = null,
        CancellationToken cancellationToken = default)
    {
        var builder = LoopbackHost.CreateBuilder(settings);
        builder.Services.AddModelsLabSimulator(builder.Configuration);
        if (configure is not null)
            builder.Services.Configure(configure);

        var app = builder.Build();
        app.MapModelsLabSimulator();
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        return new LoopbackSimulator(app, LoopbackHost.BoundAddress(app));
    }

    /// <summary>The counters, read through <c>GET /simulator/admin/stats</c> as any outside test would.</summary>
    public async Task<SimulatorStatistics> GetStatsAsync(CancellationToken cancellationToken = default) =>
        await HttpClient.GetFromJsonAsync<SimulatorStatistics>("simulator/admin/stats", AdminJson.Options, cancellationToken)
        ?? throw new InvalidOperationException("The simulator answered no statistics.");

    public async Task<SimulatorFaults> GetFaultsAsync(CancellationToken cancellationToken = default) =>
        await HttpClient.GetFromJsonAsync<SimulatorFaults>("simulator/admin/faults", AdminJson.Options, cancellationToken)
        ?? throw new InvalidOperationException("The simulator answered no faults.");

    /// <summary>Replaces the faults through <c>PUT /simulator/admin/faults</c>; throws if the simulator refuses them.</summary>
    public async Task SetFaultsAsync(SimulatorFaults faults, CancellationToken cancellationToken = default)
    {
        using var response = await HttpClient.PutAsJsonAsync("simulator/admin/faults", faults, AdminJson.Options, cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException(
                $"The simulator refused the faults: HTTP {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
    }

    public async ValueTask DisposeAsync()
    {
        HttpClient.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
