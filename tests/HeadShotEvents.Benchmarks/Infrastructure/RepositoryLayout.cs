namespace HeadShotEvents.Benchmarks.Infrastructure;

/// <summary>Where the repository's pieces are, found from this build's output folder (bin/&lt;Configuration&gt;/net10.0).</summary>
public static class RepositoryLayout
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

    /// <summary>The service's own build output, in the configuration this program was built in (a project reference builds it).</summary>
    public static string ServiceDll()
    {
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        var dll = Path.Combine(Root(), "services", "HeadShotEvents.Service", "bin", configuration, "net10.0", "HeadShotEvents.Service.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build first: {dll} is missing.");
    }
}
