using System.Diagnostics;
using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using HeadShotEvents.Archiving.Storage;

namespace HeadShotEvents.Archiver.Tests.Infrastructure;

/// <summary>
/// A real S3-compatible server: <c>S3_URL</c> (with <c>S3_ACCESS_KEY</c>, <c>S3_SECRET_KEY</c>) when
/// set, e.g. MinIO; else npm's s3rver from <c>tools/s3rver</c> (installed by <c>npm ci --prefix
/// tools/s3rver</c>), started once on a free loopback port with its data in a temporary folder.
/// Missing both is a failure that says how to provide one, never a skip.
/// </summary>
public static class S3Server
{
    public const string UrlVariable = "S3_URL";
    public const string Bucket = "headshot-archive-tests";

    private static readonly Lazy<Task<S3StorageOptions>> Server = new(StartAsync);

    /// <summary>Options naming the server and a bucket that exists.</summary>
    public static Task<S3StorageOptions> OptionsAsync() => Server.Value;

    public static async Task<IAmazonS3> ClientAsync() => S3ArchiveStore.CreateClient(await OptionsAsync());

    private static async Task<S3StorageOptions> StartAsync()
    {
        var options = Environment.GetEnvironmentVariable(UrlVariable) is { Length: > 0 } url
            ? new S3StorageOptions
            {
                ServiceUrl = new Uri(url),
                AccessKey = Environment.GetEnvironmentVariable("S3_ACCESS_KEY"),
                SecretKey = Environment.GetEnvironmentVariable("S3_SECRET_KEY"),
                Bucket = Bucket,
            }
            : await StartS3rverAsync();

        using var client = S3ArchiveStore.CreateClient(options);
        try
        {
            await client.PutBucketAsync(new PutBucketRequest { BucketName = Bucket });
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.Conflict)
        {
            // It exists already: a shared server.
        }

        return options;
    }

    private static async Task<S3StorageOptions> StartS3rverAsync()
    {
        var script = Path.Combine(RepositoryRoot(), "tools", "s3rver", "node_modules", "s3rver", "bin", "s3rver.js");
        if (!File.Exists(script))
        {
            throw new InvalidOperationException(
                $"These tests need an S3-compatible server. Install s3rver with `npm ci --prefix tools/s3rver` (it is looked for at {script}), " +
                $"or set {UrlVariable} (with S3_ACCESS_KEY and S3_SECRET_KEY) to a running one such as MinIO.");
        }

        var data = Directory.CreateTempSubdirectory("s3rver-");
        var start = new ProcessStartInfo("node", [script, "-d", data.FullName, "-a", "127.0.0.1", "-p", "0", "--silent", "--no-vhost-buckets"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"s3rver needs Node.js (`node` on PATH) to run the S3 tests: {ex.Message}", ex);
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                process.Kill();
                data.Delete(recursive: true);
            }
            catch (Exception)
            {
                // Best effort: the test run is over.
            }
        };

        // It prints "S3rver listening on 127.0.0.1:PORT" once the port is bound.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await process.StandardOutput.ReadLineAsync(deadline.Token) is { } line)
        {
            const string marker = "S3rver listening on ";
            if (line.StartsWith(marker, StringComparison.Ordinal))
            {
                _ = process.StandardOutput.ReadToEndAsync(); // keep the pipe drained
                return new S3StorageOptions
                {
                    ServiceUrl = new Uri($"http://{line[marker.Length..].Trim()}/"),
                    AccessKey = "S3RVER",
                    SecretKey = "S3RVER",
                    Bucket = Bucket,
                };
            }
        }

        throw new InvalidOperationException($"s3rver exited before listening: {await process.StandardError.ReadToEndAsync()}");
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "HeadShotEvents.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No HeadShotEvents.sln above {AppContext.BaseDirectory}.");
    }
}
