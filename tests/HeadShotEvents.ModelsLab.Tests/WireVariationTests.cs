using HeadShotEvents.ModelsLab.Wire;
using static HeadShotEvents.ModelsLab.Tests.DocumentedBodiesTests;

namespace HeadShotEvents.ModelsLab.Tests;

/// <summary>Each variation the behaviour page lists, one at a time.</summary>
public sealed class WireVariationTests
{
    [Theory]
    [InlineData("""{"status":"success","track_id":17}""", "17")]
    [InlineData("""{"status":"success","track_id":"17"}""", "17")]
    [InlineData("""{"status":"success","track_id":17.0}""", "17")]
    [InlineData("""{"status":"success","track_id":9007199254740993}""", "9007199254740993")]
    [InlineData("""{"status":"success"}""", null)]
    [InlineData("""{"status":"success","track_id":null}""", null)]
    public void Track_id_is_read_as_number_or_string(string json, string? expected) =>
        Assert.Equal(expected, Parse(json).TrackId);

    [Theory]
    [InlineData("""{"status":"success","id":32}""", "32")]
    [InlineData("""{"status":"success","id":"32"}""", "32")]
    [InlineData("""{"status":"success","id":"abc123-def456"}""", "abc123-def456")]
    public void Id_is_read_as_number_or_string(string json, string expected) =>
        Assert.Equal(expected, Parse(json).Id);

    [Theory]
    [InlineData("""{"status":"error","message":"Invalid API key"}""")]
    [InlineData("""{"status":"error","messege":"Invalid API key"}""")]
    public void Message_is_read_under_either_spelling(string json) =>
        Assert.Equal("Invalid API key", Parse(json).Message);

    [Fact]
    public void Laravel_style_field_errors_are_kept_per_field_and_joined_into_the_message()
    {
        var response = Parse("""
            {"status":"error","message":{"prompt":["The prompt field is required."],"width":["The width may not be greater than 512.","Second."]}}
            """);

        Assert.Equal(["The prompt field is required."], response.FieldErrors["prompt"]);
        Assert.Equal(["The width may not be greater than 512.", "Second."], response.FieldErrors["width"]);
        Assert.Contains("The prompt field is required.", response.Message);
        Assert.Contains("Second.", response.Message);
    }

    [Fact]
    public void Field_error_given_as_a_plain_string_is_kept()
    {
        var response = Parse("""{"status":"error","messege":{"prompt":"The prompt field is required."}}""");

        Assert.Equal(["The prompt field is required."], response.FieldErrors["prompt"]);
    }

    [Theory]
    [InlineData("""{"status":"success","output":["a","b"]}""", 2)]
    [InlineData("""{"status":"success","output":"https://x/a.png"}""", 1)]
    [InlineData("""{"status":"processing","output":""}""", 0)]
    [InlineData("""{"status":"processing","output":[]}""", 0)]
    [InlineData("""{"status":"processing"}""", 0)]
    [InlineData("""{"status":"processing","output":null}""", 0)]
    public void Output_is_an_array_a_string_or_empty(string json, int count) =>
        Assert.Equal(count, Parse(json).Output.Count);

    [Theory]
    [InlineData("""{"status":"success","proxy_links":["a"]}""", 1)]
    [InlineData("""{"status":"success","proxy_links":[]}""", 0)]
    [InlineData("""{"status":"success","proxy_links":""}""", 0)]
    [InlineData("""{"status":"success"}""", 0)]
    public void Proxy_links_are_an_array_empty_string_or_absent(string json, int count) =>
        Assert.Equal(count, Parse(json).ProxyLinks.Count);

    [Theory]
    [InlineData("""{"status":"processing","eta":5}""", 5.0)]
    [InlineData("""{"status":"processing","eta":2.75}""", 2.75)]
    [InlineData("""{"status":"processing","eta":35.94}""", 35.94)]
    [InlineData("""{"status":"processing","eta":"12"}""", 12.0)]
    public void Eta_is_an_integer_or_a_float(string json, double expected) =>
        Assert.Equal(expected, Parse(json).Eta);

    [Theory]
    [InlineData("success", ModelsLabStatus.Success)]
    [InlineData("processing", ModelsLabStatus.Processing)]
    [InlineData("error", ModelsLabStatus.Error)]
    [InlineData("failed", ModelsLabStatus.Failed)]
    [InlineData("SUCCESS", ModelsLabStatus.Success)]
    [InlineData("queued", ModelsLabStatus.Unknown)]
    public void Status_maps_known_values_and_keeps_unknown_ones_explicit(string status, ModelsLabStatus expected)
    {
        var response = Parse($$"""{"status":"{{status}}"}""");

        Assert.Equal(expected, response.Status);
        Assert.Equal(status, response.RawStatus);
    }

    [Fact]
    public void Missing_status_is_unknown_not_an_exception()
    {
        var response = Parse("""{"id":1}""");

        Assert.Equal(ModelsLabStatus.Unknown, response.Status);
        Assert.Null(response.RawStatus);
        Assert.False(response.IsTerminal);
    }

    [Fact]
    public void Unknown_fields_and_yes_no_meta_are_ignored_or_kept_as_sent()
    {
        var response = Parse("""
            {"status":"success","id":1,"webhook_status":"complete","brand_new_field":{"x":[1,2]},
             "meta":{"safety_checker":"no","track_id":"17","webhook":"https://example.test/hook","id":"1"}}
            """);

        Assert.Equal("complete", response.WebhookStatus);
        Assert.Equal("17", response.Meta!.Value.GetProperty("track_id").GetString());
        Assert.Equal("no", response.Meta!.Value.GetProperty("safety_checker").GetString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("\"success\"")]
    [InlineData("""{"status":"success" """)]
    public void Non_object_bodies_are_refused_with_a_reason(string json)
    {
        Assert.False(ModelsLabResponseParser.TryParse(System.Text.Encoding.UTF8.GetBytes(json), out _, out var error));
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    [Fact]
    public void Nesting_deeper_than_the_limit_is_refused()
    {
        var deep = "{\"status\":\"success\",\"meta\":" + new string('[', 40) + new string(']', 40) + "}";

        Assert.False(ModelsLabResponseParser.TryParse(System.Text.Encoding.UTF8.GetBytes(deep), out _, out var error));
        Assert.Contains("depth", error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Invalid_utf8_inside_a_string_is_refused_not_thrown()
    {
        byte[] body = [.. "{\"status\":\"success\",\"message\":\""u8, 0xC3, 0x28, .. "\"}"u8];

        Assert.False(ModelsLabResponseParser.TryParse(body, out _, out var error));
        Assert.Contains("UTF-8", error);
    }
}
