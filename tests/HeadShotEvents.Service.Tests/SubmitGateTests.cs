using HeadShotEvents.Service.Submitting;

namespace HeadShotEvents.Service.Tests;

/// <summary>
/// The slots a count of ModelsLab's queue leaves: half the room, for a quarter of a second, none
/// once the queue is full; slots in flight when a count begins, and slots taken while it runs, are
/// taken off the room it found (their jobs may not be in the count).
/// </summary>
public sealed class SubmitGateTests
{
    [Theory]
    [InlineData(0, 10, 4)] // one place kept for another instance's claim at the same moment
    [InlineData(3, 10, 3)]
    [InlineData(7, 10, 1)]
    [InlineData(8, 10, 0)]
    [InlineData(9, 10, 0)]
    [InlineData(10, 10, 0)]
    [InlineData(12, 10, 0)]
    [InlineData(0, 1000, 499)]
    public void A_count_leaves_half_the_room_as_slots(int atModelsLab, int atMost, int slots)
    {
        var gate = new SubmitGate(new StoppedClock());
        Assert.False(gate.TryTakeSlot()); // nothing counted yet

        gate.Counted(gate.BeginCount(), atModelsLab, atMost);

        Assert.InRange(Enumerable.Range(0, atMost + 1).Count(_ => gate.TryTakeSlot()), slots, slots);
    }

    [Fact]
    public void Slots_in_flight_or_taken_during_a_count_are_taken_off_the_room_it_found()
    {
        var gate = new SubmitGate(new StoppedClock());
        gate.Counted(gate.BeginCount(), 0, 21); // 10 slots

        Assert.True(gate.TryTakeSlot());
        Assert.True(gate.TryTakeSlot());
        Assert.True(gate.TryTakeSlot());
        gate.SlotUsed(); // one committed before the count: in what it finds

        var start = gate.BeginCount(); // two in flight, seven still lent
        Assert.Equal(2 + 7, start.Reserved); // places its own claim must leave free
        Assert.True(gate.TryTakeSlot()); // and two taken while it runs
        Assert.True(gate.TryTakeSlot());
        gate.Counted(start, 6, 21); // it found 6: room 15, minus 4 it may have missed, minus 1, halved

        Assert.InRange(Enumerable.Range(0, 20).Count(_ => gate.TryTakeSlot()), 5, 5);
    }

    [Fact]
    public void Slots_lapse_after_their_lifetime()
    {
        var clock = new StoppedClock();
        var gate = new SubmitGate(clock);
        gate.Counted(gate.BeginCount(), 0, 5);
        Assert.True(gate.TryTakeSlot());

        gate.Counted(gate.BeginCount(), 0, 5);
        clock.Now += SubmitGate.SlotLifetime - TimeSpan.FromMilliseconds(1);
        Assert.True(gate.TryTakeSlot());
        clock.Now += TimeSpan.FromMilliseconds(1);
        Assert.False(gate.TryTakeSlot());
        Assert.Equal(2, gate.BeginCount().Reserved); // lapsed slots hold nothing back; the two in flight do
    }

    private sealed class StoppedClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
