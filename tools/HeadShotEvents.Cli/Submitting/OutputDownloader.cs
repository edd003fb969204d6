using HeadShotEvents.Cli.Api;

namespace HeadShotEvents.Cli.Submitting;

/// <summary>
/// Saves a completed job's outputs as <c>{requestId}-{index}.{png|jpg|webp}</c>. Its own client:
/// output URLs are ModelsLab's CDN, which must never see the service's API key.
/// </summary>
public static class OutputDownloader
{
    public static async Task<IReadOnlyList<string>> DownloadAsync(JobStatus job, string folder, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
        var files = new List<string>();
        for (var index = 0; index < job.Outputs.Count; index++)
        {
            var url = job.Outputs[index];
            byte[] bytes;
            try
            {
                bytes = await http.GetByteArrayAsync(url, cancellationToken);
            }
            catch (HttpRequestException ex)
            {
                throw new IOException($"output {index} could not be downloaded from {url}: {ex.Message} (ModelsLab keeps outputs 24 hours)", ex);
            }

            var path = Path.GetFullPath(Path.Combine(folder, $"{job.RequestId}-{index}.{Extension(bytes)}"));
            await File.WriteAllBytesAsync(path, bytes, cancellationToken);
            files.Add(path);
        }

        return files;
    }

    private static string Extension(byte[] bytes) => bytes switch
    {
        [0x89, (byte)'P', (byte)'N', (byte)'G', ..] => "png",
        [0xFF, 0xD8, 0xFF, ..] => "jpg",
        [(byte)'R', (byte)'I', (byte)'F', (byte)'F', _, _, _, _, (byte)'W', (byte)'E', (byte)'B', (byte)'P', ..] => "webp",
        _ => "bin",
    };
}
