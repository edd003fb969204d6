using HeadShotEvents.Benchmarks;
using HeadShotEvents.Benchmarks.Infrastructure;
using HeadShotEvents.Benchmarks.Reporting;

// One command, every figure side by side with its baseline (README "Benchmarks"):
//   dotnet run -c Release --project tests/HeadShotEvents.Benchmarks -- [--small] [--jobs 5000] [--sections ingest,broker,e2e,scale,claim]
BenchmarkSettings settings;
try
{
    settings = BenchmarkSettings.FromArguments(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}

var report = await BenchmarkRun.RunAsync(settings, line => Console.WriteLine($"{DateTime.UtcNow:HH:mm:ss} {line}"));
Console.WriteLine();
Console.WriteLine(MarkdownReport.Render(report));
if (settings.OutputDirectory is { } directory)
{
    Console.WriteLine($"Written: {Path.Combine(directory, "benchmarks.md")} and benchmarks.json");
}

// Figures are never judged; a run whose correctness checks failed is.
return report.Problems.Any() ? 1 : 0;
