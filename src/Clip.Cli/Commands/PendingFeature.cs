namespace Clip.Cli.Commands;

/// <summary>The error for commands whose library parts are not in this build yet.</summary>
internal static class PendingFeature
{
    // TODO: remove once train, zero-shot, eval, embed and info call the model, tokenizer, imaging,
    // evaluation and training parts of the library.
    public static CliException Error(string command) =>
        new($"'clip {command}' is not available in this build: it needs the CLIP model library parts that are still being written.", ClipCli.FailureExitCode);
}
