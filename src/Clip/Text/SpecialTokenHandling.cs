namespace Clip.Text;

/// <summary>How the literal strings <c>&lt;|startoftext|&gt;</c> and <c>&lt;|endoftext|&gt;</c> inside user text are tokenized.</summary>
public enum SpecialTokenHandling
{
    /// <summary>
    /// As the reference tokenizer: the strings (in any letter case, and also when written as HTML
    /// entities such as <c>&amp;lt;|endoftext|&amp;gt;</c>) become the special ids 49406 and 49407.
    /// A row can then hold the end id twice, and a text encoder that pools at the first end token
    /// (as CLIP's does, through <c>argmax</c>) ignores everything after it. This is the default,
    /// because pretrained models were trained this way.
    /// </summary>
    Parse,

    /// <summary>
    /// The strings are ordinary text and are split into ordinary BPE tokens (<c>&lt;|</c>,
    /// <c>endoftext</c>, <c>|&gt;</c>), so user text can never end a caption early. Ids then
    /// differ from the reference's for texts that contain these strings.
    /// </summary>
    PlainText,
}
