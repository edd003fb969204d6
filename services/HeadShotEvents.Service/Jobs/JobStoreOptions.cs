namespace HeadShotEvents.Service.Jobs;

/// <summary>Section <c>Jobs</c>: which database holds the job store, and who brings its schema up to date.</summary>
public sealed class JobStoreOptions
{
    public const string Section = "Jobs";

    /// <summary><c>Sqlite</c> (the embedded default, one file) or <c>Postgres</c> (production, shared by every instance).</summary>
    public JobStoreProvider Provider { get; set; } = JobStoreProvider.Sqlite;

    /// <summary>
    /// <c>OnStart</c>: every instance applies pending migrations before anything else starts (under a
    /// lock, so once). <c>Never</c>: a separate step does it (<c>HeadShotEvents.Service migrate</c>) and
    /// the service refuses to start on a schema that is not current.
    /// </summary>
    public SchemaMigration Migrate { get; set; } = SchemaMigration.OnStart;
}

public enum JobStoreProvider
{
    Sqlite,
    Postgres,
}

public enum SchemaMigration
{
    OnStart,
    Never,
}
