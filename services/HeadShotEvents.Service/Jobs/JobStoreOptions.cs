namespace HeadShotEvents.Service.Jobs;

/// <summary>Section <c>Jobs</c>: which database holds the job store.</summary>
public sealed class JobStoreOptions
{
    public const string Section = "Jobs";

    /// <summary><c>Sqlite</c> (the embedded default, one file) or <c>Postgres</c> (production, shared by every instance).</summary>
    public JobStoreProvider Provider { get; set; } = JobStoreProvider.Sqlite;
}

public enum JobStoreProvider
{
    Sqlite,
    Postgres,
}
