using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace HeadShotEvents.Benchmarks.Infrastructure;

/// <summary>
/// The service as its own operating-system process, configured only by environment variables as a
/// container would be, on a real loopback port. Its memory is its own, not the load generator's.
/// </summary>
public sealed class ServiceHost : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _log;

    private ServiceHost(Process process, Uri baseAddress, string log)
    {
        _process = process;
        BaseAddress = baseAddress;
        _log = log;
    }

    public Uri BaseAddress { get; }

    public int ProcessId => _process.Id;

    public static async Task<ServiceHost> StartAsync(Uri baseAddress, IReadOnlyDictionary<string, string> settings)
    {
        var dll = RepositoryLayout.ServiceDll();
        var log = Path.Combine(Path.GetTempPath(), $"headshotevents-bench-{Guid.NewGuid():N}.log");
        var start = new ProcessStartInfo("dotnet", [dll])
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Urls"] = baseAddress.AbsoluteUri;
        foreach (var (name, value) in RepositoryLayout.ImageRuntimeSettings())
        {
            // What the image sets, unless this run's own environment says otherwise (a before/after of the setting).
            start.Environment.TryAdd(name, value);
        }

        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {dll}.");
        var writer = new StreamWriter(log) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => Write(writer, e.Data);
        process.ErrorDataReceived += (_, e) => Write(writer, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var host = new ServiceHost(process, baseAddress, log);
        await host.WaitUntilReadyAsync();
        return host;
    }

    /// <summary>Resident memory now and at its peak, from /proc (Linux); what the operating system charges the service.</summary>
    public ServiceMemory Memory()
    {
        var status = File.ReadAllLines($"/proc/{_process.Id}/status");
        return new ServiceMemory(Kilobytes(status, "VmRSS:") / 1024.0, Kilobytes(status, "VmHWM:") / 1024.0);

        static long Kilobytes(string[] lines, string field) =>
            lines.FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal)) is { } line
                ? long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture)
                : 0;
    }

    public string LogTail(int lines = 40) => string.Join('\n', File.ReadLines(_log).TakeLast(lines));

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // SIGTERM first: a graceful stop lets the bus close its channels instead of leaving them to time out.
            using (Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
            }

            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                await _process.WaitForExitAsync(stop.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        _process.Dispose();
    }

    private async Task WaitUntilReadyAsync()
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The service exited with {_process.ExitCode}:\n{LogTail()}");
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

        throw new TimeoutException($"The service was not ready within 90 s:\n{LogTail()}");
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
}

public sealed record ServiceMemory(double ResidentMiB, double PeakResidentMiB);
