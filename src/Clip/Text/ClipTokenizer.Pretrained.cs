using Clip.Checkpoints;

namespace Clip.Text;

/// <summary>Creating the tokenizer that matches a pretrained checkpoint.</summary>
public sealed partial class ClipTokenizer
{
    /// <summary>
    /// Creates the tokenizer of the checkpoint at <paramref name="path"/>: its <c>vocab.json</c> and
    /// <c>merges.txt</c> when the folder has them, else OpenAI's vocabulary.
    /// </summary>
    /// <param name="path">A checkpoint file or folder, as <see cref="ClipModel.FromPretrained(string, TorchSharp.torch.Device?)"/> takes.</param>
    /// <param name="options">Tokenizer settings; null for the defaults. The checkpoint replaces the context length and pad id of <see cref="ClipTokenizerOptions.TokenizeDefaults"/>.</param>
    /// <returns>The tokenizer, whose rows the checkpoint's model reads when a call passes no row settings.</returns>
    /// <remarks>
    /// <para>
    /// The row length is the model's context length. The pad id is the <c>pad_token</c> of the folder's
    /// <c>tokenizer_config.json</c>; without one it is the end token for a transformers folder (what
    /// transformers' <c>CLIPTokenizer</c> pads with) and 0 for every other checkpoint (the reference's
    /// <c>clip.tokenize</c>). The <c>pad_token_id</c> of <c>config.json</c> is not used, because transformers'
    /// tokenizer does not read it either. It is often <c>CLIPTextConfig</c>'s default of 1, a byte token.
    /// </para>
    /// <para>
    /// The vocabulary's end token must be the id the model pools at (the configuration's <c>eos_token_id</c>,
    /// or the last id for OpenAI's older configs that give 2), and no id may lie beyond the model's token
    /// embedding; otherwise the text features would be read at the wrong position, so loading fails. The pad
    /// id changes no feature, because the text encoder is causal and pools at the first end token.
    /// </para>
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="FileNotFoundException">Nothing exists at <paramref name="path"/>.</exception>
    /// <exception cref="CheckpointFormatException">
    /// The checkpoint or its tokenizer files are invalid, only one of the two tokenizer files exists, or the
    /// vocabulary does not fit the model.
    /// </exception>
    public static ClipTokenizer FromPretrained(string path, ClipTokenizerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        options ??= new ClipTokenizerOptions();
        (ClipVocabulary vocabulary, long padId, int contextLength) = PretrainedProcessing.ResolveTokenizer(path);
        ClipTokenizeOptions rows = options.TokenizeDefaults with { ContextLength = contextLength, PadId = padId };
        return Create(vocabulary, options with { TokenizeDefaults = rows });
    }
}
