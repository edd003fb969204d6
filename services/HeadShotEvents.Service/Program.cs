using HeadShotEvents.Service.Hosting;
using HeadShotEvents.Service.Jobs.Schema;
using HeadShotEvents.ServiceDefaults;

// `HeadShotEvents.Service migrate`: apply the job store's migrations, start nothing else, exit.
if (args is [MigrateCommand.Verb, .. var migrateArgs])
{
    return await MigrateCommand.RunAsync(migrateArgs);
}

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults(builder.Configuration.ServiceName(), HeadShotEventsHosting.TelemetrySources);
builder.AddHeadShotEvents();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapHeadShotEvents();

await app.RunAsync();
return 0;
