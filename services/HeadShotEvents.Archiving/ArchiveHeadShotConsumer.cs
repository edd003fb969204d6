using HeadShotEvents.Contracts;
using MassTransit;

namespace HeadShotEvents.Archiving;

/// <summary>The archiver's subscription: its own queue, bound to the HeadShotCompleted exchange.</summary>
public sealed class ArchiveHeadShotConsumer(Archivist archivist) : IConsumer<HeadShotCompleted>
{
    public Task Consume(ConsumeContext<HeadShotCompleted> context) => archivist.ArchiveAsync(context);
}
