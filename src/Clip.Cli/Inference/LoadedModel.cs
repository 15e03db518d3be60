using Clip.Imaging;
using Clip.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Clip.Cli.Inference;

/// <summary>A saved model with the tokenizer and image preprocessing that match its configuration.</summary>
public sealed class LoadedModel : IDisposable
{
    /// <summary>Images and texts encoded per forward pass.</summary>
    public const int DefaultBatchSize = 64;

    /// <summary>Wraps a model in memory; disposing the wrapper disposes the model.</summary>
    /// <param name="model">The model; it is put in eval mode.</param>
    /// <param name="path">Where the model comes from, for messages.</param>
    public LoadedModel(ClipModel model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        model.eval();
        Model = model;
        Path = path;
        Tokenizer = ClipTokenizer.CreateDefault();
        TokenizeOptions = new ClipTokenizeOptions { ContextLength = model.Config.Text.ContextLength, Truncate = true };
        Preprocessor = new ImagePreprocessor(ImagePreprocessorOptions.Reference(model.Config.Vision.ImageResolution));
    }

    /// <summary>The model, in eval mode.</summary>
    public ClipModel Model { get; }

    /// <summary>Where the model was loaded from.</summary>
    public string Path { get; }

    /// <summary>OpenAI's byte-level BPE tokenizer.</summary>
    public ClipTokenizer Tokenizer { get; }

    /// <summary>Rows as long as the model's context; longer texts are truncated.</summary>
    public ClipTokenizeOptions TokenizeOptions { get; }

    /// <summary>The reference preprocessing at the model's input resolution.</summary>
    public ImagePreprocessor Preprocessor { get; }

    /// <summary>Loads a model saved by <see cref="ClipModel.SavePretrained(string, PretrainedLayout)"/> or any checkpoint <see cref="ClipModel.FromPretrained(string, Device?)"/> reads.</summary>
    /// <param name="path">The checkpoint file or folder.</param>
    /// <param name="device">Where to place the model.</param>
    /// <exception cref="CliException">Nothing exists at <paramref name="path"/>.</exception>
    public static LoadedModel Load(string path, Device device)
    {
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            throw new CliException($"Model '{path}' was not found: give a folder written by 'clip train' or SavePretrained, or a checkpoint file.");
        }

        return new LoadedModel(ClipModel.FromPretrained(path, device), path);
    }

    /// <summary>Encodes texts to L2-normalised embeddings [N, E] on the CPU, in batches, without gradients.</summary>
    /// <param name="texts">The texts.</param>
    /// <returns>The embeddings; the caller disposes them.</returns>
    public Tensor EncodeTexts(IReadOnlyList<string> texts)
    {
        using var noGrad = torch.no_grad();
        var parts = new List<Tensor>();
        for (int start = 0; start < texts.Count; start += DefaultBatchSize)
        {
            using var scope = NewDisposeScope();
            var batch = texts.Skip(start).Take(DefaultBatchSize).ToList();
            Tensor tokens = Tokenizer.Tokenize(batch, TokenizeOptions).to(Model.Device);
            parts.Add(Model.EncodeText(tokens, normalize: true).cpu().MoveToOuterDisposeScope());
        }

        return Concatenate(parts);
    }

    /// <summary>Encodes image files to L2-normalised embeddings [N, E] on the CPU, in batches, without gradients.</summary>
    /// <param name="paths">The image files.</param>
    /// <returns>The embeddings; the caller disposes them.</returns>
    public Tensor EncodeImages(IReadOnlyList<string> paths)
    {
        using var noGrad = torch.no_grad();
        var parts = new List<Tensor>();
        for (int start = 0; start < paths.Count; start += DefaultBatchSize)
        {
            using var scope = NewDisposeScope();
            var batch = paths.Skip(start).Take(DefaultBatchSize).ToList();
            Tensor pixels = Preprocessor.PreprocessBatch(batch).to(Model.Device);
            parts.Add(Model.EncodeImage(pixels, normalize: true).cpu().MoveToOuterDisposeScope());
        }

        return Concatenate(parts);
    }

    /// <inheritdoc />
    public void Dispose() => Model.Dispose();

    private Tensor Concatenate(List<Tensor> parts)
    {
        if (parts.Count == 0)
        {
            return torch.zeros(0, Model.Config.EmbedDim);
        }

        Tensor result = torch.cat(parts, 0); // N x [B, E] -> [N, E]
        foreach (Tensor part in parts)
        {
            part.Dispose();
        }

        return result;
    }
}
