using HeadShotEvents.ModelsLab.Wire;

namespace HeadShotEvents.ModelsLab.Tests;

/// <summary>Every verbatim body in shared/reference/modelslab-behaviour.md parses to what it says.</summary>
public sealed class DocumentedBodiesTests
{
    [Fact]
    public void Immediate_success_body_parses()
    {
        var response = Parse("""
            {"status":"success","generationTime":7.358475685119629,"id":32,
             "output":["https://pub-3626123a908346a7a8be8d9295f44e26.r2.dev/temp/8c3ef6ea-1c44-4d69-91cb-fc11971a65d1-0.png"],
             "proxy_links":["https://cdn2.stablediffusionapi.com/temp/8c3ef6ea-1c44-4d69-91cb-fc11971a65d1-0.png"],
             "meta":{"base64":"no","face_image":"https://...jpg","file_prefix":"8c3ef6ea-1c44-4d69-91cb-fc11971a65d1",
                     "guidance_scale":7.5,"height":512,"negative_prompt":"anime, cartoon, ...","num_inference_steps":21,
                     "outdir":"out","prompt":"pretty woman","safety_checker":"no","safety_checker_type":"blur",
                     "samples":1,"seed":4029484891,"temp":"yes","width":512}}
            """);

        Assert.Equal(ModelsLabStatus.Success, response.Status);
        Assert.Equal("32", response.Id);
        Assert.Equal(7.358475685119629, response.GenerationTime);
        Assert.Equal(["https://pub-3626123a908346a7a8be8d9295f44e26.r2.dev/temp/8c3ef6ea-1c44-4d69-91cb-fc11971a65d1-0.png"], response.Output);
        Assert.Single(response.ProxyLinks);
        Assert.Equal("pretty woman", response.Meta!.Value.GetProperty("prompt").GetString());
        Assert.True(response.IsTerminal);
    }

    [Fact]
    public void Processing_body_parses()
    {
        var response = Parse("""
            {"status":"processing","tip":"Your image is processing in background, you can get this image using fetch API",
             "eta":5,"message":"Try to fetch request after seconds estimated",
             "fetch_result":"https://modelslab.com/api/v6/image_editing/fetch/32","id":32,"output":[],
             "future_links":["https://pub-3626123a908346a7a8be8d9295f44e26.r2.dev/temp/8c3ef6ea-1c44-4d69-91cb-fc11971a65d1-0.png"],
             "proxy_links":[],"meta":{"...":"same as above"}}
            """);

        Assert.Equal(ModelsLabStatus.Processing, response.Status);
        Assert.Equal("32", response.Id);
        Assert.Equal(5, response.Eta);
        Assert.Equal("Try to fetch request after seconds estimated", response.Message);
        Assert.Equal("https://modelslab.com/api/v6/image_editing/fetch/32", response.FetchResult);
        Assert.StartsWith("Your image is processing", response.Tip);
        Assert.Empty(response.Output);
        Assert.Single(response.FutureLinks);
        Assert.Empty(response.ProxyLinks);
        Assert.False(response.IsTerminal);
    }

    [Fact]
    public void Error_body_parses()
    {
        var response = Parse("""{"status":"error","message":"Error message"}""");

        Assert.Equal(ModelsLabStatus.Error, response.Status);
        Assert.Equal("Error message", response.Message);
        Assert.Empty(response.FieldErrors);
        Assert.True(response.IsTerminal);
    }

    [Fact]
    public void Webhook_page_success_body_parses_with_string_id_and_track_id()
    {
        var response = Parse("""
            {"status":"success","id":"abc123-def456","output":["https://.../abc123.mp4"],"generationTime":45.2,
             "track_id":"video_001","meta":{"prompt":"...","width":512,"height":512}}
            """);

        Assert.Equal(ModelsLabStatus.Success, response.Status);
        Assert.Equal("abc123-def456", response.Id);
        Assert.Equal("video_001", response.TrackId);
        Assert.Equal(45.2, response.GenerationTime);
        Assert.Equal(["https://.../abc123.mp4"], response.Output);
    }

    [Fact]
    public void Webhook_page_failed_body_parses()
    {
        var response = Parse("""
            {"status":"failed","id":"abc123-def456","message":"Processing failed: Invalid input dimensions","track_id":"video_001"}
            """);

        Assert.Equal(ModelsLabStatus.Failed, response.Status);
        Assert.Equal("Processing failed: Invalid input dimensions", response.Message);
        Assert.True(response.IsTerminal);
    }

    [Fact]
    public void Fetch_success_body_parses()
    {
        var response = Parse("""
            {"status":"success","id":12202888,"output":["https://pub-8b49af329fae499aa563997f5d4068a4.r2.dev/generations/e5cd86d3-...-0.png"]}
            """);

        Assert.Equal(ModelsLabStatus.Success, response.Status);
        Assert.Equal("12202888", response.Id);
        Assert.Single(response.Output);
    }

    [Fact]
    public void Fetch_processing_body_with_empty_string_output_parses()
    {
        var response = Parse("""
            {"status":"processing","message":"try again later.","output":"","tip":"Get 20x faster image generation using enterprise plan. ..."}
            """);

        Assert.Equal(ModelsLabStatus.Processing, response.Status);
        Assert.Empty(response.Output);
        Assert.Null(response.Id);
        Assert.Equal("try again later.", response.Message);
    }

    [Fact]
    public void Rate_limit_body_parses_with_retry_after()
    {
        var response = Parse("""
            {"status":"error","message":"Rate limit exceeded. Maximum 5 queued requests allowed.","retry_after":30}
            """);

        Assert.Equal(ModelsLabStatus.Error, response.Status);
        Assert.Equal(TimeSpan.FromSeconds(30), response.RetryAfter);
        Assert.StartsWith("Rate limit exceeded", response.Message);
    }

    internal static ModelsLabResponse Parse(string json) => ModelsLabResponseParser.Parse(System.Text.Encoding.UTF8.GetBytes(json));
}
