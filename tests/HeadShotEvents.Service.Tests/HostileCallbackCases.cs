using System.Net;
using System.Text;
using HeadShotEvents.Service.Callbacks;
using HeadShotEvents.Service.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using static HeadShotEvents.Service.Tests.HostileRequests;

namespace HeadShotEvents.Service.Tests;

/// <summary>One hostile request, what it must be answered, and (when it matters) the problem title that says why.</summary>
public sealed record HostileCase(string Name, HttpStatusCode Expected, Func<WaitingJob, Task<HostileAnswer>> Send, string? Title = null);

/// <summary>
/// The catalogue: forged and mangled tokens, bodies that are not what ModelsLab sends, URLs that
/// would lead a subscriber inside our network, and headers a client should never send. Every body
/// here is, but for its one defect, a callback the receiver accepts (see HostileCallbackTests).
/// </summary>
public static class HostileCallbackCases
{
    private const string BadUrl = "Unacceptable output URL";
    private const string WrongType = "Unexpected callback field";
    private const string TooLong = "Callback field too long";

    public static readonly IReadOnlyList<HostileCase> All =
    [
        // Tokens
        new("forged token", HttpStatusCode.NotFound, w => PostAsync(w, "CfDJ8forgedtokenthatnobodyminted", Callback(w))),
        new("truncated token", HttpStatusCode.NotFound, w => PostAsync(w, w.Token[..^6], Callback(w))),
        new("token with one character changed", HttpStatusCode.NotFound, w => PostAsync(w, Flip(w.Token, w.Token.Length / 2), Callback(w))),
        new("token re-encoded as standard base64", HttpStatusCode.NotFound,
            w => PostAsync(w, Uri.EscapeDataString(w.Token.Replace('-', '+').Replace('_', '/') + "=="), Callback(w))),
        new("token upper-cased", HttpStatusCode.NotFound, w => PostAsync(w, w.Token.ToUpperInvariant(), Callback(w))),
        new("token twice", HttpStatusCode.NotFound, w => PostAsync(w, w.Token + w.Token, Callback(w))),
        new("token with an encoded path traversal", HttpStatusCode.NotFound, w => PostAsync(w, "..%2F..%2Fheadshots", Callback(w))),
        new("token of 6000 characters", HttpStatusCode.NotFound, w => PostAsync(w, new string('A', 6000), Callback(w))),
        new("expired token", HttpStatusCode.Gone, w => PostAsync(w, w.Tokens(mintedAgo: TimeSpan.FromDays(3)).Mint(w.Job.TrackId), Callback(w))),
        new("token past its protector's hard expiry", HttpStatusCode.NotFound,
            w => PostAsync(w, w.Tokens(mintedAgo: TimeSpan.FromDays(12)).Mint(w.Job.TrackId), Callback(w))),
        new("token for the job from another purpose", HttpStatusCode.NotFound, w => PostAsync(w, OtherPurpose(w), Callback(w))),
        new("token for the job from another key ring", HttpStatusCode.NotFound, w => PostAsync(w, OtherKeyRing(w), Callback(w))),
        new("token of an unknown job", HttpStatusCode.NotFound, w => PostAsync(w, w.Tokens().Mint(w.Job.TrackId + 1_000_000), Callback(w))),
        new("token for job A with job B's track_id", HttpStatusCode.UnprocessableEntity,
            w => PostAsync(w, w.Token, Callback(w, trackId: Quote((w.Job.TrackId + 1).ToString(System.Globalization.CultureInfo.InvariantCulture))))),
        new("token for job A with job B's id", HttpStatusCode.UnprocessableEntity, w => PostAsync(w, w.Token, Callback(w, id: "424242424"))),
        new("body naming no job", HttpStatusCode.UnprocessableEntity, w => PostAsync(w, w.Token, """{"status":"success","output":["https://pub.r2.dev/x.png"]}""")),

        // Sizes
        new("oversized body with Content-Length", HttpStatusCode.RequestEntityTooLarge,
            w => PostAsync(w, w.Token, Callback(w, extra: $",\"meta\":{{\"prompt\":\"{new string('p', 4096)}\"}}"))),
        new("oversized chunked body", HttpStatusCode.RequestEntityTooLarge,
            w => PostChunkedAsync(w, Callback(w, extra: $",\"meta\":{{\"prompt\":\"{new string('p', 4096)}\"}}"))),
        new("id of 200 characters", HttpStatusCode.UnprocessableEntity, w => PostAsync(w, w.Token, Callback(w, id: Quote(new string('9', 200)))), TooLong),
        new("message of 1500 characters", HttpStatusCode.UnprocessableEntity,
            w => PostAsync(w, w.Token, Callback(w, extra: $",\"message\":\"{new string('m', 1500)}\"")), TooLong),
        new("track_id of 40 digits", HttpStatusCode.UnprocessableEntity, w => PostAsync(w, w.Token, Callback(w, trackId: new string('1', 40))), TooLong),
        new("five outputs", HttpStatusCode.UnprocessableEntity,
            w => PostAsync(w, w.Token, Callback(w, output: Outputs([.. Enumerable.Range(0, 5).Select(i => $"https://pub.r2.dev/{i}.png")]))), "Too many outputs"),

        // Malformed and wrong-typed JSON
        new("truncated JSON", HttpStatusCode.BadRequest, w => PostAsync(w, w.Token, Callback(w)[..^10])),
        new("a JSON array", HttpStatusCode.BadRequest, w => PostAsync(w, w.Token, $"[{Callback(w)}]")),
        new("a JSON string", HttpStatusCode.BadRequest, w => PostAsync(w, w.Token, "\"success\"")),
        new("an empty body", HttpStatusCode.BadRequest, w => PostAsync(w, w.Token, "")),
        new("invalid UTF-8", HttpStatusCode.BadRequest, w => PostBytesAsync(w, [.. "{\"status\":\""u8, 0xC3, 0x28, .. "\"}"u8])),
        new("NaN literal", HttpStatusCode.BadRequest, w => PostAsync(w, w.Token, Callback(w).Replace("1.5", "NaN", StringComparison.Ordinal))),
        new("comments in JSON", HttpStatusCode.BadRequest, w => PostAsync(w, w.Token, "/* hi */" + Callback(w))),
        new("nested 64 deep", HttpStatusCode.BadRequest, w => PostAsync(w, w.Token, Callback(w, extra: ",\"meta\":" + Nested(64)))),
        new("nested one past the limit", HttpStatusCode.BadRequest, w => PostAsync(w, w.Token, Callback(w, extra: ",\"meta\":" + Nested(16)))),
        new("status given twice", HttpStatusCode.UnprocessableEntity, w => PostAsync(w, w.Token, Callback(w, status: "\"processing\",\"status\":\"success\"")), WrongType),
        new("status as a number", HttpStatusCode.UnprocessableEntity, w => PostAsync(w, w.Token, Callback(w, status: "1")), WrongType),
        new("status as an object", HttpStatusCode.UnprocessableEntity, w => PostAsync(w, w.Token, Callback(w, status: "{\"value\":\"success\"}")), WrongType),
        new("track_id as an object", HttpStatusCode.UnprocessableEntity, w => PostAsync(w, w.Token, Callback(w, trackId: "{\"$gt\":0}")), WrongType),
        new("track_id as an array", HttpStatusCode.UnprocessableEntity, w => PostAsync(w, w.Token, Callback(w, trackId: $"[{w.Job.TrackId}]")), WrongType),
        new("id as a boolean", HttpStatusCode.UnprocessableEntity, w => PostAsync(w, w.Token, Callback(w, id: "true")), WrongType),
        new("output as an object", HttpStatusCode.UnprocessableEntity,
            w => PostAsync(w, w.Token, Callback(w, output: "{\"0\":\"https://pub.r2.dev/x.png\"}")), WrongType),
        new("output holding numbers and objects", HttpStatusCode.UnprocessableEntity,
            w => PostAsync(w, w.Token, Callback(w, output: "[\"https://pub.r2.dev/x.png\",7,{\"url\":\"https://pub.r2.dev/y.png\"}]")), WrongType),
        new("meta as an array", HttpStatusCode.UnprocessableEntity, w => PostAsync(w, w.Token, Callback(w, extra: ",\"meta\":[1,2]")), WrongType),
        new("message as a number", HttpStatusCode.UnprocessableEntity, w => PostAsync(w, w.Token, Callback(w, extra: ",\"message\":42")), WrongType),
        new("unknown status", HttpStatusCode.UnprocessableEntity, w => PostAsync(w, w.Token, Callback(w, status: "\"queued\"")), "Unknown status"),
        new("status with a NUL", HttpStatusCode.UnprocessableEntity, w => PostAsync(w, w.Token, Callback(w, status: "\"success\\u0000\"")), "Unknown status"),
        new("status null", HttpStatusCode.UnprocessableEntity, w => PostAsync(w, w.Token, Callback(w, status: "null")), "Unknown status"),

        // Output URLs a subscriber must never be led to
        BadOutput("http on a production host", "http://pub.r2.dev/x.png"),
        BadOutput("javascript:", "javascript:alert(document.cookie)"),
        BadOutput("file:", "file:///etc/passwd"),
        BadOutput("data:", "data:image/png;base64,iVBORw0KGgo="),
        BadOutput("ftp:", "ftp://pub.r2.dev/x.png"),
        BadOutput("credentials", "https://admin:secret@pub.r2.dev/x.png"),
        BadOutput("userinfo hiding the host", "https://pub.r2.dev@evil.test/x.png"),
        BadOutput("host off the allow-list", "https://evil.test/x.png"),
        BadOutput("allowed host as a prefix", "https://pub.r2.dev.evil.test/x.png"),
        BadOutput("cloud metadata address", "https://169.254.169.254/latest/meta-data/iam/"),
        BadOutput("private 10/8", "https://10.0.0.1/x.png"),
        BadOutput("private 192.168/16", "https://192.168.1.10/x.png"),
        BadOutput("private 172.16/12", "https://172.20.0.5/x.png"),
        BadOutput("carrier-grade NAT", "https://100.64.0.1/x.png"),
        BadOutput("loopback other than the development host", "https://127.0.0.2/x.png"),
        BadOutput("localhost", "https://localhost/x.png"),
        BadOutput("IPv6 loopback", "https://[::1]/x.png"),
        BadOutput("IPv6 link-local", "https://[fe80::1]/x.png"),
        BadOutput("IPv4-mapped private", "https://[::ffff:10.0.0.1]/x.png"),
        BadOutput("decimal IPv4 of a private address", "https://167772161/x.png"),
        BadOutput("unspecified address", "https://0.0.0.0/x.png"),
        BadOutput("protocol-relative", "//pub.r2.dev/x.png"),
        BadOutput("relative", "/temp/x.png"),
        BadOutput("CRLF inside the URL", "https://pub.r2.dev/x.png\r\nSet-Cookie: session=stolen"),
        BadOutput("backslash", "https://pub.r2.dev\\@evil.test/x.png"),

        // Content types and headers
        new("text/plain", HttpStatusCode.UnsupportedMediaType, w => PostAsync(w, w.Token, Callback(w), "text/plain")),
        new("no content type", HttpStatusCode.UnsupportedMediaType, w => PostAsync(w, w.Token, Callback(w), null)),
        new("form content type", HttpStatusCode.UnsupportedMediaType, w => PostAsync(w, w.Token, Callback(w), "application/x-www-form-urlencoded")),
        new("multipart content type", HttpStatusCode.UnsupportedMediaType, w => PostAsync(w, w.Token, Callback(w), "multipart/form-data")),
        new("traceparent injection with an unknown status", HttpStatusCode.UnprocessableEntity,
            w => PostAsync(w, w.Token, Callback(w, status: "\"queued\""), Json, ("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"), ("tracestate", "x=y"))),
        new("header of 40 KiB", HttpStatusCode.RequestHeaderFieldsTooLarge, w => PostAsync(w, w.Token, Callback(w), Json, ("X-Padding", new string('h', 40 * 1024)))),
        new("GET on the webhook route", HttpStatusCode.MethodNotAllowed, w => SendAsync(w, HttpMethod.Get, w.Token, null)),
        new("header folded onto the next line", HttpStatusCode.BadRequest, w => RawAsync(w,
            "POST /webhooks/modelslab/{token} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Evil: a\r\n Injected: b\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n{body}", Callback(w))),
        new("bare CR splitting a header", HttpStatusCode.BadRequest, w => RawAsync(w,
            "POST /webhooks/modelslab/{token} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\rX-Injected: b\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n{body}", Callback(w))),
        new("two different Content-Lengths", HttpStatusCode.BadRequest, w => RawAsync(w,
            "POST /webhooks/modelslab/{token} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 5\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n{body}", Callback(w))),
        new("NUL in a header value", HttpStatusCode.BadRequest, w => RawAsync(w,
            "POST /webhooks/modelslab/{token} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\0text/plain\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n{body}", Callback(w))),
        new("Content-Length with Transfer-Encoding", HttpStatusCode.BadRequest, w => RawAsync(w,
            "POST /webhooks/modelslab/{token} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {length}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n{body}", Callback(w))),

        .. HostileCallbackCasesFromOutside.All,
    ];

    private static HostileCase BadOutput(string name, string url) =>
        new("output URL: " + name, HttpStatusCode.UnprocessableEntity, w => PostAsync(w, w.Token, Callback(w, output: Outputs(url))), BadUrl);

    private static string Flip(string token, int at) => token[..at] + (token[at] == 'A' ? 'B' : 'A') + token[(at + 1)..];

    private static string Nested(int depth) => string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth);

    private static string OtherPurpose(WaitingJob w)
    {
        var provider = w.Pipeline.Service.Services.GetRequiredService<IDataProtectionProvider>();
        var payload = $"{w.Job.TrackId}:{DateTimeOffset.UtcNow.AddDays(1).ToUnixTimeSeconds()}";
        return provider.CreateProtector("HeadShotEvents.SomethingElse").ToTimeLimitedDataProtector().Protect(payload, DateTimeOffset.UtcNow.AddDays(2));
    }

    private static string OtherKeyRing(WaitingJob w)
    {
        var payload = $"{w.Job.TrackId}:{DateTimeOffset.UtcNow.AddDays(1).ToUnixTimeSeconds()}";
        return new Microsoft.AspNetCore.DataProtection.EphemeralDataProtectionProvider().CreateProtector(WebhookTokens.Purpose)
            .ToTimeLimitedDataProtector().Protect(payload, DateTimeOffset.UtcNow.AddDays(2));
    }

    public static TheoryData<string> Names()
    {
        var names = new TheoryData<string>();
        foreach (var hostile in All)
        {
            names.Add(hostile.Name);
        }

        return names;
    }

    public static HostileCase Named(string name) => All.Single(c => c.Name == name);
}
