namespace HeadShotEvents.Service.Jobs.Schema;

/// <summary>The job store's schema is one this build must not run on; the message says why and what to do.</summary>
public sealed class JobStoreSchemaException(string message) : InvalidOperationException(message);
