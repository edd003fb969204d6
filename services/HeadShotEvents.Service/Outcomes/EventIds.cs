using HeadShotEvents.Contracts;

namespace HeadShotEvents.Service.Outcomes;

/// <summary>
/// MessageIds derived from the RequestId (<see cref="RequestMessageIds"/>): every copy of a request's
/// terminal event, from any instance and any path (immediate, webhook, poll, re-publish), carries
/// the same id, so a subscriber can recognise a duplicate.
/// </summary>
public static class EventIds
{
    public static Guid Terminal(Guid requestId) => RequestMessageIds.Derive(requestId, "terminal");

    public static Guid Submitted(Guid requestId) => RequestMessageIds.Derive(requestId, "submitted");
}
