using System.Text;
using System.Text.Json;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Clip.Training;

/// <summary>Counters of a run that a checkpoint stores beside the tensors.</summary>
/// <param name="Step">Optimiser steps completed; the learning-rate schedule continues from here.</param>
/// <param name="Epoch">Epoch of the next batch.</param>
/// <param name="Cursor">Shuffled positions of that epoch already consumed.</param>
/// <param name="SkippedSamples">Invalid samples skipped so far.</param>
/// <param name="Seed">Run seed; the data order and augmentation derive from it.</param>
/// <param name="BatchSize">Pairs per step.</param>
/// <param name="ExampleCount">Examples in the training data.</param>
/// <param name="FineTuning">Which parameters are trained; it fixes the optimiser's parameter groups.</param>
internal sealed record TrainingState(int Step, int Epoch, int Cursor, long SkippedSamples, int Seed, int BatchSize, int ExampleCount, FineTuningMode FineTuning);

/// <summary>
/// Writes and reads a training checkpoint: the run counters, the model's parameters and buffers, the AdamW state
/// and TorchSharp's random-generator state, in one file.
/// </summary>
/// <remarks>
/// Layout: the ASCII magic <c>CLIPTRN2</c>, the run counters as a length-prefixed UTF-8 JSON string, the model in
/// TorchSharp's <c>Module.save</c> format, the optimiser state as <see cref="AdamWOptimizer.Save"/> writes it, and the
/// generator state as a length-prefixed byte array. The format is specific to this library and TorchSharp; export
/// the weights with the model's safetensors writer to share them. A checkpoint is first written to a temporary
/// file in the same folder, flushed to disk and then renamed over the target, so a crash leaves either the old
/// file or the new one, never a partial one.
/// </remarks>
internal static class TrainingCheckpoint
{
    // Version 2: the optimiser state is written by AdamWOptimizer.Save instead of TorchSharp's save_state_dict.
    private const string Magic = "CLIPTRN2";
    private const string TemporarySuffix = ".tmp";

    /// <summary>Writes the checkpoint to <paramref name="path"/> atomically.</summary>
    public static void Save(string path, TrainingState state, nn.Module model, AdamWOptimizer optimizer)
    {
        string fullPath = Path.GetFullPath(path);
        string? folder = Path.GetDirectoryName(fullPath);
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }

        string temporary = fullPath + "." + Guid.NewGuid().ToString("N") + TemporarySuffix;
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
            {
                writer.Write(Encoding.ASCII.GetBytes(Magic));
                writer.Write(JsonSerializer.Serialize(state));
                model.save(writer);
                optimizer.Save(writer);
                using Tensor generator = torch.get_rng_state();
                byte[] generatorBytes = generator.data<byte>().ToArray();
                writer.Write(generatorBytes.Length);
                writer.Write(generatorBytes);
                writer.Flush();
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, fullPath, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    /// <summary>
    /// Reads the checkpoint at <paramref name="path"/> into <paramref name="model"/> and <paramref name="optimizer"/>,
    /// restores the random-generator state and returns the run counters.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a training checkpoint.</exception>
    public static TrainingState Load(string path, nn.Module model, AdamWOptimizer optimizer)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The checkpoint to resume from, '{path}', does not exist.", path);
        }

        using var stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream, Encoding.UTF8);
        string magic = Encoding.ASCII.GetString(reader.ReadBytes(Magic.Length));
        if (magic != Magic)
        {
            throw new InvalidDataException($"'{path}' is not a training checkpoint of this library: it starts with '{magic}' instead of '{Magic}'.");
        }

        TrainingState state = JsonSerializer.Deserialize<TrainingState>(reader.ReadString())
            ?? throw new InvalidDataException($"'{path}' is invalid: its run counters are missing.");
        model.load(reader, strict: true);
        optimizer.Load(reader);
        int generatorLength = reader.ReadInt32();
        byte[] generatorBytes = reader.ReadBytes(generatorLength);
        using Tensor generator = torch.tensor(generatorBytes, dtype: ScalarType.Byte);
        torch.set_rng_state(generator);
        return state;
    }
}
