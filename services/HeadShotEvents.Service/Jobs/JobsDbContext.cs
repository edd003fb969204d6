using System.Text.Json;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace HeadShotEvents.Service.Jobs;

/// <summary>
/// The job store, and the Data Protection key ring every instance shares. The service runs one
/// subclass per provider (<see cref="Migrations.PostgresJobsDbContext"/>, <see cref="Migrations.SqliteJobsDbContext"/>)
/// so each finds its own migrations; this type alone has the same model and no migrations.
/// </summary>
public class JobsDbContext : DbContext, IDataProtectionKeyContext
{
    public JobsDbContext(DbContextOptions<JobsDbContext> options)
        : base(options)
    {
    }

    protected JobsDbContext(DbContextOptions options)
        : base(options)
    {
    }

    public DbSet<HeadShotJob> Jobs => Set<HeadShotJob>();

    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public DbSet<Timeline.TimelineEntry> TimelineEntries => Set<Timeline.TimelineEntry>();

    public DbSet<Outbox.OwedEventRow> OwedEvents => Set<Outbox.OwedEventRow>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        var job = modelBuilder.Entity<HeadShotJob>();
        job.ToTable("head_shot_jobs");
        job.HasKey(j => j.TrackId);
        job.Property(j => j.TrackId).ValueGeneratedOnAdd();
        job.HasIndex(j => j.RequestId).IsUnique();
        // Partial indexes: each holds only the rows its query looks for, so the table's many settled
        // rows cost them nothing, and settling a job (a non-HOT update) adds no entry to them.
        // The reconciler's query: its cost follows the number of DUE jobs, not of all jobs.
        job.HasIndex(j => j.NextPollAt).HasFilter("\"NextPollAt\" IS NOT NULL");
        // The submit gate's count of jobs at ModelsLab.
        job.HasIndex(j => j.State).HasFilter("\"State\" IN ('Submitting', 'Processing')");
        // Legacy: the claim of releases before OwedEventsSideTable, kept while they may still run (an
        // older release's sweep reads it). This release never sets the mark: only an older release
        // still running during a rolling upgrade adds entries.
        job.HasIndex(j => j.TrackId).HasDatabaseName("IX_head_shot_jobs_Owed").HasFilter("\"TerminalEventPending\"");
        // The job log's keyset order (newest first): a page is one range of this index, never an OFFSET.
        job.HasIndex(j => new { j.CreatedAt, j.TrackId }).IsDescending(true, true).HasDatabaseName("IX_head_shot_jobs_Log");
        job.Property(j => j.Version).IsConcurrencyToken();
        job.Property(j => j.State).HasConversion<string>().HasMaxLength(32);
        job.Property(j => j.Delivery).HasConversion<string>().HasMaxLength(32);
        job.Property(j => j.FailureReason).HasConversion<string>().HasMaxLength(64);
        job.Property(j => j.ModelsLabId).HasMaxLength(128);
        job.Property(j => j.TraceParent).HasMaxLength(64);
        job.Property(j => j.TraceState).HasMaxLength(512);
        job.Property(j => j.RequestFingerprint).HasMaxLength(RequestFingerprint.Length);
        job.Property(j => j.FieldErrors).HasConversion(Json<Dictionary<string, string[]>>(), JsonEquality<Dictionary<string, string[]>>());
        job.Property(j => j.Metadata).HasConversion(Json<Dictionary<string, string>>(), JsonEquality<Dictionary<string, string>>());

        modelBuilder.Entity<DataProtectionKey>().ToTable("data_protection_keys");

        Timeline.TimelineStore.Configure(modelBuilder.Entity<Timeline.TimelineEntry>());

        Outbox.OwedEventRow.Configure(modelBuilder.Entity<Outbox.OwedEventRow>());
    }

    /// <summary>Change tracking compares the maps by content, as they are stored.</summary>
    private static ValueComparer<T?> JsonEquality<T>() where T : class => new(
        (a, b) => Serialize(a) == Serialize(b),
        value => Serialize(value).GetHashCode(StringComparison.Ordinal),
        value => value == null ? null : JsonSerializer.Deserialize<T>(Serialize(value), JsonSerializerOptions.Default));

    private static string Serialize<T>(T? value) => JsonSerializer.Serialize(value, JsonSerializerOptions.Default);

    /// <summary>A small map as its column holds it: JSON text, the same on SQLite and PostgreSQL (also for raw SQL writes).</summary>
    internal static string? StoredJson<T>(T? value) where T : class => value == null ? null : Serialize(value);

    /// <summary>A small map read back from its column's JSON text (also for raw SQL reads).</summary>
    internal static T? FromStoredJson<T>(string? text) where T : class =>
        text == null ? null : JsonSerializer.Deserialize<T>(text, JsonSerializerOptions.Default);

    /// <summary>Small maps stored as JSON text, the same on SQLite and PostgreSQL.</summary>
    private static ValueConverter<T?, string?> Json<T>() where T : class => new(
        value => StoredJson(value),
        text => FromStoredJson<T>(text));
}
