using HeadShotEvents.Service.Hosting;
using HeadShotEvents.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults(builder.Configuration.ServiceName(), HeadShotEventsHosting.TelemetrySources);
builder.AddHeadShotEvents();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapHeadShotEvents();

app.Run();
