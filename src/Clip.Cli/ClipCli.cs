using System.CommandLine;
using System.CommandLine.Invocation;
using Clip.Cli.Commands;
using Spectre.Console;

namespace Clip.Cli;

/// <summary>The <c>clip</c> command tree and its error handling.</summary>
public static class ClipCli
{
    /// <summary>The exit code for an unexpected failure.</summary>
    public const int FailureExitCode = 1;

    /// <summary>The exit code after Ctrl+C (128 + SIGINT).</summary>
    public const int CancelledExitCode = 130;

    /// <summary>Builds the root command with every subcommand.</summary>
    /// <param name="console">Where commands write tables, progress and JSON.</param>
    /// <returns>The root command.</returns>
    public static RootCommand BuildRootCommand(IAnsiConsole console)
    {
        var options = new GlobalOptions();
        var root = new RootCommand("Train and run CLIP (contrastive language-image pre-training) models on the CPU with TorchSharp.");
        options.AddTo(root);
        root.Subcommands.Add(TrainCommand.Create(options, console));
        root.Subcommands.Add(ZeroShotCommand.Create(options, console));
        root.Subcommands.Add(EvalCommand.Create(options, console));
        root.Subcommands.Add(EmbedCommand.Create(options, console));
        root.Subcommands.Add(InfoCommand.Create(options, console));
        root.Subcommands.Add(DataCommand.Create(options, console));
        root.Subcommands.Add(DemoCommand.Create(options, console));
        return root;
    }

    /// <summary>Parses the arguments, runs the command, and turns every failure into one line on standard error.</summary>
    /// <param name="args">The command-line arguments.</param>
    /// <param name="console">Standard output for tables, progress and JSON.</param>
    /// <param name="output">Standard output for help text.</param>
    /// <param name="error">Standard error.</param>
    /// <param name="cancellationToken">Cancels the command (Ctrl+C).</param>
    /// <returns>The exit code: 0 on success, 2 for usage errors, 1 for other failures, 130 when cancelled.</returns>
    public static async Task<int> RunAsync(
        string[] args,
        IAnsiConsole console,
        TextWriter output,
        TextWriter error,
        CancellationToken cancellationToken = default)
    {
        RootCommand root = BuildRootCommand(console);
        ParseResult parseResult = root.Parse(args);
        bool verbose = args.Contains("--verbose") || args.Contains("-v");

        if (parseResult.Action is ParseErrorAction)
        {
            foreach (System.CommandLine.Parsing.ParseError parseError in parseResult.Errors)
            {
                await error.WriteLineAsync($"clip: error: {parseError.Message}").ConfigureAwait(false);
            }

            string commandPath = string.Join(' ', CommandPath(parseResult.CommandResult.Command));
            await error.WriteLineAsync($"Run '{commandPath} --help' for usage.").ConfigureAwait(false);
            return CliException.UsageExitCode;
        }

        var configuration = new InvocationConfiguration
        {
            EnableDefaultExceptionHandler = false,
            Output = output,
            Error = error,
        };

        try
        {
            return await parseResult.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await error.WriteLineAsync("clip: cancelled.").ConfigureAwait(false);
            return CancelledExitCode;
        }
        catch (Exception exception)
        {
            await error.WriteLineAsync($"clip: error: {OneLine(exception)}").ConfigureAwait(false);
            if (verbose)
            {
                await error.WriteLineAsync(exception.ToString()).ConfigureAwait(false);
            }

            return exception is CliException cliException ? cliException.ExitCode : FailureExitCode;
        }
    }

    /// <summary>Returns an exception's message on one line; an unexpected exception also names its type.</summary>
    internal static string OneLine(Exception exception)
    {
        string message = string.Join(' ', exception.Message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        bool expected = exception is CliException or Emoji.NpmNotFoundException or FileNotFoundException or DirectoryNotFoundException
            or InvalidDataException or UnauthorizedAccessException or ArgumentException;
        return expected ? message : $"{message} ({exception.GetType().Name})";
    }

    private static IEnumerable<string> CommandPath(Command command)
    {
        var names = new Stack<string>();
        for (Command? current = command; current is not null; current = current.Parents.OfType<Command>().FirstOrDefault())
        {
            names.Push(current is RootCommand ? "clip" : current.Name);
        }

        return names;
    }
}
