using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using HeadShotEvents.Contracts;
using HeadShotEvents.Service.Tests.Infrastructure;
using HeadShotEvents.Testing;

namespace HeadShotEvents.Service.Tests;

/// <summary>
/// README's first command archives too: the built service in the Development environment (what
/// `dotnet run`'s launch profile sets), so appsettings.Development.json's Archiver role copies the
/// simulator's outputs into archive/ under the content root over loopback.
/// </summary>
public sealed class EmbeddedArchiveTests
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    [Fact]
    public async Task The_embedded_run_copies_every_output_into_its_archive_folder_and_publishes_HeadShotArchived()
    {
        var requestId = Guid.NewGuid();
        var database = Path.Combine(Path.GetTempPath(), $"headshots-{Guid.NewGuid():N}.db");
        var address = LoopbackPorts.FreeAddress();
        // Storage:Folder:Path is the profile's own ("archive"): keys start with the RequestId, so
        // this test's folder is its own whoever else runs the embedded profile from this build.
        var archive = Path.Combine(ServiceProcess.ContentRoot, "archive", requestId.ToString());
        try
        {
            await using var service = await ServiceProcess.StartAsync(new Dictionary<string, string?>
            {
                ["ConnectionStrings:Jobs"] = $"Data Source={database}",
                // The launch profile's port 5080, moved to a free one: the simulator and the webhook follow it.
                ["ModelsLab:BaseUrl"] = new Uri(address, "api/v6/").AbsoluteUri,
                ["Webhooks:PublicBaseUrl"] = address.AbsoluteUri,
            }, address, environment: "Development");
            using var http = new HttpClient { BaseAddress = address };

            using var posted = await http.PostAsync("headshots", new StringContent($$"""
                {
                  "requestId": "{{requestId}}",
                  "prompt": "pretty woman",
                  "faceImage": "https://example.com/face.jpg",
                  "width": 512, "height": 512, "numInferenceSteps": 21, "guidanceScale": 5,
                  "metadata": { "customer": "c-42" } }
                """, Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
            var status = await Eventually.UntilAsync(
                () => http.GetFromJsonAsync<JsonObject>($"headshots/{requestId}"),
                s => (string?)s!["state"] == "Completed", Pipeline.Patience, "the request to complete");
            var outputs = status!["outputs"]!.AsArray().Select(o => (string)o!).ToList();
            Assert.InRange(outputs.Count, 1, 4);

            // The receipt is written right after HeadShotArchived is published: it is that message.
            var receiptPath = Path.Combine(archive, "archived.json");
            await Eventually.UntilAsync(() => Task.FromResult(File.Exists(receiptPath)), exists => exists, Pipeline.Patience, $"the receipt {receiptPath}");
            var archived = JsonSerializer.Deserialize<HeadShotArchived>(await File.ReadAllBytesAsync(receiptPath), new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
            Assert.Equal(requestId, archived.RequestId);
            Assert.Equal("c-42", archived.Metadata?["customer"]);
            Assert.Equal(outputs.Count, archived.Images.Count);

            for (var index = 0; index < outputs.Count; index++)
            {
                var served = await http.GetByteArrayAsync(outputs[index]);
                var stored = await File.ReadAllBytesAsync(Path.Combine(archive, $"{index}.png"));
                var image = PngImage.Decode(stored);
                var entry = archived.Images.Single(i => i.Index == index);

                Assert.Equal(PngSignature, stored[..PngSignature.Length]);
                Assert.InRange(stored.Length, 100, 20 * 1024 * 1024);
                Assert.Equal(served.Length, stored.Length);
                Assert.Equal(served, stored);
                Assert.Equal(stored.Length, entry.SizeBytes);
                Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(stored)), entry.Sha256);
                Assert.Equal((image.Width, image.Height), (entry.Width, entry.Height));
                Assert.Equal(outputs[index], entry.SourceUrl);
            }

            // The line is logged after the receipt is written and reaches the file through the console
            // logger and a pipe: polled for, not read once.
            var archivedLine = $"Archived {outputs.Count} image(s) of request {requestId}";
            var log = await Eventually.UntilAsync(service.LogAsync, text => text.Contains(archivedLine, StringComparison.Ordinal),
                Pipeline.Patience, $"the service's log to say '{archivedLine}'");
            Assert.Contains(archivedLine, log, StringComparison.Ordinal);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var path in new[] { database, database + "-wal", database + "-shm", database + ".migrations-lock", database + ".keyring-lock" })
            {
                File.Delete(path);
            }

            if (Directory.Exists(archive))
            {
                Directory.Delete(archive, recursive: true);
            }
        }
    }
}
