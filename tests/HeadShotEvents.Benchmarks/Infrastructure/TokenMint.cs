using HeadShotEvents.Service.Callbacks;
using HeadShotEvents.Service.Jobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace HeadShotEvents.Benchmarks.Infrastructure;

/// <summary>
/// The service's own <see cref="WebhookTokens"/>, on the key ring the service keeps in its job store:
/// the same configuration the service reads, so the tokens are the ones its submitter would have
/// put in webhook URLs. Built after the service started, so the ring's first key is the service's.
/// </summary>
public sealed class TokenMint : IDisposable
{
    private readonly IHost _host;

    public TokenMint(IReadOnlyDictionary<string, string> serviceSettings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(serviceSettings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value)));
        builder.AddJobStore();
        builder.Services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.Section);
        builder.Services.AddSingleton<WebhookTokens>();
        _host = builder.Build();
        Tokens = _host.Services.GetRequiredService<WebhookTokens>();
    }

    public WebhookTokens Tokens { get; }

    public void Dispose() => _host.Dispose();
}
