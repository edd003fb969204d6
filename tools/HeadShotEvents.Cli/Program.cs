using HeadShotEvents.Cli.Listing;
using HeadShotEvents.Cli.Output;
using HeadShotEvents.Cli.Replaying;
using HeadShotEvents.Cli.Status;
using HeadShotEvents.Cli.Submitting;
using Spectre.Console.Cli;

// `headshots`: the operator's side of HeadShotEvents over its HTTP API (README "The CLI").
var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("headshots");
    config.ConfigureConsole(Terminal.Out);
    config.AddCommand<SubmitCommand>("submit")
        .WithDescription("Submit a head shot; --wait follows it and downloads its outputs")
        .WithExample("submit", "\"pretty woman\"", "--face", "face.jpg", "--width", "512", "--height", "512", "--wait", "--out", "shots");
    config.AddCommand<StatusCommand>("status").WithDescription("Where a request stands, and its timeline")
        .WithExample("status", "3f2504e0-4f89-11d3-9a0c-0305e82c3301");
    config.AddCommand<ListCommand>("list").WithDescription("The job log, newest first, with filters")
        .WithExample("list", "--state", "Failed", "--since", "2026-11-25T00:00:00Z", "--metadata", "customer=c-42");
    config.AddCommand<ReplayCommand>("replay").WithDescription("Publish a job's terminal event again (same MessageId)")
        .WithExample("replay", "3f2504e0-4f89-11d3-9a0c-0305e82c3301", "--queue", "archive-head-shot");
    config.SetExceptionHandler((exception, _) => Failures.Report(exception));
});

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
return await app.RunAsync(args, cancel.Token);
