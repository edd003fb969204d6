using System.Text;
using System.Text.Json;
using CsCheck;
using HeadShotEvents.ModelsLab.Validation;
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

    private static readonly string[] Fields =
        ["status", "id", "track_id", "output", "future_links", "proxy_links", "message", "messege", "meta", "eta", "generationTime", "retry_after", "tip", "x"];

    private static readonly Gen<string> Scalar = Gen.OneOf(
        Gen.OneOf("success", "processing", "failed", "error", "queued", "SUCCESS ", "").Select(JsonString),
        Gen.OneOf(Urls).Select(JsonString),
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
        "output" or "future_links" or "proxy_links" => Gen.Frequency((8, Gen.OneOf(Urls).Array[0, 6].Select(urls => JsonSerializer.Serialize(urls))), (1, Value)),
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
                Assert.All(callback.Output, url => Assert.True(OracleAccepts(url), $"accepted the output URL '{url}'"));
                Assert.True((callback.Id?.Length ?? 0) <= 128 && (callback.TrackId?.Length ?? 0) <= 20 && (callback.Message?.Length ?? 0) <= 1024);
                Assert.Null(CallbackValidator.CheckContent(callback, Rules, MaxOutputs));
                using var document = JsonDocument.Parse(body);
                Assert.Null(CallbackValidator.CheckShape(document.RootElement));
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
        Gen.Select(Gen.OneOf(Urls).Array[1, 4], Gen.Int[1, 9999]).Sample((urls, id) =>
        {
            var body = $$"""{"status":"success","id":{{id}},"track_id":"{{id}}","output":{{JsonSerializer.Serialize(urls)}}}""";
            var reading = CallbackReader.Read(Encoding.UTF8.GetBytes(body), Rules, MaxOutputs);
            // Blank entries are dropped by the tolerant parser (fetch sends "" while processing): never published.
            Assert.Equal(urls.Where(u => !string.IsNullOrWhiteSpace(u)).All(OracleAccepts), reading is CallbackReading.Accepted);
        }, iter: 5_000, threads: 1);

    /// <summary>Written from the words, not from ImageUrl: https on the allow-list, or the development host.</summary>
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
