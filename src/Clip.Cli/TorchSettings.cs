using TorchSharp;

namespace Clip.Cli;

/// <summary>Applies the common <c>--device</c>, <c>--threads</c> and <c>--seed</c> options to TorchSharp.</summary>
public static class TorchSettings
{
    /// <summary>Sets the thread count and seed, and resolves the device.</summary>
    /// <param name="context">The invocation's common options.</param>
    /// <returns>The device to run on.</returns>
    /// <exception cref="CliException">The device name is invalid or CUDA is not available.</exception>
    public static torch.Device Apply(CommandContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Threads is int threads)
        {
            torch.set_num_threads(threads);
        }

        if (context.Seed is int seed)
        {
            torch.manual_seed(seed);
        }

        return ParseDevice(context.Device);
    }

    /// <summary>Parses a device name such as <c>cpu</c>, <c>cuda</c> or <c>cuda:1</c>.</summary>
    /// <param name="name">The name.</param>
    /// <exception cref="CliException">The name is invalid, or names CUDA where it is not available.</exception>
    public static torch.Device ParseDevice(string name)
    {
        torch.Device device;
        try
        {
            device = new torch.Device(name);
        }
        catch (Exception exception) when (exception is ArgumentException or FormatException or InvalidOperationException)
        {
            throw new CliException($"--device '{name}' is invalid: use cpu, cuda or cuda:N.", innerException: exception);
        }

        if (device.type == DeviceType.CUDA && !torch.cuda.is_available())
        {
            throw new CliException($"--device '{name}' is not available: this build of the clip tool uses TorchSharp's CPU backend, or no CUDA device was found. Use --device cpu.");
        }

        return device;
    }
}
