using System.CommandLine;
using Clip.Cli.Inference;
using Clip.Cli.Output;
using Spectre.Console;
using static TorchSharp.torch;

namespace Clip.Cli.Commands;

/// <summary><c>clip embed</c>: writes image or text embeddings to a file.</summary>
public static class EmbedCommand
{
    private static readonly string[] ImageExtensions = [".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff"];

    /// <summary>Builds the command.</summary>
    /// <param name="options">The common options.</param>
    /// <param name="console">Standard output.</param>
    public static Command Create(GlobalOptions options, IAnsiConsole console)
    {
        var model = new Option<string>("--model", "-m") { Description = "Folder or checkpoint file of a saved model.", Required = true };
        var images = new Option<string[]>("--images") { Description = "Image files or folders (searched recursively) to embed.", AllowMultipleArgumentsPerToken = true };
        var texts = new Option<string[]>("--texts") { Description = "Texts to embed.", AllowMultipleArgumentsPerToken = true };
        var output = new Option<string>("--output", "-o")
        {
            Description = "Output file: .npy for a float32 [N, E] matrix of L2-normalised rows, .jsonl for one {\"id\", \"embedding\"} object per line.",
            Required = true,
        };

        var command = new Command("embed", "Embed images or texts into the model's shared space and write them to a file.") { model, images, texts, output };
        command.Validators.Add(result =>
        {
            bool hasImages = result.GetValue(images) is { Length: > 0 };
            bool hasTexts = result.GetValue(texts) is { Length: > 0 };
            if (hasImages == hasTexts)
            {
                result.AddError("Give either --images or --texts, not both and not neither.");
            }

            string? path = result.GetValue(output);
            if (path is not null && !IsNpy(path) && !IsJsonLines(path))
            {
                result.AddError($"--output '{path}' is invalid: the file name must end in .npy or .jsonl.");
            }
        });
        command.SetAction(int (parseResult) =>
        {
            var context = new CommandContext(parseResult, options, console);
            string outputPath = context.Get(output)!;
            IReadOnlyList<string> ids = context.Get(images) is { Length: > 0 } imageArguments ? ExpandImages(imageArguments) : context.Get(texts)!;
            bool embedImages = context.Get(images) is { Length: > 0 };

            using LoadedModel loaded = LoadedModel.Load(context.Get(model)!, TorchSettings.Apply(context));
            using var scope = NewDisposeScope();
            Tensor embeddings = embedImages ? loaded.EncodeImages(ids) : loaded.EncodeTexts(ids);
            float[] values = embeddings.contiguous().data<float>().ToArray();
            int columns = (int)embeddings.shape[1];

            string? folder = Path.GetDirectoryName(Path.GetFullPath(outputPath));
            Directory.CreateDirectory(folder!);
            using (FileStream stream = File.Create(outputPath))
            {
                if (IsNpy(outputPath))
                {
                    NpyWriter.WriteMatrix(stream, values, ids.Count, columns);
                }
                else
                {
                    EmbeddingJsonLinesWriter.Write(stream, ids, values, columns);
                }
            }

            if (context.Json)
            {
                console.Profile.Out.Writer.WriteLine(System.Text.Json.JsonSerializer.Serialize(new { output = outputPath, rows = ids.Count, columns }, JsonOutput.Options));
            }
            else
            {
                console.MarkupLineInterpolated($"Wrote {ids.Count} embeddings of width {columns} to {outputPath}.");
            }

            return 0;
        });
        return command;
    }

    private static bool IsNpy(string path) => path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase);

    private static bool IsJsonLines(string path) => path.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase);

    /// <summary>Lists image files, expanding folders recursively in ordinal path order.</summary>
    private static List<string> ExpandImages(IEnumerable<string> arguments)
    {
        var files = new List<string>();
        foreach (string argument in arguments)
        {
            if (Directory.Exists(argument))
            {
                files.AddRange(Directory.EnumerateFiles(argument, "*", SearchOption.AllDirectories)
                    .Where(file => ImageExtensions.Contains(Path.GetExtension(file), StringComparer.OrdinalIgnoreCase))
                    .Order(StringComparer.Ordinal));
            }
            else if (File.Exists(argument))
            {
                files.Add(argument);
            }
            else
            {
                throw new CliException($"Image file or folder '{argument}' was not found.");
            }
        }

        if (files.Count == 0)
        {
            throw new CliException("No image files were found in the given --images paths.");
        }

        return files;
    }
}
