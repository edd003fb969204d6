using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace HeadShotEvents.Cli.Api;

/// <summary>Where the service is and how to get in: every verb's common options.</summary>
public class ApiSettings : CommandSettings
{
    public const string UrlVariable = "HEADSHOTS_URL";
    public const string ApiKeyVariable = "HEADSHOTS_API_KEY";
    public const string DefaultUrl = "http://127.0.0.1:5080/";

    [CommandOption("--url <URL>")]
    [Description("The service's base URL (else $HEADSHOTS_URL, else http://127.0.0.1:5080/)")]
    public string? Url { get; init; }

    [CommandOption("--api-key <KEY>")]
    [Description("The service's Api:Key, sent as X-Api-Key (else $HEADSHOTS_API_KEY; none: loopback only)")]
    public string? ApiKey { get; init; }

    public Uri BaseAddress
    {
        get
        {
            var text = UrlText ?? DefaultUrl;
            return new Uri(text.EndsWith('/') ? text : text + "/");
        }
    }

    private string? UrlText =>
        Url is { Length: > 0 } ? Url : Environment.GetEnvironmentVariable(UrlVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : null;

    public HeadShotsClient CreateClient() =>
        new(BaseAddress, ApiKey ?? Environment.GetEnvironmentVariable(ApiKeyVariable));

    public override ValidationResult Validate()
    {
        var text = UrlText;
        if (text is { Length: > 0 } && (!Uri.TryCreate(text, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https")))
        {
            return ValidationResult.Error($"--url (or ${UrlVariable}) must be an absolute http or https URL; got '{text}'.");
        }

        return ValidationResult.Success();
    }
}
