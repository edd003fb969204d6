using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using HeadShotEvents.ModelsLab.Wire;
using Microsoft.Extensions.Options;

namespace HeadShotEvents.ModelsLab.Tests;

/// <summary>The client's HTTP handling: what it sends, and how it reads every kind of answer.</summary>
public sealed class ModelsLabClientTests
{
    [Fact]
    public async Task Submit_sends_the_schema_typed_body_with_key_webhook_and_track_id()
    {
        var handler = new RecordingHandler(HttpStatusCode.OK, """{"status":"processing","id":7,"eta":3}""");
        var client = Client(handler);
        var request = ValidationTests.Valid() with { Seed = 4029484891, NegativePrompt = null };

        var answer = await client.SubmitHeadShotAsync(request, trackId: 42, new Uri("https://hooks.test/webhooks/modelslab/tok"), default);

        Assert.Equal(ModelsLabStatus.Processing, answer.Response.Status);
        Assert.Equal(new Uri("http://modelslab.test/api/v6/image_editing/head_shot"), handler.Uri);
        var body = JsonNode.Parse(handler.Body!)!.AsObject();
        Assert.Equal("test-key", (string?)body["key"]);
        Assert.Equal(42, (long?)body["track_id"]);
        Assert.Equal("https://hooks.test/webhooks/modelslab/tok", (string?)body["webhook"]);
        Assert.Equal(512, (int?)body["width"]);
        Assert.Equal(5, (int?)body["guidance_scale"]);
        Assert.Equal(4029484891, (long?)body["seed"]);
        Assert.False(body.ContainsKey("negative_prompt"), "absent values are omitted, not sent as null");
    }

    [Fact]
    public async Task Submit_refuses_a_request_the_schema_rejects_without_calling_ModelsLab()
    {
        var handler = new RecordingHandler(HttpStatusCode.OK, """{"status":"success"}""");

        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            Client(handler).SubmitHeadShotAsync(ValidationTests.Valid() with { GuidanceScale = 7.5 }, 1, null, default));

        Assert.Contains("guidance_scale", error.Message);
        Assert.Null(handler.Uri);
    }

    [Theory]
    [InlineData(HttpStatusCode.OK)]
    [InlineData(HttpStatusCode.Unauthorized)]
    [InlineData(HttpStatusCode.PaymentRequired)]
    [InlineData(HttpStatusCode.InternalServerError)]
    public async Task An_error_body_is_read_whatever_the_http_code(HttpStatusCode code)
    {
        var handler = new RecordingHandler(code, """{"status":"error","message":"Invalid API key"}""");

        var answer = await Client(handler).FetchAsync("32", default);

        Assert.Equal(ModelsLabStatus.Error, answer.Response.Status);
        Assert.Equal("Invalid API key", answer.Response.Message);
        Assert.Equal((int)code, answer.HttpStatus);
    }

    [Fact]
    public async Task A_429_carries_retry_after_from_the_body()
    {
        var handler = new RecordingHandler(HttpStatusCode.TooManyRequests,
            """{"status":"error","message":"Rate limit exceeded. Maximum 5 queued requests allowed.","retry_after":30}""");

        var answer = await Client(handler).SubmitHeadShotAsync(ValidationTests.Valid(), 1, null, default);

        Assert.True(answer.IsTransient);
        Assert.Equal(TimeSpan.FromSeconds(30), answer.RetryAfter);
    }

    [Theory]
    [InlineData("Retry-After", "12")]
    [InlineData("X-RateLimit-Reset", "12")]
    public async Task A_429_without_retry_after_in_the_body_reads_the_headers(string header, string value)
    {
        var handler = new RecordingHandler(HttpStatusCode.TooManyRequests, """{"status":"error","message":"slow down"}""");
        handler.Headers.Add((header, value));

        var answer = await Client(handler).FetchAsync("1", default);

        Assert.Equal(TimeSpan.FromSeconds(12), answer.RetryAfter);
    }

    [Fact]
    public async Task A_gateway_page_that_is_not_json_is_an_unknown_status_not_an_exception()
    {
        var handler = new RecordingHandler(HttpStatusCode.BadGateway, "<html>502 Bad Gateway</html>", "text/html");

        var answer = await Client(handler).FetchAsync("1", default);

        Assert.Equal(ModelsLabStatus.Unknown, answer.Response.Status);
        Assert.True(answer.IsTransient);
        Assert.Contains("HTTP 502", answer.Response.Message);
    }

    [Fact]
    public async Task Fetch_posts_the_key_to_the_id_path_even_when_the_base_url_lacks_a_trailing_slash()
    {
        var handler = new RecordingHandler(HttpStatusCode.OK, """{"status":"processing","message":"try again later.","output":""}""");
        var client = Client(handler, new Uri("http://modelslab.test/api/v6"));

        var answer = await client.FetchAsync("12202888", default);

        Assert.Equal(new Uri("http://modelslab.test/api/v6/image_editing/fetch/12202888"), handler.Uri);
        Assert.Equal("""{"key":"test-key"}""", handler.Body);
        Assert.Empty(answer.Response.Output);
    }

    private static ModelsLabClient Client(HttpMessageHandler handler, Uri? baseUrl = null) =>
        new(new HttpClient(handler), Options.Create(new ModelsLabOptions
        {
            BaseUrl = baseUrl ?? new Uri("http://modelslab.test/api/v6/"),
            ApiKey = "test-key",
        }));

    private sealed class RecordingHandler(HttpStatusCode status, string body, string mediaType = "application/json") : HttpMessageHandler
    {
        public Uri? Uri { get; private set; }
        public string? Body { get; private set; }
        public List<(string Name, string Value)> Headers { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Uri = request.RequestUri;
            Body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
            var response = new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, mediaType) };
            foreach (var (name, value) in Headers)
            {
                response.Headers.TryAddWithoutValidation(name, value);
            }

            return response;
        }
    }
}
