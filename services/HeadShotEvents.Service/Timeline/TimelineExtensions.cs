namespace HeadShotEvents.Service.Timeline;

public static class TimelineExtensions
{
    /// <summary>
    /// Every role records (the receiver its callbacks, the reconciler its polls, the dispatcher its
    /// publishes), so every process has the buffer and its writer. Registered before the bus and the
    /// dispatcher: hosted services stop in reverse order, so the writer stops after them and writes
    /// what they recorded last.
    /// </summary>
    public static IHostApplicationBuilder AddTimeline(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<TimelineOptions>()
            .BindConfiguration(TimelineOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<TimelineMetrics>();
        builder.Services.AddSingleton<JobTimeline>();
        builder.Services.AddScoped<TimelineStore>();
        builder.Services.AddHostedService<TimelineWriter>();
        return builder;
    }
}
