using System.CommandLine;

namespace Clip.Cli;

/// <summary>The options every command accepts (declared once on the root command, recursive).</summary>
public sealed class GlobalOptions
{
    /// <summary>The device tensors run on.</summary>
    public Option<string> Device { get; } = new("--device")
    {
        Description = "Device to run on: cpu, or cuda / cuda:N with a CUDA build of TorchSharp.",
        DefaultValueFactory = _ => "cpu",
        Recursive = true,
    };

    /// <summary>The number of CPU threads for tensor operations.</summary>
    public Option<int?> Threads { get; } = new("--threads")
    {
        Description = "Number of CPU threads for tensor operations (default: TorchSharp's choice, usually the number of cores).",
        Recursive = true,
    };

    /// <summary>The random seed.</summary>
    public Option<int?> Seed { get; } = new("--seed")
    {
        Description = "Random seed for weight initialisation, data order and augmentation, for repeatable runs.",
        Recursive = true,
    };

    /// <summary>Whether to print machine-readable JSON instead of tables.</summary>
    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Print results as JSON on standard output instead of tables and progress bars.",
        Recursive = true,
    };

    /// <summary>Whether to print details and stack traces.</summary>
    public Option<bool> Verbose { get; } = new("--verbose", "-v")
    {
        Description = "Print more detail, and the stack trace of an error.",
        Recursive = true,
    };

    /// <summary>Adds the options to the root command.</summary>
    /// <param name="root">The root command.</param>
    public void AddTo(RootCommand root)
    {
        root.Options.Add(Device);
        root.Options.Add(Threads);
        root.Options.Add(Seed);
        root.Options.Add(Json);
        root.Options.Add(Verbose);
    }
}
