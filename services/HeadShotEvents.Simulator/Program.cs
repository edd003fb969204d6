using HeadShotEvents.Simulator;

// The simulator on its own: `dotnet run --project services/HeadShotEvents.Simulator -- --urls http://127.0.0.1:5090`.
// Its defaults live in SimulatorOptions (no appsettings.json: the service references this project,
// and two appsettings.json files cannot share one publish folder).
var builder = WebApplication.CreateBuilder(args);
// HttpClient's own logs print whole URLs, and a webhook URL's last segment is the receiver's secret token.
builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
builder.Services.AddModelsLabSimulator(builder.Configuration);

var app = builder.Build();
app.MapModelsLabSimulator();
app.Run();
