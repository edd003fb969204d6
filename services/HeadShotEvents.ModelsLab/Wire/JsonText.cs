using System.Text.Json;

namespace HeadShotEvents.ModelsLab.Wire;

/// <summary>Strings out of a parsed body without the exceptions .NET throws for text JSON allows but Unicode does not.</summary>
internal static class JsonText
{
    /// <summary>
    /// A JSON string, or null when it names no Unicode text: JSON's grammar allows an escape such
    /// as <c>"\ud800"</c> (a lone surrogate) that .NET cannot turn into a string and throws on.
    /// Such a field reads as absent, like any other value of the wrong shape.
    /// </summary>
    public static string? Decoded(JsonElement value)
    {
        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    public static string? Decoded(JsonProperty property)
    {
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}
