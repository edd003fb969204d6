using HeadShotEvents.Contracts;
using HeadShotEvents.Service.Outcomes;
using HeadShotEvents.Service.Tests.Infrastructure;

namespace HeadShotEvents.Service.Tests;

/// <summary>
/// The MessageId is how a subscriber recognises a duplicate: the same for every copy of one
/// request's event, different between requests and between kinds of event.
/// </summary>
public sealed class EventIdTests
{
    [Fact]
    public void Ids_are_stable_for_one_request_and_differ_between_requests_and_kinds()
    {
        var requests = Enumerable.Range(0, 1000).Select(_ => Guid.NewGuid()).ToList();

        var terminal = requests.Select(EventIds.Terminal).ToList();
        var submitted = requests.Select(EventIds.Submitted).ToList();

        Assert.Equal(terminal, requests.Select(EventIds.Terminal)); // computed again: the same
        Assert.Equal(requests.Count, terminal.Distinct().Count());
        Assert.Equal(requests.Count, submitted.Distinct().Count());
        Assert.Empty(terminal.Intersect(submitted));
        Assert.Empty(terminal.Intersect(requests));
    }

    [Fact]
    public void The_derivation_is_pinned_so_ids_agree_across_versions_and_instances()
    {
        // Computed independently (SHA-256 of the RequestId's bytes and the kind, as a version-8 GUID):
        // changing the derivation would make every subscriber take old copies for new events.
        var request = Guid.Parse("11111111-2222-3333-4444-555555555555");

        Assert.Equal(Guid.Parse("6b8b0da4-4248-8654-a7a4-dcb8a0471254"), EventIds.Terminal(request));
        Assert.Equal(Guid.Parse("6ae4a197-c4bc-810b-beaa-0ff45d54e40c"), EventIds.Submitted(request));
    }

    [Fact]
    public async Task Two_requests_events_carry_different_ids_and_each_requests_copies_the_same_id()
    {
        await using var pipeline = await Pipeline.StartAsync();
        var requests = new[] { Pipeline.Request(), Pipeline.Request() };

        await Task.WhenAll(requests.Select(pipeline.PublishAsync));
        await pipeline.WaitForTerminalAsync([.. requests.Select(r => r.RequestId)]);

        var idsByRequest = new[] { pipeline.Archiver, pipeline.Notifier }
            .SelectMany(s => s.Received.WithIds<HeadShotCompleted>())
            .GroupBy(c => c.Message.RequestId, c => c.MessageId)
            .ToDictionary(g => g.Key, g => g.Distinct().ToList());

        Assert.Equal(requests.Select(r => r.RequestId).Order(), idsByRequest.Keys.Order());
        var ids = idsByRequest.Values.Select(v => Assert.Single(v)).ToList(); // both subscribers: one id per request
        Assert.NotEqual(ids[0], ids[1]);
        Assert.DoesNotContain(null, ids);
        Assert.DoesNotContain(Guid.Empty, ids.Select(id => id!.Value));
        Assert.Equal(requests.Select(r => EventIds.Terminal(r.RequestId)).Order(), ids.Select(id => id!.Value).Order());
    }
}
