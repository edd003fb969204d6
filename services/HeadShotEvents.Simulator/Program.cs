using HeadShotEvents.Simulator;

// The simulator on its own: `dotnet run --project services/HeadShotEvents.Simulator -- --urls http://127.0.0.1:5080`.
var builder = WebApplication.CreateBuilder(args);
builder.Services.AddModelsLabSimulator(builder.Configuration);

var app = builder.Build();
app.MapModelsLabSimulator();
app.Run();
