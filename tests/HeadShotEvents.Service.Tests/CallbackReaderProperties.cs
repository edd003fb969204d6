using System.Text;
using System.Text.Json;
using CsCheck;
using HeadShotEvents.UrlSafety;
using HeadShotEvents.Service.Callbacks;

namespace HeadShotEvents.Service.Tests;

/// <summary>
/// The callback reader (parser, shape check, limits, URL rules) against generated bodies: random
/// bytes, JSON built from ModelsLab's field names with right and wrong types, and mutations of
/// both. It never throws, and what it accepts passes an oracle written independently of it.
/// </summary>
public sealed class CallbackReaderProperties
{
    private const int MaxOutputs = 4;
    private static readonly ImageUrlRules Rules = new(["*.r2.dev", "cdn2.stablediffusionapi.com"], ["127.0.0.1"]);

    private static readonly string[] Urls =
    [
        "https://pub-3626123a.r2.dev/temp/a-0.png", "https://cdn2.stablediffusionapi.com/temp/b.png", "http://127.0.0.1:5080/simulator/outputs/c-0.png",
        "http://pub.r2.dev/x.png", "javascript:alert(1)", "file:///etc/passwd", "https://u:p@pub.r2.dev/x.png", "https://evil.test/x.png",
        "https://169.254.169.254/latest/", "https://10.0.0.1/x.png", "https://[::1]/x.png", "https://localhost/x.png", "//pub.r2.dev/x.png",
        "/x.png", "https://pub.r2.dev.evil.test/x.png", "https://pub.r2.dev/x.png\r\nX: y", "https://167772161/x.png", "data:image/png;base64,AAAA",
        "https://[::ffff:10.0.0.1]/x.png", "https://pub.r2.dev\\@evil.test/", "",
    ];

    /// <summary>
    /// Hosts by the verdict their construction gives them, independent of ImageUrl and of System.Uri:
    /// allowed names, the development host exactly as configured, and everything else refused,
    /// including private, loopback and metadata addresses in every spelling of an IP literal.
    /// </summary>
    private static readonly string[] RefusedHosts =
    [
        "evil.test", "localhost", "r2.dev.evil.test", "pub.r2.dev.evil.test", "pubr2.dev", "r2.dev", "cdn2.stablediffusionapi.com.evil.test",
        "stablediffusionapi.com", "xn--r2-dev.test",
        // 10.0.0.1, 169.254.169.254 (cloud metadata), 192.168.1.1, 172.16.0.1, 0.0.0.0 as dotted, decimal, hex, octal and short forms
        "10.0.0.1", "167772161", "0xa000001", "0x0a.0.0.1", "012.0.0.1", "10.1", "10.0.1",
        "169.254.169.254", "2852039166", "0xa9fea9fe", "0251.0376.0251.0376", "169.254.43518",
        "192.168.1.1", "3232235777", "0xc0a80101", "0300.0250.1.1", "192.168.257",
        "172.16.0.1", "2886729729", "0xac100001", "0.0.0.0", "0", "0x0",
        // IPv6 literals: loopback, unspecified, link-local, unique-local, IPv4-mapped and -compatible forms
        "[::1]", "[0:0:0:0:0:0:0:1]", "[::]", "[fe80::1]", "[fd00::1]", "[::ffff:10.0.0.1]", "[::ffff:a00:1]",
        "[::ffff:169.254.169.254]", "[::ffff:a9fe:a9fe]", "[::10.0.0.1]", "[0:0:0:0:0:ffff:7f00:1]", "[::ffff:127.0.0.1]",
    ];

    private static readonly Gen<(string Url, bool Accepted)> GeneratedUrls =
        Gen.Select(
            Gen.OneOf("https", "http", "ftp", "file", "javascript", "gopher"),
            Gen.Frequency(
                (3, Gen.Select(Gen.String[Gen.Char["a-z0-9"], 1, 12], Gen.Bool).Select((label, upper) => ((upper ? "PUB-" + label.ToUpperInvariant() + ".R2.DEV" : "pub-" + label + ".r2.dev"), Kind: 1))),
                (1, Gen.Const(("cdn2.stablediffusionapi.com", Kind: 1))),
                (2, Gen.OneOf("127.0.0.1", "127.0.0.1:5080", "127.0.0.1:8443").Select(h => (h, Kind: 2))),
                (4, Gen.OneOf(RefusedHosts).Select(h => (h, Kind: 0)))),
            Gen.OneOf("", "", "", "user:pass@", "user@", ":@"),
            Gen.OneOf("/x.png", "/temp/a-0.png", "/a%20b.png?x=1", "/"))
        .Select((scheme, host, userInfo, path) => (
            $"{scheme}://{userInfo}{host.Item1}{path}",
            userInfo.Length == 0 && (host.Kind == 1 ? scheme == "https" : host.Kind == 2 && scheme is "http" or "https")));

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> GeneratedVerdicts = new(StringComparer.Ordinal);

    private static readonly Gen<string> AnyUrl = Gen.Frequency(
        (1, Gen.OneOf(Urls)),
        (2, GeneratedUrls.Select(u =>
        {
            GeneratedVerdicts[u.Url] = u.Accepted;
            return u.Url;
        })));

    private static readonly string[] Fields =
        ["status", "id", "track_id", "output", "future_links", "proxy_links", "message", "messege", "meta", "eta", "generationTime", "retry_after", "tip", "x"];

    private static readonly Gen<string> Scalar = Gen.OneOf(
        Gen.OneOf("success", "processing", "failed", "error", "queued", "SUCCESS ", "").Select(JsonString),
        AnyUrl.Select(JsonString),
        Gen.String[0, 40].Select(JsonString),
        Gen.Int.Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        Gen.OneOf("1e400", "-0", "32.0", "3.2e1", "true", "false", "null", "12345678901234567890123456789012345678901234567890"),
        Gen.Int[129, 300].Select(n => JsonString(new string('9', n))),
        // Valid JSON that names no Unicode text: .NET throws on reading these.
        Gen.OneOf("\"\\ud800\"", "\"x\\udc00\"", "\"\\udbff\\ud800\"", "\"https://pub.r2.dev/\\ud800.png\""));

    private static readonly Gen<string> Value = Gen.Recursive<string>((depth, value) => depth >= 4
        ? Scalar
        : Gen.Frequency(
            (6, Scalar),
            (2, value.Array[0, 6].Select(items => "[" + string.Join(",", items) + "]")),
            (1, Gen.Select(Gen.OneOf(Fields), value).Array[0, 4].Select(Object))));

    /// <summary>Mostly the types ModelsLab sends, so that a good share of bodies is accepted and the oracle has work.</summary>
    private static readonly Gen<(string Name, string Value)> Field =
        Gen.OneOf(Fields).SelectMany(name => ValueFor(name).Select(value => (name, value)));

    private static Gen<string> ValueFor(string name) => name switch
    {
        "status" => Gen.Frequency((8, Gen.OneOf("success", "processing", "failed", "error").Select(JsonString)), (1, Value)),
        "id" or "track_id" => Gen.Frequency((8, Gen.Int[1, 99999].Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))), (1, Value)),
        "output" or "future_links" or "proxy_links" => Gen.Frequency((8, AnyUrl.Array[0, 6].Select(urls => JsonSerializer.Serialize(urls))), (1, Value)),
        _ => Value,
    };

    private static readonly Gen<string> Callbacks = Field.Array[0, 9].Select(Object);

    private static readonly Gen<byte[]> Bodies = Gen.Frequency(
        (1, Gen.Byte.Array[0, 300]),
        (6, Callbacks.Select(Encoding.UTF8.GetBytes)),
        (2, Gen.Select(Callbacks, Gen.Int[0, 1000], Gen.Char).Select((body, at, c) => Encoding.UTF8.GetBytes(Mutate(body, at, c)))),
        (1, Gen.Select(Callbacks, Gen.Int[0, 1000], Gen.Byte).Select((body, at, b) => Splice(Encoding.UTF8.GetBytes(body), at, b))));

    [Fact]
    public void The_reader_never_throws_and_accepts_only_what_the_oracle_and_the_validator_accept()
    {
        var accepted = 0;
        var rejected = 0;
        Bodies.Sample(body =>
        {
            var reading = CallbackReader.Read(body, Rules, MaxOutputs);
            if (reading is CallbackReading.Accepted { Callback: var callback })
            {
                Interlocked.Increment(ref accepted);
                Assert.True(callback.Output.Count <= MaxOutputs);
                Assert.All(callback.Output, url => Assert.True(Expected(url), $"accepted the output URL '{url}'"));
                Assert.True((callback.Id?.Length ?? 0) <= 128 && (callback.TrackId?.Length ?? 0) <= 20 && (callback.Message?.Length ?? 0) <= 1024);
                using var document = JsonDocument.Parse(body); // what was accepted is JSON
                Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
            }
            else
            {
                var outcome = Assert.IsType<CallbackReading.Rejected>(reading).Outcome;
                Assert.True(outcome.Status is 400 or 422, $"status {outcome.Status}");
                Interlocked.Increment(ref rejected);
            }
        }, iter: 20_000, threads: 1, seed: null);

        // Neither side vacuous: plenty of bodies are accepted, plenty refused.
        Assert.True(accepted > 1000, $"only {accepted} bodies were accepted");
        Assert.True(rejected > 1000, $"only {rejected} bodies were rejected");
    }

    [Fact]
    public void Every_url_of_the_pool_is_judged_alike_by_the_oracle_and_the_rules() =>
        Assert.All(Urls, url => Assert.True(OracleAccepts(url) == (ImageUrl.Check(url, Rules) is null), url));

    [Fact]
    public void A_body_with_any_output_the_oracle_refuses_is_never_accepted() =>
        Gen.Select(AnyUrl.Array[1, 4], Gen.Int[1, 9999]).Sample((urls, id) =>
        {
            var body = $$"""{"status":"success","id":{{id}},"track_id":"{{id}}","output":{{JsonSerializer.Serialize(urls)}}}""";
            var reading = CallbackReader.Read(Encoding.UTF8.GetBytes(body), Rules, MaxOutputs);
            // Blank entries are dropped by the tolerant parser (fetch sends "" while processing): never published.
            Assert.Equal(urls.Where(u => !string.IsNullOrWhiteSpace(u)).All(Expected), reading is CallbackReading.Accepted);
        }, iter: 5_000, threads: 1);

    [Fact]
    public void Generated_urls_get_the_verdict_their_construction_gives_them() =>
        GeneratedUrls.Sample(u => Assert.True((ImageUrl.Check(u.Url, Rules) is null) == u.Accepted,
            $"'{u.Url}' should be {(u.Accepted ? "accepted" : "refused")}"), iter: 20_000, threads: 1);

    /// <summary>A generated URL's verdict comes from how it was built; the fixed pool's from the oracle below.</summary>
    private static bool Expected(string url) => GeneratedVerdicts.TryGetValue(url, out var accepted) ? accepted : OracleAccepts(url);

    /// <summary>Written from the issue's words, not from ImageUrl: https on the allow-list, or the development host.</summary>
    private static bool OracleAccepts(string url)
    {
        if (url.Any(c => c <= ' ' || c == '\\') || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.UserInfo.Length > 0 || !url.Contains("://", StringComparison.Ordinal))
        {
            return false;
        }

        if (uri.Host == "127.0.0.1")
        {
            return uri.Scheme is "http" or "https";
        }

        return uri.Scheme == "https" && (uri.Host.EndsWith(".r2.dev", StringComparison.OrdinalIgnoreCase) || uri.Host == "cdn2.stablediffusionapi.com");
    }

    private static string JsonString(string text) => JsonSerializer.Serialize(text);

    private static string Object((string Name, string Value)[] fields) =>
        "{" + string.Join(",", fields.Select(f => JsonString(f.Name) + ":" + f.Value)) + "}";

    private static string Mutate(string body, int at, char c) => body.Length == 0 ? c.ToString() : body.Insert(at % body.Length, c.ToString());

    private static byte[] Splice(byte[] body, int at, byte b)
    {
        if (body.Length == 0)
        {
            return [b];
        }

        var copy = body.ToArray();
        copy[at % copy.Length] = b;
        return copy;
    }
}
