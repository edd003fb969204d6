using HeadShotEvents.Service.Tests.Infrastructure;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace HeadShotEvents.Service.Tests;

/// <summary>What the service does on the configuration it ships with: nothing open, nothing sent anywhere unasked.</summary>
public sealed class ShippedDefaultsTests
{
    [Fact]
    public async Task MassTransit_usage_telemetry_is_off()
    {
        await using var service = await ServiceApplication.StartAsync(new ServiceApplication.Options { EmbeddedDefaults = true });

        Assert.False(service.Services.GetRequiredService<IOptions<UsageTelemetryOptions>>().Value.Enabled);
    }
}
