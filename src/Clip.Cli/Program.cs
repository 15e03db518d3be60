using Clip.Cli;
using Spectre.Console;

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, eventArgs) =>
{
    // Let the running command stop at its next check and exit with 130, instead of killing the process mid-write.
    eventArgs.Cancel = true;
    cancellation.Cancel();
};

return await ClipCli.RunAsync(args, AnsiConsole.Console, Console.Out, Console.Error, cancellation.Token);
