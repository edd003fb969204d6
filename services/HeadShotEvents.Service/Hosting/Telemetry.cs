namespace HeadShotEvents.Service.Hosting;

/// <summary>The service's own ActivitySource and Meter name.</summary>
public static class Telemetry
{
    public const string SourceName = "HeadShotEvents";
}
