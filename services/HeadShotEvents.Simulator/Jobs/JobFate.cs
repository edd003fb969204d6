namespace HeadShotEvents.Simulator.Jobs;

/// <summary>
/// Everything chance decides about one job, rolled once at submission from (Seed, job id) only:
/// job N meets the same fate however requests interleave, and the same seed replays a run.
/// </summary>
internal sealed record JobFate(
    bool AnsweredAtOnce,
    bool Fails,
    bool WebhookDropped,
    bool WebhookDuplicated,
    long Seed,
    string FilePrefix)
{
    public static JobFate Roll(int simulatorSeed, long jobId, SimulatorFaults faults, long? requestedSeed)
    {
        var dice = new Random(Mix(simulatorSeed, jobId));
        // Every die is cast for every job, in this order, so changing one share never shifts another decision.
        var atOnce = dice.NextDouble() < faults.ImmediateSuccessShare;
        var fails = dice.NextDouble() < faults.FailGenerationShare;
        var dropped = dice.NextDouble() < faults.DropWebhookShare;
        var duplicated = dice.NextDouble() < faults.DuplicateWebhookShare;
        var seed = dice.NextInt64(0, uint.MaxValue + 1L);
        Span<byte> bytes = stackalloc byte[16];
        dice.NextBytes(bytes);
        // Two jobs' dice can coincide (Random takes a 32-bit seed); the job id in the last six bytes
        // keeps their file names apart all the same.
        for (var i = 0; i < 6; i++)
            bytes[10 + i] ^= (byte)(jobId >> (8 * i));
        // Stamp version 4 and the RFC variant so the file prefix looks like ModelsLab's GUIDs.
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        // A job answered "success" at once has finished: it cannot fail later.
        return new JobFate(atOnce, fails && !atOnce, dropped, duplicated, requestedSeed ?? seed, new Guid(bytes).ToString());
    }

    /// <summary>SplitMix64's finaliser: neighbouring job ids get unrelated dice.</summary>
    private static int Mix(int seed, long jobId)
    {
        unchecked
        {
            var z = ((ulong)(uint)seed * 0x9E3779B97F4A7C15UL) ^ (ulong)jobId;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            return (int)(z ^ (z >> 32));
        }
    }
}
