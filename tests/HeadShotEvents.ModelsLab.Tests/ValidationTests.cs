using HeadShotEvents.Contracts;
using HeadShotEvents.ModelsLab.Validation;

namespace HeadShotEvents.ModelsLab.Tests;

/// <summary>Every limit of the OpenAPI schema, each with the one field it names.</summary>
public sealed class ValidationTests
{
    internal static HeadShotRequested Valid() => new()
    {
        RequestId = Guid.NewGuid(),
        Prompt = "pretty woman",
        FaceImage = "https://assets.modelslab.ai/generations/568d6320-8b6c-4af8-8725-51c0c9f633a3",
        NegativePrompt = "anime, cartoon",
        Width = 512,
        Height = 512,
        Samples = 1,
        NumInferenceSteps = 21,
        GuidanceScale = 5,
        SScale = 1,
        SafetyChecker = false,
        SafetyCheckerType = "blur",
        Base64 = false,
    };

    [Fact]
    public void A_request_within_every_limit_is_accepted() =>
        Assert.Empty(HeadShotRequestValidator.Validate(Valid()));

    [Fact]
    public void Only_the_required_fields_are_enough() =>
        Assert.Empty(HeadShotRequestValidator.Validate(new HeadShotRequested { RequestId = Guid.NewGuid(), Prompt = "p", FaceImage = "https://x.test/f.jpg" }));

    [Fact]
    public void The_documentation_pages_own_example_is_rejected_for_its_guidance_scale_only()
    {
        // The seed page sends guidance_scale 7.5 while its schema says integer 1..5: we follow the schema.
        var errors = HeadShotRequestValidator.Validate(Valid() with { GuidanceScale = 7.5 });

        var error = Assert.Single(errors);
        Assert.Equal("guidance_scale", error.Key);
        Assert.Contains("7.5", Assert.Single(error.Value));
    }

    public static TheoryData<string, Func<HeadShotRequested, HeadShotRequested>> OneBadField => new()
    {
        { "request_id", r => r with { RequestId = Guid.Empty } },
        { "prompt", r => r with { Prompt = "" } },
        { "prompt", r => r with { Prompt = "   " } },
        { "face_image", r => r with { FaceImage = "" } },
        { "face_image", r => r with { FaceImage = "ftp://x.test/face.jpg" } },
        { "face_image", r => r with { FaceImage = "not base64 and not a url!" } },
        { "face_image", r => r with { FaceImage = "data:text/plain;base64,aGVsbG8=" } },
        { "face_image", r => r with { FaceImage = "data:image/png,rawbytes" } },
        { "width", r => r with { Width = 513 } },
        { "width", r => r with { Width = 0 } },
        { "height", r => r with { Height = 769 } },
        { "height", r => r with { Height = -1 } },
        { "samples", r => r with { Samples = 3 } },
        { "samples", r => r with { Samples = 0 } },
        { "num_inference_steps", r => r with { NumInferenceSteps = 20 } },
        { "num_inference_steps", r => r with { NumInferenceSteps = 50 } },
        { "guidance_scale", r => r with { GuidanceScale = 0 } },
        { "guidance_scale", r => r with { GuidanceScale = 6 } },
        { "guidance_scale", r => r with { GuidanceScale = 2.5 } },
        { "guidance_scale", r => r with { GuidanceScale = double.NaN } },
        { "s_scale", r => r with { SScale = -0.1 } },
        { "s_scale", r => r with { SScale = 2.01 } },
        { "safety_checker_type", r => r with { SafetyCheckerType = "sepia" } },
        { "seed", r => r with { Seed = -1 } },
    };

    [Theory]
    [MemberData(nameof(OneBadField))]
    public void Each_limit_names_its_field_with_one_clear_message(string field, Func<HeadShotRequested, HeadShotRequested> breakIt)
    {
        var errors = HeadShotRequestValidator.Validate(breakIt(Valid()));

        var error = Assert.Single(errors);
        Assert.Equal(field, error.Key);
        Assert.Contains(field, Assert.Single(error.Value));
    }

    [Theory]
    [InlineData(512, 768, 21, 1, 0.0)]
    [InlineData(1, 1, 31, 5, 2.0)]
    [InlineData(256, 768, 41, 3, 0.5)]
    public void Boundaries_are_inclusive(int width, int height, int steps, double guidance, double sScale) =>
        Assert.Empty(HeadShotRequestValidator.Validate(Valid() with
        {
            Width = width, Height = height, NumInferenceSteps = steps, GuidanceScale = guidance, SScale = sScale, Samples = 2,
        }));

    [Theory]
    [InlineData("black")]
    [InlineData("blur")]
    [InlineData("sensitive_content_text")]
    [InlineData("pixelate")]
    public void Every_safety_checker_type_of_the_schema_is_accepted(string type) =>
        Assert.Empty(HeadShotRequestValidator.Validate(Valid() with { SafetyCheckerType = type }));

    [Theory]
    [InlineData("data:image/jpeg;base64,/9j/4AAQSkZJRgABAQ==")]
    [InlineData("data:image/png;base64,iVBORw0KGgo=")]
    [InlineData("iVBORw0KGgo=")]
    [InlineData("https://faces.test/me.png")]
    public void Face_image_may_be_a_url_or_base64(string faceImage) =>
        Assert.Empty(HeadShotRequestValidator.Validate(Valid() with { FaceImage = faceImage }));

    [Fact]
    public void Several_bad_fields_get_one_error_each()
    {
        var errors = HeadShotRequestValidator.Validate(Valid() with { Width = 1000, Height = 1000, Samples = 9, Prompt = "" });

        Assert.Equal(["height", "prompt", "samples", "width"], errors.Keys.Order());
        Assert.All(errors.Values, messages => Assert.Single(messages));
    }
}
