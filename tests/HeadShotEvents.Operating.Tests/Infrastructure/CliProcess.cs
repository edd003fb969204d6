using System.Diagnostics;

namespace HeadShotEvents.Operating.Tests.Infrastructure;

/// <summary>What one run of <c>headshots</c> did: its exit code and both streams.</summary>
public sealed record CliRun(int ExitCode, string Out, string Error)
{
    public IReadOnlyList<string> Lines => Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Out}--- stderr\n{Error}";
}

/// <summary>
/// The CLI as a user runs it: its built dll through <c>dotnet</c>, in its own process, stdout and
/// stderr redirected (so it prints plain lines), with only the environment the test gives it.
/// </summary>
public static class CliProcess
{
    private static readonly string Dll = CliDll();

    public static async Task<CliRun> RunAsync(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo("dotnet", [Dll, .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // The developer's own settings must not leak into a test.
        start.Environment.Remove("HEADSHOTS_URL");
        start.Environment.Remove("HEADSHOTS_API_KEY");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"headshots {string.Join(' ', arguments)} did not exit in time; stdout so far: {await output}");
        }

        return new CliRun(process.ExitCode, await output, await error);
    }

    /// <summary>The CLI's own build output, built with the solution (this project references it).</summary>
    private static string CliDll()
    {
        var here = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory));
        var configuration = here.Parent!.Name; // bin/<Configuration>/net10.0
        for (var dir = here; dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "HeadShotEvents.sln")))
            {
                var dll = Path.Combine(dir.FullName, "tools", "HeadShotEvents.Cli", "bin", configuration, "net10.0", "HeadShotEvents.Cli.dll");
                return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build the solution first: {dll} is missing.");
            }
        }

        throw new DirectoryNotFoundException("HeadShotEvents.sln not found above " + AppContext.BaseDirectory);
    }
}
