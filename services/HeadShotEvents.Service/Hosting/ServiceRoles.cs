namespace HeadShotEvents.Service.Hosting;

/// <summary>
/// The parts one process runs (setting <c>Roles</c>, e.g. <c>Submitter,Api</c>). All of them plus
/// the simulator in one process is the zero-setup `dotnet run` profile; docker-compose runs one role per container.
/// </summary>
[Flags]
public enum ServiceRoles
{
    None = 0,

    /// <summary>Consumes HeadShotRequested and calls ModelsLab. Holds the ModelsLab API key.</summary>
    Submitter = 1,

    /// <summary>The public webhook endpoint. Never holds the ModelsLab API key.</summary>
    Receiver = 2,

    /// <summary>POST /headshots, GET /headshots/{requestId}, and the operator's job log, timeline and replay.</summary>
    Api = 4,

    /// <summary>
    /// The ModelsLab simulator, for the embedded `dotnet run` profile and tests. Never part of
    /// <see cref="All"/>: its head_shot posts to any URL it is given and its admin API changes
    /// behaviour, so it runs only where it is named (<c>All,Simulator</c>).
    /// </summary>
    Simulator = 8,

    /// <summary>Polls fetch for jobs whose callback is overdue; fails them at the deadline. Holds the ModelsLab API key.</summary>
    Reconciler = 16,

    /// <summary>
    /// The archiver (services/HeadShotEvents.Archiver) hosted on this process's own bus: copies every
    /// HeadShotCompleted's outputs (sections <c>Archive</c>, <c>Downloads</c>, <c>Storage</c>) and
    /// publishes HeadShotArchived. Never part of <see cref="All"/>: it is a subscriber, not the
    /// service; the embedded profile names it (<c>All,Simulator,Archiver</c>), because its in-memory
    /// bus is visible to no other process. Production runs the archiver as its own service.
    /// </summary>
    Archiver = 32,

    /// <summary>Every part of the service itself: the default when <c>Roles</c> is not set.</summary>
    All = Submitter | Receiver | Api | Reconciler,
}
