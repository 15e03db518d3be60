using System.CommandLine;
using Spectre.Console;

namespace Clip.Cli;

/// <summary>What a command handler needs besides its own options: the consoles and the common option values.</summary>
public sealed class CommandContext
{
    /// <summary>Creates the context for one invocation.</summary>
    /// <param name="parseResult">The parsed command line.</param>
    /// <param name="options">The common options.</param>
    /// <param name="console">Standard output, for tables, progress and JSON.</param>
    public CommandContext(ParseResult parseResult, GlobalOptions options, IAnsiConsole console)
    {
        ParseResult = parseResult;
        Console = console;
        Device = parseResult.GetValue(options.Device) ?? "cpu";
        Threads = parseResult.GetValue(options.Threads);
        Seed = parseResult.GetValue(options.Seed);
        Json = parseResult.GetValue(options.Json);
        Verbose = parseResult.GetValue(options.Verbose);
        if (Threads is <= 0)
        {
            throw new CliException($"--threads {Threads} is invalid: give a positive number of threads.");
        }
    }

    /// <summary>The parsed command line.</summary>
    public ParseResult ParseResult { get; }

    /// <summary>Standard output.</summary>
    public IAnsiConsole Console { get; }

    /// <summary>The <c>--device</c> value.</summary>
    public string Device { get; }

    /// <summary>The <c>--threads</c> value.</summary>
    public int? Threads { get; }

    /// <summary>The <c>--seed</c> value.</summary>
    public int? Seed { get; }

    /// <summary>Whether <c>--json</c> was given.</summary>
    public bool Json { get; }

    /// <summary>Whether <c>--verbose</c> was given.</summary>
    public bool Verbose { get; }

    /// <summary>Returns the value of a command's own option.</summary>
    /// <typeparam name="T">The option's value type.</typeparam>
    /// <param name="option">The option.</param>
    public T? Get<T>(Option<T> option) => ParseResult.GetValue(option);

    /// <summary>Returns the value of a command's argument.</summary>
    /// <typeparam name="T">The argument's value type.</typeparam>
    /// <param name="argument">The argument.</param>
    public T? Get<T>(Argument<T> argument) => ParseResult.GetValue(argument);
}
