namespace Clip.ZeroShot;

/// <summary>
/// Prompt templates for zero-shot classification, written for this library. Each holds one <c>{}</c> that
/// the class name replaces; a class's embedding averages the embeddings of all its prompts.
/// </summary>
public static class PromptTemplates
{
    /// <summary>The placeholder that a class name replaces.</summary>
    public const string Placeholder = "{}";

    /// <summary>A single plain template, "a photo of a {}.", the form CLIP's paper found a good default for photos.</summary>
    public static IReadOnlyList<string> Single { get; } = ["a photo of a {}."];

    /// <summary>
    /// Twenty templates for photographs: different framings, sizes, qualities and settings, so that the
    /// average embedding stresses the object rather than one phrasing.
    /// </summary>
    public static IReadOnlyList<string> General { get; } =
    [
        "a photo of a {}.",
        "a photograph of a {}.",
        "a picture showing a {}.",
        "an image that contains a {}.",
        "a close-up photo of a {}.",
        "a photo of a small {}.",
        "a photo of a large {}.",
        "a blurry photo of a {}.",
        "a sharp, well-lit photo of a {}.",
        "a dark photo of a {}.",
        "a low-resolution photo of a {}.",
        "a cropped photo of a {}.",
        "a photo of the {} seen from the side.",
        "a photo of a {} outdoors.",
        "a photo of a {} indoors.",
        "a snapshot of a {} taken with a phone.",
        "a black and white photo of a {}.",
        "a photo of one {}.",
        "a photo of several {}.",
        "a good photo of a {}.",
    ];

    /// <summary>
    /// Templates for icons, emoji, pictograms and other flat drawings on a plain background.
    /// </summary>
    public static IReadOnlyList<string> Icons { get; } =
    [
        "an icon of a {}.",
        "an emoji of a {}.",
        "a {} emoji.",
        "a flat icon showing a {}.",
        "a simple drawing of a {}.",
        "a cartoon {}.",
        "a pictogram of a {}.",
        "a small colourful symbol of a {}.",
        "a {} sticker.",
        "clip art of a {}.",
    ];

    /// <summary>Checks that every template holds exactly one <see cref="Placeholder"/>.</summary>
    /// <param name="templates">The templates to check.</param>
    /// <param name="parameterName">Parameter name reported in the exception.</param>
    /// <exception cref="ArgumentException">The list is empty, or a template is empty or holds no placeholder or more than one.</exception>
    public static void Validate(IReadOnlyList<string> templates, string parameterName = "templates")
    {
        ArgumentNullException.ThrowIfNull(templates, parameterName);
        if (templates.Count == 0)
        {
            throw new ArgumentException("At least one prompt template is needed, for example \"a photo of a {}.\".", parameterName);
        }

        for (int i = 0; i < templates.Count; i++)
        {
            string template = templates[i] ?? throw new ArgumentException($"Prompt template {i} is null.", parameterName);
            int count = CountPlaceholders(template);
            if (count != 1)
            {
                throw new ArgumentException(
                    $"Prompt template {i} \"{template}\" holds {count} '{Placeholder}' placeholders; each template needs exactly one, which the class name replaces.",
                    parameterName);
            }
        }
    }

    /// <summary>Writes <paramref name="className"/> into <paramref name="template"/> in place of its placeholder.</summary>
    public static string Fill(string template, string className) =>
        template.Replace(Placeholder, className, StringComparison.Ordinal);

    private static int CountPlaceholders(string template)
    {
        int count = 0;
        for (int at = template.IndexOf(Placeholder, StringComparison.Ordinal); at >= 0; at = template.IndexOf(Placeholder, at + Placeholder.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
