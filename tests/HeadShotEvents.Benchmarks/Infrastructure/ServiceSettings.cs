using System.Globalization;

namespace HeadShotEvents.Benchmarks.Infrastructure;

/// <summary>The settings a deployment gives the service: only public configuration, nothing internal.</summary>
public static class ServiceSettings
{
    public static Dictionary<string, string> For(string roles, Uri baseAddress, BenchDatabase database, string rabbitMqUrl, string prefix) => new()
    {
        ["Roles"] = roles,
        ["Jobs:Provider"] = "Postgres",
        ["ConnectionStrings:Jobs"] = database.ConnectionString,
        ["Messaging:RabbitMqUrl"] = rabbitMqUrl,
        ["Messaging:EntityPrefix"] = prefix,
        ["Webhooks:PublicBaseUrl"] = baseAddress.AbsoluteUri,
        // Every benchmark callback comes from one loopback address; ModelsLab's come from a few.
        // The per-address limit is a guard against strangers, not what is measured here.
        ["Webhooks:RateLimitPermits"] = "1000000",
    };

    /// <summary>A prefix of the benchmark's own for every exchange and queue, so a run never meets another's messages.</summary>
    public static string NewPrefix() => "bench" + Guid.NewGuid().ToString("N")[..10];

    public static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
