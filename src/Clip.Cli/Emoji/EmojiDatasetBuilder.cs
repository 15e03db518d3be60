using System.Text.Json;

namespace Clip.Cli.Emoji;

/// <summary>
/// Prepares the captioned emoji dataset: fetches the npm packages, extracts the images and texts, joins
/// them by code-point sequence, splits base emoji into seen and unseen, composites the images over white
/// and writes the index files.
/// </summary>
/// <remarks>
/// A second run with the same packages and settings only verifies the tarballs and rewrites the index. It reuses the
/// extracted files and the images, which stamp files record.
/// </remarks>
public sealed class EmojiDatasetBuilder
{
    /// <summary>The CSV index file name inside the dataset folder.</summary>
    public const string CsvFileName = "emoji.csv";

    /// <summary>The JSON Lines index file name inside the dataset folder.</summary>
    public const string JsonLinesFileName = "emoji.jsonl";

    /// <summary>The folder of composited images inside the dataset folder.</summary>
    public const string ImagesFolderName = "images";

    /// <summary>The size folder of emoji-datasource images used (64×64 pixels).</summary>
    private const string ImageSizeFolder = "64";

    private const string ExtractedFolderName = "extracted";
    private const string StampFileName = ".complete";

    private readonly NpmPackageCache _cache;

    /// <summary>Creates a builder that downloads through the given npm client.</summary>
    /// <param name="options">The folders and split settings.</param>
    /// <param name="npm">The npm client; <see langword="null"/> uses npm from PATH.</param>
    public EmojiDatasetBuilder(EmojiDatasetOptions options, NpmClient? npm = null)
    {
        Options = options ?? throw new ArgumentNullException(nameof(options));
        _cache = new NpmPackageCache(options.CacheDirectory, npm ?? new NpmClient());
    }

    /// <summary>The settings.</summary>
    public EmojiDatasetOptions Options { get; }

    /// <summary>Runs every step and returns the dataset.</summary>
    /// <param name="progress">Receives a report per step and per batch of images; may be <see langword="null"/>.</param>
    /// <param name="cancellationToken">Stops between files.</param>
    /// <returns>The records and where they were written.</returns>
    /// <exception cref="NpmNotFoundException">A package must be downloaded and npm is not installed.</exception>
    /// <exception cref="InvalidDataException">A package has an unexpected layout or fails verification.</exception>
    public async Task<EmojiDatasetResult> BuildAsync(IProgress<EmojiPreparationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var packages = new List<NpmPackageSpec> { EmojiPackages.Emojibase };
        packages.AddRange(Options.Styles.Select(EmojiPackages.ForStyle));

        var cached = new List<CachedPackage>();
        foreach (NpmPackageSpec package in packages)
        {
            progress?.Report(new EmojiPreparationProgress(EmojiPreparationStage.Fetch, cached.Count, packages.Count, $"Fetching {package}"));
            cached.Add(await _cache.GetAsync(package, cancellationToken).ConfigureAwait(false));
        }

        progress?.Report(new EmojiPreparationProgress(EmojiPreparationStage.Fetch, cached.Count, packages.Count, "Fetched packages"));

        var extracted = new Dictionary<NpmPackageSpec, string>();
        for (int i = 0; i < cached.Count; i++)
        {
            progress?.Report(new EmojiPreparationProgress(EmojiPreparationStage.Extract, i, cached.Count, $"Extracting {cached[i].Package}"));
            extracted[cached[i].Package] = ExtractIfNeeded(cached[i]);
        }

        progress?.Report(new EmojiPreparationProgress(EmojiPreparationStage.Extract, cached.Count, cached.Count, "Extracted packages"));

        IReadOnlyDictionary<string, EmojiText> texts = EmojibaseReader.ReadEnglish(extracted[EmojiPackages.Emojibase]);
        var sources = new List<(EmojiRecord Record, string SourcePath)>();
        int unlabelled = 0;
        foreach (EmojiStyle style in Options.Styles)
        {
            string packageDirectory = extracted[EmojiPackages.ForStyle(style)];
            unlabelled += Join(packageDirectory, style, texts, sources);
        }

        sources = KeepSubset(sources);
        int written = WriteImages(sources, cached, progress, cancellationToken);

        progress?.Report(new EmojiPreparationProgress(EmojiPreparationStage.WriteIndex, 0, 1, "Writing the index"));
        List<EmojiRecord> records = sources.Select(source => source.Record).ToList();
        string csvPath = Path.Combine(Options.OutputDirectory, CsvFileName);
        string jsonLinesPath = Path.Combine(Options.OutputDirectory, JsonLinesFileName);
        EmojiDatasetWriter.WriteCsv(csvPath, records);
        EmojiDatasetWriter.WriteJsonLines(jsonLinesPath, records);
        progress?.Report(new EmojiPreparationProgress(EmojiPreparationStage.WriteIndex, 1, 1, "Wrote the index"));

        return new EmojiDatasetResult(Options.OutputDirectory, csvPath, jsonLinesPath, records, cached, written, unlabelled);
    }

    /// <summary>Extracts the files the dataset reads, unless a stamp shows this tarball was already extracted.</summary>
    private string ExtractIfNeeded(CachedPackage package)
    {
        string destination = Path.Combine(Options.CacheDirectory, ExtractedFolderName, Path.GetFileNameWithoutExtension(package.Package.TarballFileName));
        string stamp = Path.Combine(destination, StampFileName);
        if (File.Exists(stamp) && File.ReadAllText(stamp).Trim() == package.Integrity)
        {
            return destination;
        }

        // Extract into a private folder and move it into place, so that an interrupted or concurrent extraction
        // never leaves a stamped folder with files missing.
        string staging = $"{destination}.{Guid.NewGuid():N}.partial";
        TarballExtractor.Extract(package.TarballPath, staging, IsNeeded);
        File.WriteAllText(Path.Combine(staging, StampFileName), package.Integrity + Environment.NewLine);
        if (Directory.Exists(destination))
        {
            Directory.Delete(destination, recursive: true);
        }

        try
        {
            Directory.Move(staging, destination);
        }
        catch (IOException) when (File.Exists(stamp) && File.ReadAllText(stamp).Trim() == package.Integrity)
        {
            // Another process put a complete extraction in place first.
            Directory.Delete(staging, recursive: true);
        }

        return destination;
    }

    /// <summary>Selects the package files the dataset reads: texts, group names, emoji lists and 64-pixel images.</summary>
    private static bool IsNeeded(string path) =>
        path is "en/data.json" or "en/messages.json" or "meta/groups.json" or "emoji.json"
        || (path.StartsWith("img/", StringComparison.Ordinal)
            && path.Contains($"/{ImageSizeFolder}/", StringComparison.Ordinal)
            && path.EndsWith(".png", StringComparison.OrdinalIgnoreCase));

    /// <summary>Joins one style's images to their texts; returns how many images had no text.</summary>
    private int Join(
        string packageDirectory,
        EmojiStyle style,
        IReadOnlyDictionary<string, EmojiText> texts,
        List<(EmojiRecord Record, string SourcePath)> sources)
    {
        string imageDirectory = Path.Combine(packageDirectory, "img", style.ToName(), ImageSizeFolder);
        int unlabelled = 0;
        foreach (EmojiImageSource image in EmojiImageSource.ReadAll(Path.Combine(packageDirectory, "emoji.json"), style))
        {
            string sourcePath = Path.Combine(imageDirectory, image.ImageFileName);
            if (!File.Exists(sourcePath))
            {
                continue;
            }

            if (!texts.TryGetValue(EmojiHexcode.Normalize(image.Hexcode), out EmojiText? text))
            {
                unlabelled++;
                continue;
            }

            string baseHexcode = EmojiHexcode.Normalize(image.BaseHexcode);
            var record = new EmojiRecord(
                Image: $"{ImagesFolderName}/{style.ToName()}/{image.ImageFileName}",
                Hexcode: EmojiHexcode.Normalize(image.Hexcode),
                BaseHexcode: baseHexcode,
                Emoji: text.Emoji,
                Label: text.Label,
                Tags: text.Tags,
                Group: text.Group,
                Subgroup: text.Subgroup,
                Style: style,
                Split: EmojiSplitter.Assign(baseHexcode, Options.SeenFraction));
            sources.Add((record, sourcePath));
        }

        return unlabelled;
    }

    private List<(EmojiRecord Record, string SourcePath)> KeepSubset(List<(EmojiRecord Record, string SourcePath)> sources)
    {
        if (Options.MaxBaseEmoji is not int maxBaseEmoji)
        {
            return sources;
        }

        HashSet<string> kept = sources
            .Select(source => source.Record.BaseHexcode)
            .Distinct(StringComparer.Ordinal)
            .OrderBy(EmojiSplitter.SubsetKey)
            .ThenBy(hexcode => hexcode, StringComparer.Ordinal)
            .Take(maxBaseEmoji)
            .ToHashSet(StringComparer.Ordinal);
        return sources.Where(source => kept.Contains(source.Record.BaseHexcode)).ToList();
    }

    /// <summary>Composites every image over white, skipping the work when a stamp shows the same inputs were written before.</summary>
    private int WriteImages(
        List<(EmojiRecord Record, string SourcePath)> sources,
        IReadOnlyList<CachedPackage> packages,
        IProgress<EmojiPreparationProgress>? progress,
        CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Options.OutputDirectory);
        string stampPath = Path.Combine(Options.OutputDirectory, ImagesFolderName, StampFileName);
        string stamp = JsonSerializer.Serialize(packages.Select(package => package.Integrity).Order(StringComparer.Ordinal).ToArray());
        bool stampMatches = File.Exists(stampPath) && File.ReadAllText(stampPath).Trim() == stamp;
        if (!stampMatches && File.Exists(stampPath))
        {
            // Images from other package versions may be present: drop the stamp until all are rewritten.
            File.Delete(stampPath);
        }

        var pending = sources
            .Where(source => !stampMatches || !File.Exists(Path.Combine(Options.OutputDirectory, source.Record.Image)))
            .ToList();
        foreach (string folder in pending.Select(source => Path.GetDirectoryName(Path.Combine(Options.OutputDirectory, source.Record.Image))!).Distinct())
        {
            Directory.CreateDirectory(folder);
        }

        int completed = 0;
        const int ReportEvery = 64;
        progress?.Report(new EmojiPreparationProgress(EmojiPreparationStage.WriteImages, 0, pending.Count, "Compositing images over white"));
        Parallel.ForEach(
            pending,
            new ParallelOptions { CancellationToken = cancellationToken },
            source =>
            {
                EmojiImageCompositor.CompositeFile(source.SourcePath, Path.Combine(Options.OutputDirectory, source.Record.Image));
                int done = Interlocked.Increment(ref completed);
                if (done % ReportEvery == 0 || done == pending.Count)
                {
                    progress?.Report(new EmojiPreparationProgress(EmojiPreparationStage.WriteImages, done, pending.Count, "Compositing images over white"));
                }
            });

        Directory.CreateDirectory(Path.GetDirectoryName(stampPath)!);
        File.WriteAllText(stampPath, stamp + Environment.NewLine);
        return pending.Count;
    }
}
