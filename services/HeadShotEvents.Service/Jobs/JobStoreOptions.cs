using System.ComponentModel.DataAnnotations;

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

    /// <summary>
    /// How long a migrator waits for another one's migration lock before it gives up and says who
    /// holds it. Longer than any migration takes; a lock held past it is a stuck migrator or a session
    /// left open, which an operator has to look at rather than a start that waits forever.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ErrorMessage = "Jobs:MigrationLockTimeout must be between 1 second and 1 hour.")]
    public TimeSpan MigrationLockTimeout { get; set; } = TimeSpan.FromMinutes(5);
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
