using HeadShotEvents.Archiving;
using HeadShotEvents.Archiver.Hosting;
using HeadShotEvents.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults(builder.Configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } name ? name : "headshotevents-archiver",
    ArchiverTelemetry.SourceName);
builder.AddArchiver();

var app = builder.Build();

app.MapDefaultEndpoints();

app.Run();
