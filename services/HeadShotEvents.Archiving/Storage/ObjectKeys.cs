namespace HeadShotEvents.Archiving.Storage;

/// <summary>
/// Deterministic keys: the same request's outputs always land at the same keys, so archiving
/// again (a redelivery, a second instance) overwrites instead of duplicating.
/// </summary>
public static class ObjectKeys
{
    public static string Image(string prefix, Guid requestId, int index, string extension) => $"{prefix}{requestId:D}/{index}.{extension}";

    /// <summary>Written after <c>HeadShotArchived</c> is published: its presence means "announced".</summary>
    public static string Receipt(string prefix, Guid requestId) => $"{prefix}{requestId:D}/archived.json";
}
