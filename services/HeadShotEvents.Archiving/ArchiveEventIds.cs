using HeadShotEvents.Contracts;

namespace HeadShotEvents.Archiving;

/// <summary>
/// MessageIds derived from the RequestId (<see cref="RequestMessageIds"/>, as the service's terminal
/// events): every copy of a request's archive outcome, from any instance or redelivery, carries the same id.
/// </summary>
public static class ArchiveEventIds
{
    public static Guid Archived(Guid requestId) => RequestMessageIds.Derive(requestId, "archived");

    public static Guid ArchiveFailed(Guid requestId) => RequestMessageIds.Derive(requestId, "archive-failed");
}
