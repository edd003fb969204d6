using HeadShotEvents.Archiving;

namespace HeadShotEvents.Archiver.Tests;

/// <summary>Archive outcomes' MessageIds: the same for every copy of a request's outcome, distinct between kinds and requests.</summary>
public sealed class ArchiveEventIdsTests
{
    [Fact]
    public void Ids_derive_from_the_request_id_alone_and_differ_by_kind()
    {
        var requestId = Guid.Parse("3f2504e0-4f89-11d3-9a0c-0305e82c3301");

        Assert.Equal(ArchiveEventIds.Archived(requestId), ArchiveEventIds.Archived(Guid.Parse(requestId.ToString())));
        Assert.NotEqual(ArchiveEventIds.Archived(requestId), ArchiveEventIds.ArchiveFailed(requestId));
        Assert.NotEqual(ArchiveEventIds.Archived(requestId), ArchiveEventIds.Archived(Guid.NewGuid()));
        Assert.NotEqual(requestId, ArchiveEventIds.Archived(requestId));
    }

    [Fact]
    public void Ids_are_marked_as_RFC_9562_version_8()
    {
        var id = ArchiveEventIds.ArchiveFailed(Guid.NewGuid()).ToString("D");
        Assert.Equal('8', id[14]);                    // version nibble
        Assert.Contains(id[19], "89ab");              // variant bits 10xx
    }
}
