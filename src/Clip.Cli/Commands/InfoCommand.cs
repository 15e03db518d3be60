using System.CommandLine;
using Spectre.Console;

namespace Clip.Cli.Commands;

/// <summary><c>clip info</c>: describes a saved model.</summary>
public static class InfoCommand
{
    /// <summary>Builds the command.</summary>
    /// <param name="options">The common options.</param>
    /// <param name="console">Standard output.</param>
    public static Command Create(GlobalOptions options, IAnsiConsole console)
    {
        var model = new Argument<DirectoryInfo>("model") { Description = "Folder of a saved model." };
        var command = new Command("info", "Show a saved model's architecture, parameter count and tokenizer.") { model };
        command.SetAction(int (parseResult) =>
        {
            _ = new CommandContext(parseResult, options, console);
            throw PendingFeature.Error("info");
        });
        return command;
    }
}
