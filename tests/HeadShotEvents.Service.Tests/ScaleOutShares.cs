using HeadShotEvents.Contracts;
using HeadShotEvents.Service.Tests.Infrastructure;

namespace HeadShotEvents.Service.Tests;

/// <summary>Who did the work of a scale-out run: each replica's share, from the load balancer's counts and each subscriber replica.</summary>
internal sealed class ScaleOutShares
{
    private ScaleOutShares(long[] headShotCalls, long[] fetchCalls, long[,] acceptedCallbacks, int[] archiverReplicas, int[] notifierReplicas)
    {
        HeadShotCalls = headShotCalls;
        FetchCalls = fetchCalls;
        AcceptedCallbacks = acceptedCallbacks;
        ArchiverReplicas = archiverReplicas;
        NotifierReplicas = notifierReplicas;
    }

    /// <summary>head_shot calls by submitter.</summary>
    public long[] HeadShotCalls { get; }

    /// <summary>fetch calls by reconciler.</summary>
    public long[] FetchCalls { get; }

    /// <summary>Callbacks answered 200, by [submitter that minted the webhook token, receiver that honoured it].</summary>
    public long[,] AcceptedCallbacks { get; }

    /// <summary>Terminal events consumed by each replica of the archiver and of the notifier.</summary>
    public int[] ArchiverReplicas { get; }

    public int[] NotifierReplicas { get; }

    /// <summary>The shares, from the balancer's counts and the subscriber replicas (archiver and notifier alternating, as the test started them).</summary>
    public static ScaleOutShares From(RoundRobinForwarder balancer, IReadOnlyList<SubscriberService> subscribers)
    {
        var accepted = new long[2, 2];
        for (var minter = 0; minter < 2; minter++)
        {
            var answers = balancer.Answers($"minted-by-{minter + 1}", 200);
            for (var receiver = 0; receiver < 2; receiver++)
            {
                accepted[minter, receiver] = answers[receiver];
            }
        }

        static int Terminal(SubscriberService s) => s.Received.All<HeadShotCompleted>().Count + s.Received.All<HeadShotFailed>().Count;
        return new ScaleOutShares(
            [balancer.AllAnswers("submitter-1")[0], balancer.AllAnswers("submitter-2")[0]],
            [balancer.AllAnswers("reconciler-1")[0], balancer.AllAnswers("reconciler-2")[0]],
            accepted,
            subscribers.Where((_, i) => i % 2 == 0).Select(Terminal).ToArray(),
            subscribers.Where((_, i) => i % 2 == 1).Select(Terminal).ToArray());
    }

    public IEnumerable<string> Describe()
    {
        yield return $"scale-out: head_shot calls by submitter {string.Join(" / ", HeadShotCalls)}; fetch calls by reconciler {string.Join(" / ", FetchCalls)}";
        yield return $"scale-out: callbacks accepted by receiver 1 / 2: tokens minted by submitter 1 {AcceptedCallbacks[0, 0]} / {AcceptedCallbacks[0, 1]}, " +
            $"by submitter 2 {AcceptedCallbacks[1, 0]} / {AcceptedCallbacks[1, 1]}";
        yield return $"scale-out: terminal events consumed by archiver replica 1 / 2: {string.Join(" / ", ArchiverReplicas)}; by notifier replica 1 / 2: {string.Join(" / ", NotifierReplicas)}";
    }

    /// <summary>
    /// Each replica did a real share (a tenth of what it could have; the killed ones worked until
    /// their kill at about two fifths of the run), and a webhook token minted by either submitter
    /// was honoured by either receiver: the key ring is one, in the job store.
    /// </summary>
    public void AssertEveryReplicaWorked(ChaosFigures figures)
    {
        var sent = figures.Sent;
        Assert.Equal(figures.Stats.HeadShotCalls, HeadShotCalls.Sum()); // every call went through the balancer
        Assert.All(HeadShotCalls, calls => Assert.InRange(calls, sent / 10, sent));

        var accepted = AcceptedCallbacks.Cast<long>().Sum();
        // At most a processing callback, the result, a duplicate and a retry or two per job.
        Assert.InRange(accepted, sent / 4, figures.Jobs.Count * 6L);
        for (var receiver = 0; receiver < 2; receiver++)
        {
            Assert.InRange(AcceptedCallbacks[0, receiver] + AcceptedCallbacks[1, receiver], accepted / 10, accepted);
        }

        Assert.All(AcceptedCallbacks.Cast<long>(), cell => Assert.InRange(cell, 1, accepted));

        Assert.Equal(figures.Stats.FetchCalls, FetchCalls.Sum());
        Assert.All(FetchCalls, calls => Assert.InRange(calls, 1, figures.Stats.FetchCalls));

        foreach (var replicas in new[] { ArchiverReplicas, NotifierReplicas })
        {
            Assert.All(replicas, consumed => Assert.InRange(consumed, figures.Jobs.Count / 10, figures.Jobs.Count * 3));
        }
    }
}
