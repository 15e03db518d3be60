namespace Clip.Checkpoints;

/// <summary>The container a pretrained checkpoint was found in.</summary>
public enum CheckpointFormat
{
    /// <summary>
    /// A TorchScript archive (<c>torch.jit.save</c>), the format of OpenAI's released <c>.pt</c> files. It contains
    /// Python-like code, which this library never runs: only the weights are read.
    /// </summary>
    TorchScriptArchive,

    /// <summary>A <c>torch.save</c> zip archive: a state dict, or an OpenCLIP training checkpoint holding one.</summary>
    TorchSaveArchive,

    /// <summary>A single safetensors file.</summary>
    SafeTensors,

    /// <summary>A Hugging Face transformers <c>CLIPModel</c> folder: <c>config.json</c> and <c>model.safetensors</c> or <c>pytorch_model.bin</c>.</summary>
    HuggingFaceFolder,

    /// <summary>A folder saved by this library for a model transformers cannot hold: <c>clip_config.json</c> and <c>model.safetensors</c> in the OpenAI layout.</summary>
    OpenAiLayoutFolder,
}
