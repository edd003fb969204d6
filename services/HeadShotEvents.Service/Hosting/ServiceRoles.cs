namespace HeadShotEvents.Service.Hosting;

/// <summary>
/// The parts one process runs (setting <c>Roles</c>, e.g. <c>Submitter,Api</c>). All of them in one
/// process is the zero-setup default; docker-compose runs one role per container.
/// </summary>
[Flags]
public enum ServiceRoles
{
    None = 0,

    /// <summary>Consumes HeadShotRequested and calls ModelsLab. Holds the ModelsLab API key.</summary>
    Submitter = 1,

    /// <summary>The public webhook endpoint. Never holds the ModelsLab API key.</summary>
    Receiver = 2,

    /// <summary>POST /headshots and GET /headshots/{requestId}.</summary>
    Api = 4,

    /// <summary>The ModelsLab simulator, for embedded mode and tests.</summary>
    Simulator = 8,

    /// <summary>Polls fetch for jobs whose callback is overdue; fails them at the deadline. Holds the ModelsLab API key.</summary>
    Reconciler = 16,

    All = Submitter | Receiver | Api | Simulator | Reconciler,
}
