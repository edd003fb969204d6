using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace HeadShotEvents.Simulator.Wire;

/// <summary>The <c>key</c> field check shared by head_shot and fetch.</summary>
internal sealed class ApiKeyCheck(IOptions<SimulatorOptions> options)
{
    private readonly byte[][] _keys = options.Value.ApiKeys.Select(Encoding.UTF8.GetBytes).ToArray();

    /// <summary>The key when it is one the simulator accepts; null otherwise.</summary>
    public string? Accept(JsonObject body)
    {
        if (body["key"] is not JsonValue value || !value.TryGetValue<string>(out var key))
            return null;
        // Compared in constant time even here: code copied from a simulator tends to end up in services.
        var candidate = Encoding.UTF8.GetBytes(key);
        var accepted = false;
        foreach (var known in _keys)
            accepted |= CryptographicOperations.FixedTimeEquals(candidate, known);
        return accepted ? key : null;
    }
}
