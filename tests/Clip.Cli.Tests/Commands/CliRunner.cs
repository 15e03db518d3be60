using Spectre.Console;

namespace Clip.Cli.Tests.Commands;

/// <summary>Runs the clip command tree in-process and captures standard output and error.</summary>
internal static class CliRunner
{
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });

        int exitCode = await ClipCli.RunAsync(args, console, output, error);
        return (exitCode, output.ToString(), error.ToString());
    }
}
