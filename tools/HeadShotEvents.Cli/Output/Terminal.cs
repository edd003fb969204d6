using Spectre.Console;

namespace HeadShotEvents.Cli.Output;

/// <summary>
/// Where output goes and how it looks. On a terminal: colour, tables and live progress. Redirected
/// (a script, a test, a pipe): plain lines without ANSI codes or wrapping, one fact per line, so
/// <c>grep</c> and <c>cut</c> can read them.
/// </summary>
public static class Terminal
{
    public static bool Interactive { get; } = !Console.IsOutputRedirected;

    public static IAnsiConsole Out { get; } = AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(Console.Out),
        Ansi = Interactive ? AnsiSupport.Detect : AnsiSupport.No,
        ColorSystem = Interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        Interactive = Interactive ? InteractionSupport.Detect : InteractionSupport.No,
    });

    /// <summary>One plain line on stdout (never wrapped, never marked up).</summary>
    public static void Line(string text) => Console.Out.WriteLine(text);

    /// <summary>A message on stderr, red on a terminal.</summary>
    public static void Error(string text)
    {
        if (Console.IsErrorRedirected)
        {
            Console.Error.WriteLine(text);
        }
        else
        {
            Console.Error.WriteLine($"\u001b[31m{text}\u001b[0m");
        }
    }
}
