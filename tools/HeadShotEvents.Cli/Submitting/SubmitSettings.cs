using System.ComponentModel;
using HeadShotEvents.Cli.Api;
using Spectre.Console.Cli;

namespace HeadShotEvents.Cli.Submitting;

/// <summary><c>headshots submit</c>: every field of ModelsLab's head_shot schema, as HeadShotRequested names it.</summary>
public sealed class SubmitSettings : ApiSettings
{
    [CommandArgument(0, "<PROMPT>")]
    [Description("What the picture should show")]
    public string Prompt { get; init; } = "";

    [CommandOption("-f|--face <PATH_OR_URL>")]
    [Description("The face: an image file (PNG, JPEG, WebP; sent as base64) or an https URL")]
    public string? Face { get; init; }

    [CommandOption("--request-id <GUID>")]
    [Description("The idempotency key (default: a new one); the same id twice makes one job")]
    public Guid? RequestId { get; init; }

    [CommandOption("--negative-prompt <TEXT>")]
    public string? NegativePrompt { get; init; }

    [CommandOption("--width <PIXELS>")]
    [Description("1 to 512")]
    public int? Width { get; init; }

    [CommandOption("--height <PIXELS>")]
    [Description("1 to 768")]
    public int? Height { get; init; }

    [CommandOption("--samples <N>")]
    [Description("1 or 2")]
    public int? Samples { get; init; }

    [CommandOption("--num-inference-steps <N>")]
    [Description("21, 31 or 41")]
    public int? NumInferenceSteps { get; init; }

    [CommandOption("--guidance-scale <N>")]
    [Description("A whole number from 1 to 5")]
    public double? GuidanceScale { get; init; }

    [CommandOption("--s-scale <N>")]
    [Description("0 to 2")]
    public double? SScale { get; init; }

    [CommandOption("--safety-checker <true|false>")]
    public bool? SafetyChecker { get; init; }

    [CommandOption("--safety-checker-type <TYPE>")]
    [Description("black, blur, sensitive_content_text or pixelate")]
    public string? SafetyCheckerType { get; init; }

    [CommandOption("--base64 <true|false>")]
    [Description("Ask ModelsLab for base64 output instead of URLs")]
    public bool? Base64 { get; init; }

    [CommandOption("--seed <N>")]
    public long? Seed { get; init; }

    [CommandOption("-m|--metadata <KEY=VALUE>")]
    [Description("Your correlation data, echoed on every event; repeatable")]
    public string[] Metadata { get; init; } = [];

    [CommandOption("-w|--wait")]
    [Description("Follow the job to Completed or Failed, then download its outputs")]
    public bool Wait { get; init; }

    [CommandOption("-o|--out <FOLDER>")]
    [Description("Where --wait saves the outputs (default: the current folder)")]
    public string Out { get; init; } = ".";

    [CommandOption("--timeout <SECONDS>")]
    [Description("How long --wait waits (default 600)")]
    public int Timeout { get; init; } = 600;
}
