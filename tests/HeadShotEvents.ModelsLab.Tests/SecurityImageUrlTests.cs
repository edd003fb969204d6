using HeadShotEvents.ModelsLab.Validation;
using HeadShotEvents.UrlSafety;

namespace HeadShotEvents.ModelsLab.Tests;

/// <summary>Image URLs become downloads at every subscriber: none may point inside our network.</summary>
public sealed class SecurityImageUrlTests
{
    private static readonly ImageUrlRules Production = new(["*.r2.dev", "cdn2.stablediffusionapi.com"], []);
    private static readonly ImageUrlRules WithSimulator = Production with { DevelopmentHosts = ["127.0.0.1"] };

    [Theory]
    [InlineData("https://pub-3626123a908346a7a8be8d9295f44e26.r2.dev/temp/8c3ef6ea-0.png")]
    [InlineData("https://cdn2.stablediffusionapi.com/temp/8c3ef6ea-0.png")]
    [InlineData("https://CDN2.StableDiffusionApi.com:8443/temp/x.png")]
    public void A_public_https_url_on_the_allow_list_is_accepted(string url) =>
        Assert.Null(ImageUrl.Check(url, Production));

    [Theory]
    [InlineData("http://pub.r2.dev/x.png")]
    [InlineData("javascript:alert(1)")]
    [InlineData("file:///etc/passwd")]
    [InlineData("ftp://pub.r2.dev/x.png")]
    [InlineData("data:image/png;base64,iVBORw0KGgo=")]
    [InlineData("https://user:secret@pub.r2.dev/x.png")]
    [InlineData("https://pub.r2.dev@evil.test/x.png")]
    [InlineData("https://evil.test/x.png")]
    [InlineData("https://r2.dev.evil.test/x.png")]
    [InlineData("https://evilr2.dev/x.png")]
    [InlineData("https://127.0.0.1/x.png")]
    [InlineData("https://localhost/x.png")]
    [InlineData("https://10.1.2.3/x.png")]
    [InlineData("https://169.254.169.254/latest/meta-data/")]
    [InlineData("https://[::1]/x.png")]
    [InlineData("https://[fe80::1]/x.png")]
    [InlineData("https://[::ffff:192.168.0.1]/x.png")]
    [InlineData("https://2130706433/x.png")]
    [InlineData("https://0x7f.1/x.png")]
    [InlineData("/temp/x.png")]
    [InlineData("//pub.r2.dev/x.png")]
    [InlineData("https://pub.r2.dev/x.png\r\nSet-Cookie: a=b")]
    [InlineData("https://pub.r2.dev\\@evil.test/x.png")]
    [InlineData(" https://pub.r2.dev/x.png")]
    [InlineData("")]
    public void A_url_that_is_not_public_https_on_the_allow_list_is_rejected(string url) =>
        Assert.NotNull(ImageUrl.Check(url, WithSimulator with { DevelopmentHosts = [] }));

    [Theory]
    [InlineData("https://10.0.0.1/x.png")]
    [InlineData("https://172.16.5.4/x.png")]
    [InlineData("https://192.168.1.1/x.png")]
    [InlineData("https://100.64.0.1/x.png")]
    [InlineData("https://0.0.0.0/x.png")]
    [InlineData("https://[fd00::1]/x.png")]
    [InlineData("https://2130706433/x.png")]
    [InlineData("https://0x7f.1/x.png")]
    [InlineData("https://[::ffff:169.254.169.254]/x.png")]
    [InlineData("https://169.254.169.254./latest/meta-data/")]   // a trailing dot: the same host to a resolver
    [InlineData("https://localhost./x.png")]
    [InlineData("https://127.0.0.1./x.png")]
    [InlineData("https://2130706433./x.png")]
    [InlineData("https://[2002:a9fe:a9fe::1]/x.png")]            // 6to4 of 169.254.169.254
    [InlineData("https://[2002:0a00:0001::1]/x.png")]            // 6to4 of 10.0.0.1
    [InlineData("https://[64:ff9b::a9fe:a9fe]/x.png")]           // NAT64 of 169.254.169.254
    [InlineData("https://198.51.100.7/x.png")]                   // TEST-NET-2
    [InlineData("https://203.0.113.7/x.png")]                    // TEST-NET-3
    [InlineData("https://[2001:db8::1]/x.png")]                  // IPv6 documentation
    public void Internal_addresses_are_rejected_even_without_an_allow_list(string url) =>
        Assert.NotNull(ImageUrl.Check(url, ImageUrlRules.AnyPublicHttpsHost));

    [Fact]
    public void A_configured_development_host_may_use_http_and_loopback()
    {
        Assert.Null(ImageUrl.Check("http://127.0.0.1:41234/simulator/outputs/a-0.png", WithSimulator));
        Assert.NotNull(ImageUrl.Check("http://127.0.0.1:41234/simulator/outputs/a-0.png", Production));
        Assert.NotNull(ImageUrl.Check("http://127.0.0.2/x.png", WithSimulator));
        Assert.NotNull(ImageUrl.Check("http://user:pw@127.0.0.1/x.png", WithSimulator));
    }

    [Fact]
    public void Too_long_a_url_is_rejected() =>
        Assert.NotNull(ImageUrl.Check("https://pub.r2.dev/" + new string('a', ImageUrl.MaxLength), Production));

    [Theory]
    [InlineData("iVBORw0KGgo=")]                                  // PNG signature
    [InlineData("data:image/jpeg;base64,/9j/4AAQSkZJRgABAQ==")]    // JPEG
    [InlineData("data:image/webp;base64,UklGRiQAAABXRUJQVlA4IA==")] // RIFF....WEBP
    [InlineData("https://faces.test/me.png")]
    public void A_face_image_that_is_an_image_or_a_public_https_url_is_accepted(string faceImage) =>
        Assert.Null(FaceImage.Check(faceImage));

    [Theory]
    [InlineData("aGVsbG8gd29ybGQ=")]                              // "hello world": base64, not an image
    [InlineData("data:image/png;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+")] // <svg onload=...> claiming to be PNG
    [InlineData("data:image/webp;base64,UklGRiQAAABBVklM")]       // RIFF but AVI
    [InlineData("http://faces.test/me.png")]
    [InlineData("https://169.254.169.254/latest/meta-data/")]
    [InlineData("https://u:p@faces.test/me.png")]
    [InlineData("javascript:alert(1)")]
    [InlineData("file:///etc/passwd")]
    [InlineData("https://169.254.169.254./latest/meta-data/")]
    [InlineData("https://localhost./me.png")]
    [InlineData("https://[2002:a9fe:a9fe::1]/me.png")]
    [InlineData("https://198.51.100.1/me.png")]
    [InlineData("https://203.0.113.1/me.png")]
    [InlineData("https://[2001:db8::5]/me.png")]
    public void A_face_image_that_is_not_an_image_or_not_a_public_https_url_is_rejected(string faceImage) =>
        Assert.NotNull(FaceImage.Check(faceImage));

    /// <summary>A refusal goes back to whoever sent the URL: it names the rule, never the host, address or scheme.</summary>
    [Theory]
    [InlineData("https://x.r2.dev.attacker.test/x.png", "attacker")]
    [InlineData("https://10.0.0.1/x.png", "10.0.0.1")]
    [InlineData("https://[fd00::beef]/x.png", "beef")]
    [InlineData("gopher://pub.r2.dev/x.png", "gopher")]
    [InlineData("http://pub.r2.dev/x.png", "http'")]
    public void A_refusal_names_the_rule_and_never_echoes_the_value(string url, string echo)
    {
        var why = ImageUrl.Check(url, Production);

        Assert.NotNull(why);
        Assert.DoesNotContain(echo, why, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_face_image_over_the_base64_limit_is_rejected()
    {
        var huge = "iVBORw0KGgo" + new string('A', FaceImage.MaxBase64Characters);
        Assert.Contains("at most", FaceImage.Check(huge));
    }
}
