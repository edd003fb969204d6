using System.Diagnostics;
using HeadShotEvents.Service.Jobs;

namespace HeadShotEvents.Service.Telemetry;

/// <summary>
/// The service's own ActivitySource and the tags an operator searches traces by. Never the API
/// key, the webhook token, the prompt or the face image.
/// </summary>
public static class HeadShotTelemetry
{
    public const string SourceName = "HeadShotEvents";

    public const string RequestIdTag = "headshot.request_id";
    public const string TrackIdTag = "headshot.track_id";
    public const string ModelsLabIdTag = "modelslab.id";
    public const string OutcomeTag = "headshot.outcome";

    public const string CallbackActivity = "headshot.callback";

    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>Tags <paramref name="activity"/> (usually the current one) with a job's ids.</summary>
    public static void Tag(Activity? activity, HeadShotJob job)
    {
        activity?.SetTag(RequestIdTag, job.RequestId.ToString());
        activity?.SetTag(TrackIdTag, job.TrackId);
        if (job.ModelsLabId is not null)
        {
            activity?.SetTag(ModelsLabIdTag, job.ModelsLabId);
        }
    }

    /// <summary>
    /// Starts the span that settles a job as a CHILD of the trace context saved when the request was
    /// consumed, linked to the span that is current now (the inbound callback, or the poll). So the
    /// terminal publish and every subscriber's consume land in the request's own trace, across the
    /// minutes or hours between submit and callback.
    /// </summary>
    public static TraceContinuation Continue(string name, HeadShotJob job)
    {
        var current = Activity.Current;
        var links = current is null ? null : new[] { new ActivityLink(current.Context) };
        var activity = ActivityContext.TryParse(job.TraceParent, job.TraceState, isRemote: true, out var saved)
            ? Source.StartActivity(name, ActivityKind.Internal, saved, links: links)
            : Source.StartActivity(name, ActivityKind.Internal, current?.Context ?? default, links: links);
        Tag(activity, job);
        return new TraceContinuation(activity, current);
    }
}

/// <summary>
/// Ends a continued span and puts back the span that was current before it: an Activity started
/// from a remote context has no Parent object, so stopping it alone would leave no current span.
/// </summary>
public readonly struct TraceContinuation(Activity? activity, Activity? previous) : IDisposable
{
    public Activity? Activity => activity;

    public void Dispose()
    {
        activity?.Dispose();
        System.Diagnostics.Activity.Current = previous;
    }
}
