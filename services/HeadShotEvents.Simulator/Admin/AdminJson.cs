using System.Text.Json;
using System.Text.Json.Serialization;

namespace HeadShotEvents.Simulator.Admin;

/// <summary>
/// The JSON the admin endpoints speak: camelCase, enums as their lower-case names ("messege",
/// "fields"), unknown fields refused so a misspelt fault is an error rather than silently ignored.
/// Fixed here rather than taken from the host, which may map the simulator into an app of its own.
/// </summary>
public static class AdminJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false) },
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };
}
