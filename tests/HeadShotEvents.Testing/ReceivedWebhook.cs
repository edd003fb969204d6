using System.Text;
using System.Text.Json.Nodes;

namespace HeadShotEvents.Testing;

/// <summary>One POST a <see cref="WebhookListener"/> received, exactly as it came.</summary>
/// <param name="Path">The request path, e.g. <c>/webhooks/modelslab/abc</c>.</param>
/// <param name="QueryString">The query string with its leading '?', or empty.</param>
/// <param name="Headers">Headers by name (case-insensitive), repeated values joined with ", ".</param>
/// <param name="Body">The raw body bytes.</param>
/// <param name="ReceivedAt">When the body had been read completely.</param>
public sealed record ReceivedWebhook(
    string Path,
    string QueryString,
    IReadOnlyDictionary<string, string> Headers,
    byte[] Body,
    DateTimeOffset ReceivedAt)
{
    public string BodyText => Encoding.UTF8.GetString(Body);

    /// <summary>The body parsed as a JSON object; throws if it is not one.</summary>
    public JsonObject Json() => JsonNode.Parse(Body) as JsonObject
        ?? throw new InvalidOperationException($"The webhook body is not a JSON object: {BodyText}");
}
