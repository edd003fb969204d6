using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;

namespace HeadShotEvents.Service.Operations.Page;

/// <summary>Text that is already HTML. Only <see cref="Html.Of"/> and <see cref="Html.Join"/> make one.</summary>
public readonly record struct Markup(string Value)
{
    public static readonly Markup Empty = new("");

    public override string ToString() => Value;
}

/// <summary>
/// HTML built from interpolated strings whose every hole is encoded unless it is itself
/// <see cref="Markup"/>: metadata, failure messages and URLs are publishers' and ModelsLab's input,
/// and forgetting to encode one must not be possible by omission.
/// </summary>
public static class Html
{
    public static Markup Of(ref MarkupHandler html) => html.ToMarkup();

    public static Markup Join(IEnumerable<Markup> parts) => new(string.Concat(parts.Select(p => p.Value)));

    /// <summary>An href or src: only absolute http(s) URLs; anything else (javascript:, data:) becomes inert.</summary>
    public static string SafeUrl(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var parsed) && parsed.Scheme is "http" or "https" ? parsed.AbsoluteUri : "about:blank";
}

[InterpolatedStringHandler]
public ref struct MarkupHandler
{
    private readonly StringBuilder _html;

    public MarkupHandler(int literalLength, int formattedCount)
    {
        _html = new StringBuilder(literalLength + (formattedCount * 16));
    }

    public readonly void AppendLiteral(string literal) => _html.Append(literal);

    public readonly void AppendFormatted(Markup markup) => _html.Append(markup.Value);

    public readonly void AppendFormatted<T>(T value) => Encode(value is IFormattable formattable
        ? formattable.ToString(null, CultureInfo.InvariantCulture)
        : value?.ToString());

    public readonly void AppendFormatted<T>(T value, string format) where T : IFormattable =>
        Encode(value.ToString(format, CultureInfo.InvariantCulture));

    public readonly Markup ToMarkup() => new(_html.ToString());

    private readonly void Encode(string? text) => _html.Append(HtmlEncoder.Default.Encode(text ?? ""));
}
