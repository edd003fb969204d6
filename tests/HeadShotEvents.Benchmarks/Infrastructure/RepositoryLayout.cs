namespace HeadShotEvents.Benchmarks.Infrastructure;

/// <summary>Where the repository's pieces are, found from this build's output folder (bin/&lt;Configuration&gt;/net10.0).</summary>
public static partial class RepositoryLayout
{
    public static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "HeadShotEvents.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("HeadShotEvents.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>
    /// Where a run writes by default: a folder of its own, so a run never overwrites
    /// docs/benchmarks.md, which keeps the runs worth keeping with their before and after.
    /// </summary>
    public static string LatestRunDirectory() => Path.Combine(Root(), "docs", "latest-run");

    /// <summary>
    /// The service's own build output, in the configuration this program was built in (a project
    /// reference builds it); or, with <c>HEADSHOTEVENTS_SERVICE_DLL</c>, another build of it, such as
    /// the image's published output (<c>dotnet publish</c>, ReadyToRun).
    /// </summary>
    public static string ServiceDll()
    {
        if (Environment.GetEnvironmentVariable("HEADSHOTEVENTS_SERVICE_DLL") is { Length: > 0 } given)
        {
            return File.Exists(given) ? given : throw new FileNotFoundException($"HEADSHOTEVENTS_SERVICE_DLL names no file: {given}");
        }

        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        var dll = Path.Combine(Root(), "services", "HeadShotEvents.Service", "bin", configuration, "net10.0", "HeadShotEvents.Service.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build first: {dll} is missing.");
    }

    /// <summary>
    /// The runtime settings the image gives the service: each <c>ENV DOTNET_NAME=VALUE</c> line of
    /// infra/docker/Dockerfile, so the benchmark runs the service as the image does.
    /// </summary>
    public static IReadOnlyDictionary<string, string> ImageRuntimeSettings()
    {
        var settings = new Dictionary<string, string>();
        foreach (var line in File.ReadLines(Path.Combine(Root(), "infra", "docker", "Dockerfile")))
        {
            if (ImageRuntimeSetting().Match(line) is { Success: true } match)
            {
                settings[match.Groups[1].Value] = match.Groups[2].Value;
            }
            else if (!line.TrimStart().StartsWith('#') && line.Contains("DOTNET_", StringComparison.Ordinal) && !line.Contains("$", StringComparison.Ordinal))
            {
                // Another form (several variables in one ENV, `ENV NAME VALUE`, quotes) would be skipped silently.
                throw new InvalidDataException($"infra/docker/Dockerfile sets a DOTNET_ variable in a form the benchmark does not read; give it a line `ENV DOTNET_NAME=VALUE` of its own: {line}");
            }
        }

        return settings;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^ENV (DOTNET_\w+)=(\S+)\s*$")]
    private static partial System.Text.RegularExpressions.Regex ImageRuntimeSetting();
}
