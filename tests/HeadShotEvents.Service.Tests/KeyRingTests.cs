using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using HeadShotEvents.Service.Callbacks;
using HeadShotEvents.Service.Jobs;
using HeadShotEvents.Service.Tests.Infrastructure;
using HeadShotEvents.Testing;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;

using static HeadShotEvents.Service.Tests.KeyRingStores;

namespace HeadShotEvents.Service.Tests;

/// <summary>The key ring that signs webhook tokens: shared, protected at rest, rotated without breaking jobs in flight, created once.</summary>
public sealed class KeyRingTests
{
    [Fact]
    public async Task A_token_minted_by_one_instance_is_accepted_by_another_sharing_the_key_ring_and_rejected_by_one_that_does_not()
    {
        await using var minter = await ServiceApplication.StartAsync(new ServiceApplication.Options
        {
            EmbeddedDefaults = true,
            Settings = new Dictionary<string, string?> { ["Simulator:Faults:DropWebhookShare"] = "1.0" },
        });
        await using var sharing = await ServiceApplication.StartAsync(new ServiceApplication.Options { EmbeddedDefaults = true, ShareWith = minter });
        await using var stranger = await ServiceApplication.StartAsync(new ServiceApplication.Options { EmbeddedDefaults = true });
        var job = await ProcessingJobAsync(minter);
        var token = Tokens(minter).Mint(job.TrackId);
        var stale = Tokens(minter, mintedAgo: TimeSpan.FromDays(3)).Mint(job.TrackId);

        Assert.Equal(new TokenCheck.Valid(job.TrackId), Tokens(sharing).Read(token));
        Assert.IsType<TokenCheck.Invalid>(Tokens(stranger).Read(token));
        Assert.Equal(HttpStatusCode.NotFound, (await CallbackAsync(stranger, token, job)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await CallbackAsync(stranger, stale, job)).StatusCode);
        Assert.Equal(HttpStatusCode.Gone, (await CallbackAsync(sharing, stale, job)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await CallbackAsync(sharing, token, job)).StatusCode);
        Assert.Equal(JobState.Completed, (await minter.JobAsync(job.RequestId))!.State);
    }

    [Fact]
    public async Task With_a_certificate_configured_the_stored_keys_are_encrypted_and_still_shared()
    {
        var (path, password) = Certificate();
        var settings = new Dictionary<string, string?> { ["DataProtection:CertificatePath"] = path, ["DataProtection:CertificatePassword"] = password };
        try
        {
            await using var first = await ServiceApplication.StartAsync(new ServiceApplication.Options { EmbeddedDefaults = true, Settings = settings });
            await using var second = await ServiceApplication.StartAsync(new ServiceApplication.Options { EmbeddedDefaults = true, Settings = settings, ShareWith = first });
            await using var plain = await ServiceApplication.StartAsync(new ServiceApplication.Options { EmbeddedDefaults = true });

            var stored = await KeyXmlAsync(first);
            Assert.NotEmpty(stored);
            Assert.All(stored, xml => Assert.Contains("EncryptedData", xml, StringComparison.Ordinal));
            Assert.All(stored, xml => Assert.DoesNotContain("<value>", xml, StringComparison.Ordinal));
            Assert.All(await KeyXmlAsync(plain), xml => Assert.Contains("<value>", xml, StringComparison.Ordinal));
            Assert.Equal(new TokenCheck.Valid(7), Tokens(second).Read(Tokens(first).Mint(7)));
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>
    /// Data Protection signs with a new key only once it is days old (so every instance has read
    /// it), and the old key has to be over its lifetime: the stored dates are moved back to get there
    /// without waiting 90 days.
    /// </summary>
    [Fact]
    public async Task After_a_key_rotation_tokens_signed_with_the_old_key_are_still_honoured()
    {
        await using var first = await ServiceApplication.StartAsync(new ServiceApplication.Options { EmbeddedDefaults = true });
        var before = Tokens(first).Mint(41);
        var staleBefore = Tokens(first, mintedAgo: TimeSpan.FromDays(3)).Mint(41);
        var now = DateTimeOffset.UtcNow;
        var successor = first.Services.GetRequiredService<IKeyManager>().CreateNewKey(now, now.AddDays(90));
        await AgeKeysAsync(first, retired: KeyId(before), successor.KeyId);

        await using var later = await ServiceApplication.StartAsync(new ServiceApplication.Options { EmbeddedDefaults = true, ShareWith = first });
        var after = Tokens(later).Mint(41);

        Assert.Equal(successor.KeyId, KeyId(after));
        Assert.Equal(new TokenCheck.Valid(41), Tokens(later).Read(before));
        Assert.Equal(new TokenCheck.Valid(41), Tokens(later).Read(after));
        Assert.Equal(HttpStatusCode.Gone, (await CallbackAsync(later, staleBefore, null)).StatusCode);
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("Postgres")]
    public async Task Two_instances_starting_together_on_an_empty_store_create_one_first_key(string provider)
    {
        var (connection, drop) = await EmptyStoreAsync(provider);
        try
        {
            var settings = new Dictionary<string, string?> { ["Jobs:Provider"] = provider, ["ConnectionStrings:Jobs"] = connection };
            var starting = Enumerable.Range(0, 2)
                .Select(_ => ServiceApplication.StartAsync(new ServiceApplication.Options { EmbeddedDefaults = true, Settings = settings }))
                .ToArray();
            var instances = await Task.WhenAll(starting);
            try
            {
                // Created at start, before any token: no role mints with a key of its own.
                Assert.Single(await KeyXmlAsync(instances[0]));
                var tokens = await Task.WhenAll(instances.Select(i => Task.Run(() => Tokens(i).Mint(5))));

                Assert.Single(await KeyXmlAsync(instances[0]));
                Assert.Equal(new TokenCheck.Valid(5), Tokens(instances[1]).Read(tokens[0]));
                Assert.Equal(new TokenCheck.Valid(5), Tokens(instances[0]).Read(tokens[1]));
            }
            finally
            {
                foreach (var instance in instances)
                {
                    await instance.DisposeAsync();
                }
            }
        }
        finally
        {
            await drop();
        }
    }

    /// <summary>
    /// The race itself, made certain: another instance holds the first-key lock, this one starts and
    /// waits for it, the other creates its key and lets go; this one must use that key, not make its own.
    /// </summary>
    [Fact]
    public async Task An_instance_starting_while_another_creates_the_first_key_waits_and_uses_that_key()
    {
        var (connection, drop) = await EmptyStoreAsync("Postgres", withSchema: true);
        try
        {
            await using var holder = new NpgsqlConnection(connection);
            await holder.OpenAsync();
            await using (var take = new NpgsqlCommand("SELECT pg_advisory_lock(5211879621950396721)", holder))
            {
                await take.ExecuteNonQueryAsync();
            }

            var starting = ServiceApplication.StartAsync(new ServiceApplication.Options
            {
                EmbeddedDefaults = true,
                Settings = new Dictionary<string, string?> { ["Jobs:Provider"] = "Postgres", ["ConnectionStrings:Jobs"] = connection },
            });
            await Eventually.UntilAsync(() => WaitingForAdvisoryLockAsync(holder), waiting => waiting, Pipeline.Patience, "the instance to wait for the first-key lock");
            var winner = OtherInstanceCreatesKey(connection);
            await using (var release = new NpgsqlCommand("SELECT pg_advisory_unlock(5211879621950396721)", holder))
            {
                await release.ExecuteNonQueryAsync();
            }

            await using var started = await starting;
            Assert.Single(await KeyXmlAsync(started));
            Assert.Equal(winner, KeyId(Tokens(started).Mint(9)));
        }
        finally
        {
            await drop();
        }
    }

    private static async Task<HeadShotJob> ProcessingJobAsync(ServiceApplication service)
    {
        var request = Pipeline.Request();
        using var posted = await service.HttpClient.PostAsJsonAsync("headshots", request, new JsonSerializerOptions(JsonSerializerDefaults.Web));
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        return (await Eventually.UntilAsync(() => service.JobAsync(request.RequestId), j => j?.State == JobState.Processing,
            Pipeline.Patience, "the job to be Processing"))!;
    }

    private static async Task<HttpResponseMessage> CallbackAsync(ServiceApplication service, string token, HeadShotJob? job)
    {
        var body = $$"""{"status":"success","id":{{job?.ModelsLabId ?? "1"}},"track_id":"{{job?.TrackId ?? 41}}","output":["https://pub.r2.dev/x-0.png"]}""";
        return await service.HttpClient.PostAsync($"webhooks/modelslab/{token}", new StringContent(body, Encoding.UTF8, "application/json"));
    }
}
