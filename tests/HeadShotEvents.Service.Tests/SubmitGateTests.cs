using HeadShotEvents.Service.Submitting;

namespace HeadShotEvents.Service.Tests;

/// <summary>
/// The slots a count of ModelsLab's queue leaves: half the room, for a quarter of a second, none
/// once the queue is full, none while a count runs; slots in flight when a count begins are
/// reported, so they can be counted.
/// </summary>
public sealed class SubmitGateTests
{
    [Theory]
    [InlineData(0, 10, 5)]
    [InlineData(3, 10, 3)]
    [InlineData(8, 10, 1)]
    [InlineData(9, 10, 0)]
    [InlineData(10, 10, 0)]
    [InlineData(12, 10, 0)]
    [InlineData(0, 1000, 500)]
    public void A_count_leaves_half_the_room_as_slots(int atModelsLab, int atMost, int slots)
    {
        var gate = new SubmitGate(new StoppedClock());
        Assert.False(gate.TryTakeSlot()); // nothing counted yet

        gate.Counted(atModelsLab, atMost);

        Assert.InRange(Enumerable.Range(0, atMost + 1).Count(_ => gate.TryTakeSlot()), slots, slots);
    }

    [Fact]
    public void Slots_lapse_after_their_lifetime_and_none_is_taken_while_a_count_runs()
    {
        var clock = new StoppedClock();
        var gate = new SubmitGate(clock);
        gate.Counted(0, 10);

        Assert.True(gate.TryTakeSlot());
        Assert.True(gate.TryTakeSlot());
        Assert.True(gate.TryTakeSlot());
        gate.SlotUsed();

        // Two slots' statements have not finished: their jobs may not be counted, so the count adds them.
        Assert.Equal(2, gate.BeginCount());
        Assert.False(gate.TryTakeSlot());
        gate.SlotUsed();
        gate.SlotUsed();
        Assert.Equal(0, gate.BeginCount());

        gate.Counted(0, 4);
        clock.Now += SubmitGate.SlotLifetime - TimeSpan.FromMilliseconds(1);
        Assert.True(gate.TryTakeSlot());
        clock.Now += TimeSpan.FromMilliseconds(1);
        Assert.False(gate.TryTakeSlot());
    }

    private sealed class StoppedClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
