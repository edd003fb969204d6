using System.Diagnostics;
using System.Net;

namespace HeadShotEvents.Service.Tests.Infrastructure;

/// <summary>
/// The service as a real operating-system process (the built HeadShotEvents.Service.dll), so a test
/// can kill it with SIGKILL mid-flow and start it again, as a crash in production would.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _log;

    private ServiceProcess(Process process, Uri baseAddress, string log)
    {
        _process = process;
        BaseAddress = baseAddress;
        _log = log;
    }

    public Uri BaseAddress { get; }

    /// <summary>The folder the process runs in: its content root, where relative paths (the embedded archive/) land.</summary>
    public static string ContentRoot => Path.GetDirectoryName(ServiceDll())!;

    // environment: "Testing" (appsettings.json alone, as a container), or "Development": what
    // `dotnet run` runs through its launch profile (appsettings.Development.json layered on top).
    // readyWithin: 60 s unless given; several processes starting together on a small machine need longer.
    public static async Task<ServiceProcess> StartAsync(
        IReadOnlyDictionary<string, string?> settings, Uri baseAddress, string environment = "Testing", TimeSpan? readyWithin = null)
    {
        var dll = ServiceDll();
        var log = Path.Combine(Path.GetTempPath(), $"headshotevents-process-{Guid.NewGuid():N}.log");
        var start = new ProcessStartInfo("dotnet", [dll])
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        start.Environment["Urls"] = baseAddress.AbsoluteUri;
        start.Environment["DOTNET_ENVIRONMENT"] = environment;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = environment;

        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {dll}.");
        var writer = new StreamWriter(log) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => Write(writer, e.Data);
        process.ErrorDataReceived += (_, e) => Write(writer, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var service = new ServiceProcess(process, baseAddress, log);
        try
        {
            await service.WaitUntilReadyAsync(readyWithin ?? TimeSpan.FromSeconds(60));
        }
        catch
        {
            await service.DisposeAsync(); // never left running behind a failed test, declaring its queues again
            throw;
        }

        return service;
    }

    /// <summary>What the process has written to stdout and stderr so far.</summary>
    public async Task<string> LogAsync()
    {
        await using var file = new FileStream(_log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(file);
        return await reader.ReadToEndAsync();
    }

    /// <summary>SIGKILL: no graceful shutdown, in-flight work is cut wherever it is.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private async Task WaitUntilReadyAsync(TimeSpan readyWithin)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + readyWithin;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The service process exited with {_process.ExitCode}; its log: {await File.ReadAllTextAsync(_log)}");
            }

            try
            {
                using var response = await http.GetAsync("health/ready");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Not answering yet.
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"The service process was not ready within {readyWithin.TotalSeconds:F0} s; its log: {await File.ReadAllTextAsync(_log)}");
    }

    private static void Write(StreamWriter writer, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (writer)
        {
            writer.WriteLine(line);
        }
    }

    /// <summary>The service's own build output (with its runtimeconfig), built with the solution.</summary>
    private static string ServiceDll()
    {
        var here = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory));
        var configuration = here.Parent!.Name; // bin/<Configuration>/net10.0
        for (var dir = here; dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "HeadShotEvents.sln")))
            {
                var dll = Path.Combine(dir.FullName, "services", "HeadShotEvents.Service", "bin", configuration, "net10.0", "HeadShotEvents.Service.dll");
                return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build the solution first: {dll} is missing.");
            }
        }

        throw new DirectoryNotFoundException("HeadShotEvents.sln not found above " + AppContext.BaseDirectory);
    }
}
