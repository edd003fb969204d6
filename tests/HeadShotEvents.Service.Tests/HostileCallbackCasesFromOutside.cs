using System.Net;
using static HeadShotEvents.Service.Tests.HostileRequests;

namespace HeadShotEvents.Service.Tests;

/// <summary>
/// Cases found by trying the running service from outside (issue 10), kept apart so the main
/// catalogue stays readable. Part of <see cref="HostileCallbackCases.All"/>.
/// </summary>
public static class HostileCallbackCasesFromOutside
{
    private const string Malformed = "Malformed callback";

    public static readonly IReadOnlyList<HostileCase> All =
    [
        // Escapes that are valid JSON but name no Unicode text: .NET throws on reading them (was a 500).
        new("lone surrogate in the tip of a processing callback", HttpStatusCode.BadRequest,
            w => PostAsync(w, w.Token, Callback(w, status: "\"processing\"", extra: ",\"tip\":\"\\ud800\"")), Malformed),
        new("lone surrogate in the status", HttpStatusCode.BadRequest, w => PostAsync(w, w.Token, Callback(w, status: "\"succ\\ud800ess\"")), Malformed),
        new("lone low surrogate in the id", HttpStatusCode.BadRequest, w => PostAsync(w, w.Token, Callback(w, id: "\"\\udc00\"")), Malformed),
        new("lone surrogate in a field name", HttpStatusCode.BadRequest, w => PostAsync(w, w.Token, Callback(w, extra: ",\"\\ud800\":1")), Malformed),
        new("lone surrogate in an output URL", HttpStatusCode.BadRequest,
            w => PostAsync(w, w.Token, Callback(w, output: "[\"https://pub.r2.dev/\\ud800.png\"]")), Malformed),
        new("lone surrogate deep in meta", HttpStatusCode.BadRequest,
            w => PostAsync(w, w.Token, Callback(w, extra: ",\"meta\":{\"a\":[{\"b\":\"\\udbff\"}]}")), Malformed),
        new("lone surrogate in a field error's name", HttpStatusCode.BadRequest,
            w => PostAsync(w, w.Token, Callback(w, status: "\"failed\"", extra: ",\"message\":{\"\\ud800\":[\"x\"]}")), Malformed),

        // Content types: exactly application/json (a UTF-8 charset at most), checked after the token.
        new("application/ld+json", HttpStatusCode.UnsupportedMediaType, w => PostAsync(w, w.Token, Callback(w), "application/ld+json")),
        new("application/problem+json", HttpStatusCode.UnsupportedMediaType, w => PostAsync(w, w.Token, Callback(w), "application/problem+json")),
        new("application/json with a Latin-1 charset", HttpStatusCode.UnsupportedMediaType,
            w => PostAsync(w, w.Token, Callback(w), "application/json; charset=iso-8859-1")),
        new("application/json with an extra parameter", HttpStatusCode.UnsupportedMediaType,
            w => PostAsync(w, w.Token, Callback(w), "application/json; profile=x")),
        new("text/plain with an expired token", HttpStatusCode.Gone,
            w => PostAsync(w, w.Tokens(mintedAgo: TimeSpan.FromDays(3)).Mint(w.Job.TrackId), Callback(w), "text/plain")),
        new("text/plain with a forged token", HttpStatusCode.NotFound, w => PostAsync(w, "CfDJ8forged", Callback(w), "text/plain")),
        new("a processing callback as application/json with a UTF-8 charset", HttpStatusCode.OK,
            w => PostAsync(w, w.Token, Callback(w, status: "\"processing\""), "application/json; charset=utf-8")),
    ];
}
