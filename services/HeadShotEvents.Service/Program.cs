using HeadShotEvents.Service.Hosting;
using HeadShotEvents.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults(Telemetry.SourceName);
builder.AddHeadShotEvents();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapHeadShotEvents();

app.Run();
