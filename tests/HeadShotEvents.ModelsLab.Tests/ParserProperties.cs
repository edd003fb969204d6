using System.Globalization;
using System.Text;
using CsCheck;
using HeadShotEvents.ModelsLab.Wire;

namespace HeadShotEvents.ModelsLab.Tests;

/// <summary>
/// The parser reads every body ModelsLab (or anyone posing as it) sends: webhook, fetch and
/// head_shot answers. Whatever the bytes, it answers true or false; it never throws.
/// </summary>
public sealed class ParserProperties
{
    private static readonly string[] Fields =
        ["status", "id", "track_id", "output", "future_links", "proxy_links", "message", "messege", "meta", "eta", "generationTime", "retry_after", "tip", "fetch_result", "webhook_status"];

    /// <summary>Any UTF-16 code units, lone surrogates included, written as JSON escapes where they must be.</summary>
    private static readonly Gen<string> AnyJsonString = Gen.Char.Array[0, 12].Select(Escaped);

    private static readonly Gen<string> Scalar = Gen.Frequency(
        (6, AnyJsonString),
        (1, Gen.OneOf("\"\\ud800\"", "\"\\udc00x\"", "\"a\\ud800\\ud800\"", "\"\\udbff\"", "\"https://pub.r2.dev/\\ud800.png\"")),
        (1, Gen.Int.Select(i => i.ToString(CultureInfo.InvariantCulture))),
        (1, Gen.OneOf("1e400", "-0", "3.2e1", "true", "null", "12345678901234567890123456789012345678901234567890")));

    private static readonly Gen<string> Value = Gen.Recursive<string>((depth, value) => depth >= 3
        ? Scalar
        : Gen.Frequency(
            (5, Scalar),
            (2, value.Array[0, 4].Select(items => "[" + string.Join(",", items) + "]")),
            (1, Gen.Select(Gen.OneOf(AnyJsonString, Gen.OneOf(Fields).Select(f => '"' + f + '"')), value).Array[0, 4].Select(Object))));

    /// <summary>Known field names (their values any JSON), with now and then a name that is itself any string.</summary>
    private static readonly Gen<string> Bodies = Gen.Select(
            Gen.Frequency((6, Gen.OneOf(Fields).Select(f => '"' + f + '"')), (1, AnyJsonString)), Value)
        .Array[0, 10].Select(Object);

    [Fact]
    public void Any_bytes_are_parsed_or_refused_never_thrown_on() =>
        Gen.Byte.Array[0, 400].Sample(bytes => { AnswersWithoutThrowing(bytes); }, iter: 20_000, threads: 1);

    [Fact]
    public void Any_json_strings_lone_surrogates_included_are_parsed_or_refused_never_thrown_on()
    {
        var parsed = 0;
        Bodies.Sample(body =>
        {
            if (AnswersWithoutThrowing(Encoding.UTF8.GetBytes(body)))
            {
                Interlocked.Increment(ref parsed);
            }
        }, iter: 20_000, threads: 1);

        // Every generated body is a JSON object: almost all of them must be read, not refused.
        Assert.InRange(parsed, 19_000, 20_000);
    }

    [Fact]
    public void A_lone_surrogate_in_one_field_leaves_the_rest_of_the_answer_readable()
    {
        // ModelsLab accepted the job: its id must survive a broken tip, or the paid generation is lost.
        var response = ModelsLabResponseParser.Parse(
            """{"status":"processing","track_id":8,"id":90000008,"tip":"\ud800","eta":12,"message":{"a\ud800":["x"],"width":["too wide \udc00"]}}"""u8.ToArray());

        Assert.Equal(ModelsLabStatus.Processing, response.Status);
        Assert.Equal("90000008", response.Id);
        Assert.Equal("8", response.TrackId);
        Assert.Equal(12, response.Eta);
        Assert.Null(response.Tip);
        Assert.Empty(response.FieldErrors["width"]);
    }

    private static bool AnswersWithoutThrowing(byte[] body)
    {
        var ok = ModelsLabResponseParser.TryParse(body, out var response, out var error);
        Assert.True(ok ? error.Length == 0 : error.Length > 0, "a refusal says why, an acceptance says nothing");
        Assert.NotNull(response);
        return ok;
    }

    private static string Object(IEnumerable<(string Name, string Value)> fields) =>
        "{" + string.Join(",", fields.Select(f => f.Name + ":" + f.Value)) + "}";

    private static string Escaped(char[] chars)
    {
        var json = new StringBuilder("\"");
        foreach (var c in chars)
        {
            if (c < ' ' || c == '"' || c == '\\' || char.IsSurrogate(c) || c % 3 == 0)
            {
                json.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            }
            else
            {
                json.Append(c);
            }
        }

        return json.Append('"').ToString();
    }
}
