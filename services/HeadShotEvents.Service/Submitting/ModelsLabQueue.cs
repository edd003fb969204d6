using System.Diagnostics;
using HeadShotEvents.ModelsLab;
using HeadShotEvents.Service.Jobs;
using HeadShotEvents.Service.Reconciling;
using Microsoft.Extensions.Options;

namespace HeadShotEvents.Service.Submitting;

/// <summary>
/// One process's view of ModelsLab's queue: a gate through which counted claims pass one at a time
/// (so two consumers never both see the last free slot), and the slots the last count left that may
/// be taken without counting again.
/// </summary>
public sealed class SubmitGate(TimeProvider time)
{
    /// <summary>How long a count's slots may be taken before the next claim counts again.</summary>
    public static readonly TimeSpan SlotLifetime = TimeSpan.FromMilliseconds(250);

    private readonly Lock _slotsLock = new();
    private int _slots;
    private int _inFlight;
    private long _taken;
    private DateTimeOffset _slotsUntil;

    internal SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>
    /// Takes one slot of the last count, if it is fresh and any are left; the caller says
    /// <see cref="SlotUsed"/> once its statement has finished. Counting ModelsLab's queue cost a
    /// statement per request (up to the limit's worth of index entries each) and made every submit
    /// wait its turn at the gate; a slot costs neither.
    /// </summary>
    public bool TryTakeSlot()
    {
        lock (_slotsLock)
        {
            if (_slots <= 0 || time.GetUtcNow() >= _slotsUntil)
            {
                return false;
            }

            _slots--;
            _inFlight++;
            _taken++;
            return true;
        }
    }

    /// <summary>A slot's statement finished: its job is committed (and counted from now on), or was not claimed after all.</summary>
    public void SlotUsed()
    {
        lock (_slotsLock)
        {
            _inFlight--;
        }
    }

    /// <summary>
    /// A count is about to start. Its jobs may miss the slots in flight now (not yet committed), and
    /// slots still lent out may be taken while it runs: its claim may only take a place none of
    /// those may need (<see cref="CountStart.Reserved"/>), and <see cref="Counted"/> adds the ones it
    /// may have missed.
    /// </summary>
    public CountStart BeginCount()
    {
        lock (_slotsLock)
        {
            var lent = time.GetUtcNow() < _slotsUntil ? _slots : 0;
            return new CountStart(_inFlight, _taken, _inFlight + lent);
        }
    }

    /// <summary>
    /// A count that began at <paramref name="start"/> found <paramref name="atModelsLab"/> jobs at
    /// ModelsLab (with the claim it made): half of the room left, after the slots it may have missed
    /// and one place for another instance's claim at the same moment, may be taken without counting,
    /// for <see cref="SlotLifetime"/>. So this process never passes the limit, and two instances that
    /// counted at the same moment together stay within it; with more, the overshoot is brief and the
    /// 429 retry covers it (as it always did across instances).
    /// </summary>
    public void Counted(CountStart start, int atModelsLab, int atMost)
    {
        lock (_slotsLock)
        {
            var missed = start.InFlight + (int)(_taken - start.Taken);
            _slots = Math.Max(0, atMost - atModelsLab - missed - 1) / 2;
            _slotsUntil = time.GetUtcNow() + SlotLifetime;
        }
    }

    /// <summary>
    /// What a count has to allow for: the slots in flight as it began, how many had been taken, and
    /// the places held back from its own claim (in flight, or lent and not yet taken).
    /// </summary>
    public readonly record struct CountStart(int InFlight, long Taken, int Reserved);
}

/// <summary>
/// ModelsLab allows 5, 10 or 15 queued jobs per key by plan and refuses more with 429. Waiting here
/// until our own count of jobs at ModelsLab is under <see cref="ModelsLabOptions.MaxQueuedJobs"/>
/// keeps requests queued on the broker instead of collecting refusals. Across several instances
/// the count can briefly overshoot; the 429 retry covers that.
/// </summary>
public sealed class ModelsLabQueue(
    JobStore store, SubmitGate gate, IOptions<ModelsLabOptions> modelsLab, IOptions<ReconcilerOptions> reconciler, TimeProvider time)
{
    private static readonly TimeSpan CheckEvery = TimeSpan.FromMilliseconds(200);

    /// <summary>How long one delivery waits for room before handing the message back to the retry policy.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromMinutes(2);

    /// <summary>A slot for a job about to be created already claimed (see <see cref="SubmitGate.TryTakeSlot"/>).</summary>
    public bool TryTakeSlot() => gate.TryTakeSlot();

    /// <summary>The slot's creation finished (see <see cref="SubmitGate.SlotUsed"/>).</summary>
    public void SlotUsed() => gate.SlotUsed();

    public async Task<SubmitClaim> ClaimAsync(HeadShotJob job, CancellationToken cancellationToken)
    {
        // From the claim on the job is the reconciler's to watch: if this process dies mid-call, the
        // job still reaches a terminal state (by a callback, or at the deadline). The deadline
        // counts from the send, and the trace to continue is this consume's, even when POST
        // /headshots created the row. Only an Accepted row is taken, and only while there is room.
        if (gate.TryTakeSlot())
        {
            try
            {
                var now = time.GetUtcNow().UtcDateTime;
                return await store.ClaimForSubmitAsync(job.TrackId, now, now + reconciler.Value.Grace,
                    Activity.Current?.Id, Activity.Current?.TraceStateString, cancellationToken) ? SubmitClaim.Claimed : SubmitClaim.TakenByAnother;
            }
            finally
            {
                gate.SlotUsed();
            }
        }

        var giveUpAt = time.GetUtcNow() + MaxWait;
        var atMost = modelsLab.Value.MaxQueuedJobs;
        await gate.Gate.WaitAsync(cancellationToken);
        try
        {
            while (true)
            {
                var now = time.GetUtcNow().UtcDateTime;
                var start = gate.BeginCount();
                var (claim, atModelsLab) = await store.ClaimIfRoomAsync(job.TrackId, atMost, now, now + reconciler.Value.Grace,
                    Activity.Current?.Id, Activity.Current?.TraceStateString, cancellationToken, reserved: start.Reserved);
                gate.Counted(start, atModelsLab + (claim == SubmitClaim.Claimed ? 1 : 0), atMost);
                if (claim != SubmitClaim.NoRoom)
                {
                    return claim;
                }

                if (time.GetUtcNow() >= giveUpAt)
                {
                    return SubmitClaim.NoRoom;
                }

                await Task.Delay(CheckEvery, time, cancellationToken);
            }
        }
        finally
        {
            gate.Gate.Release();
        }
    }
}
