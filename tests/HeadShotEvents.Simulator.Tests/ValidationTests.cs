using System.Net;
using System.Text.Json.Nodes;
using static HeadShotEvents.Simulator.Tests.ModelsLabCalls;

namespace HeadShotEvents.Simulator.Tests;

public sealed class ValidationTests
{
    [Theory]
    [InlineData("prompt", null, "The prompt field is required.")]
    [InlineData("prompt", "\"\"", "The prompt field is required.")]
    [InlineData("face_image", null, "The face image field is required.")]
    [InlineData("width", "\"513\"", "The width may not be greater than 512.")]
    [InlineData("width", "0", "The width must be at least 1.")]
    [InlineData("width", "\"wide\"", "The width must be an integer.")]
    [InlineData("width", "512.5", "The width must be an integer.")]
    [InlineData("height", "769", "The height may not be greater than 768.")]
    [InlineData("num_inference_steps", "\"30\"", "The selected num inference steps is invalid.")]
    [InlineData("guidance_scale", "0.5", "The guidance scale must be between 1 and 5.")]
    [InlineData("guidance_scale", "\"5.5\"", "The guidance scale must be between 1 and 5.")]
    [InlineData("guidance_scale", "\"lots\"", "The guidance scale must be a number.")]
    [InlineData("s_scale", "2.5", "The s scale must be between 0 and 2.")]
    [InlineData("samples", "3", "The samples may not be greater than 2.")]
    [InlineData("samples", "\"0\"", "The samples must be at least 1.")]
    [InlineData("safety_checker_type", "\"sepia\"", "The selected safety checker type is invalid.")]
    [InlineData("safety_checker", "\"maybe\"", "The safety checker field must be true or false.")]
    [InlineData("webhook", "\"not a url\"", "The webhook format is invalid.")]
    [InlineData("webhook", "\"ftp://example.test/hook\"", "The webhook format is invalid.")]
    [InlineData("track_id", "\"job-7\"", "The track id must be an integer.")]
    [InlineData("prompt", "[\"a\"]", "The prompt must be a string.")]
    public async Task Each_limit_is_refused_naming_the_field_in_both_styles(string field, string? json, string expected)
    {
        var body = json is null ? HeadShotBody().Without(field) : HeadShotBody().With(field, JsonNode.Parse(json));
        await using var stringStyle = await TestSimulator.StartAsync();
        await using var fieldsStyle = await TestSimulator.StartAsync(new SimulatorFaults { ValidationErrorStyle = ValidationErrorStyle.Fields });

        var asString = await stringStyle.SubmitAsync(body.DeepClone().AsObject());
        var asFields = await fieldsStyle.SubmitAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, asString.Status);
        Assert.Equal("error", asString.BodyStatus);
        Assert.Equal(expected, (string?)asString.Body["message"]);
        Assert.Equal(HttpStatusCode.BadRequest, asFields.Status);
        Assert.Equal([expected], asFields.Body["message"]![field].Strings());
    }

    [Fact]
    public async Task Fields_style_lists_every_failing_field_like_Laravel()
    {
        await using var simulator = await TestSimulator.StartAsync(new SimulatorFaults { ValidationErrorStyle = ValidationErrorStyle.Fields });

        var reply = await simulator.SubmitAsync(HeadShotBody().Without("prompt").With("width", 600));

        Assert.Equal(
            """{"status":"error","message":{"prompt":["The prompt field is required."],"width":["The width may not be greater than 512."]}}""",
            reply.Body.ToJsonString());
    }

    [Fact]
    public async Task Numbers_are_accepted_as_numeric_strings_and_as_numbers()
    {
        await using var simulator = await TestSimulator.StartAsync();
        var asNumbers = HeadShotBody()
            .With("width", 512).With("height", 768).With("samples", 1).With("num_inference_steps", 41)
            .With("guidance_scale", 2.5).With("s_scale", 0.5).With("track_id", 9);
        var asStrings = HeadShotBody()
            .With("width", "512").With("height", "768").With("samples", "1").With("num_inference_steps", "41")
            .With("guidance_scale", "2.5").With("s_scale", "0.5").With("track_id", "9");

        var fromNumbers = await simulator.SubmitAsync(asNumbers);
        var fromStrings = await simulator.SubmitAsync(asStrings);

        foreach (var reply in new[] { fromNumbers, fromStrings })
        {
            Assert.Equal("processing", reply.BodyStatus);
            var meta = reply.Body["meta"]!;
            // The echo is normalised to numbers whatever form came in, track_id excepted.
            Assert.Equal(768, (int)meta["height"]!);
            Assert.Equal(41, (int)meta["num_inference_steps"]!);
            Assert.Equal(2.5, (double)meta["guidance_scale"]!);
            Assert.Equal("9", (string?)meta["track_id"]);
        }
    }

    /// <summary>The documentation page's example body, verbatim apart from the key.</summary>
    private static JsonObject DocumentationExample() => JsonNode.Parse("""
        {
          "key": "sim-key",
          "prompt": "pretty woman",
          "negative_prompt": "anime, cartoon, drawing, big nose, long nose, fat, ugly, big lips, big mouth, face proportion mismatch, unrealistic, monochrome, lowres, bad anatomy, worst quality, low quality, blurry",
          "face_image": "https://assets.modelslab.ai/generations/568d6320-8b6c-4af8-8725-51c0c9f633a3",
          "width": "512",
          "height": "512",
          "samples": "1",
          "num_inference_steps": "21",
          "safety_checker": false,
          "base64": false,
          "seed": null,
          "guidance_scale": 7.5,
          "webhook": null,
          "track_id": null
        }
        """)!.AsObject();

    [Fact]
    public async Task The_documentation_example_with_guidance_scale_7_5_is_refused_by_the_schema_by_default()
    {
        await using var simulator = await TestSimulator.StartAsync();

        var reply = await simulator.SubmitAsync(DocumentationExample());

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal("The guidance scale must be between 1 and 5.", (string?)reply.Body["message"]);
    }

    [Fact]
    public async Task The_documentation_example_is_accepted_when_guidance_scale_is_lenient()
    {
        await using var simulator = await TestSimulator.StartAsync(new SimulatorFaults { LenientGuidanceScale = true });

        var reply = await simulator.SubmitAsync(DocumentationExample());

        Assert.Equal("processing", reply.BodyStatus);
        Assert.Equal(7.5, (double)reply.Body["meta"]!["guidance_scale"]!);
        Assert.Null(reply.Body["meta"]!["track_id"]);
        Assert.Null(reply.Body["meta"]!["webhook"]);
    }

    [Fact]
    public async Task Validation_errors_come_with_200_when_errors_are_http_200()
    {
        await using var simulator = await TestSimulator.StartAsync(new SimulatorFaults { ErrorsAsHttp200 = true });

        var reply = await simulator.SubmitAsync(HeadShotBody().Without("prompt"));

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal("""{"status":"error","message":"The prompt field is required."}""", reply.Body.ToJsonString());
    }

    [Fact]
    public async Task A_body_that_is_not_a_json_object_is_an_error()
    {
        await using var simulator = await TestSimulator.StartAsync();

        using var response = await simulator.HttpClient.PostAsync(
            "api/v6/image_editing/head_shot", new StringContent("prompt=pretty", System.Text.Encoding.UTF8, "text/plain"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("error", (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["status"]);
    }
}
