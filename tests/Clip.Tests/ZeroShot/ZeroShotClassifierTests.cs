using Clip.Data;
using Clip.Evaluation;
using Clip.Imaging;
using Clip.Modeling;
using Clip.Tests.Data;
using Clip.Text;
using Clip.ZeroShot;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Xunit;
using static TorchSharp.torch;

namespace Clip.Tests.ZeroShot;

/// <summary>Zero-shot classification on the tiny ViT preset with seeded random weights.</summary>
public sealed class ZeroShotClassifierTests : IDisposable
{
    /// <summary>Float32 tolerance of comparisons between batched and one-by-one encodings.</summary>
    private const double Tolerance = 1e-5;

    private static readonly string[] Classes = ["cat", "dog", "red sports car", "teapot"];
    private static readonly string[] Templates = ["a photo of a {}.", "a drawing of a {}.", "{}"];
    private static readonly ClipTokenizer Tokenizer = ClipTokenizer.CreateDefault();

    private readonly ClipModel _model;

    public ZeroShotClassifierTests()
    {
        manual_seed(7);
        _model = ClipModel.Create(ClipPresets.Get(ClipPresets.VitTiny));
        _model.eval();
    }

    public void Dispose() => _model.Dispose();

    private static Image<Rgb24> Solid(byte r, byte g, byte b) => new(40, 48, new Rgb24(r, g, b));

    [Fact]
    public void ClassWeights_PromptEnsemble_MatchesDirectComputation()
    {
        using var scope = NewDisposeScope();

        // Batches of 2 mix classes and templates, and cut rows to different lengths.
        using var classifier = new ZeroShotClassifier(_model, Tokenizer, Classes, Templates, new ZeroShotOptions { TextBatchSize = 2 });

        // Direct: each prompt alone at the full context length, normalised, averaged per class, normalised.
        var expected = new List<Tensor>();
        foreach (string name in Classes)
        {
            var embeddings = Templates.Select(template =>
            {
                Tensor tokens = Tokenizer.Tokenize(template.Replace("{}", name));
                Tensor feature = _model.EncodeText(tokens)[0];
                return feature.div(feature.norm());
            }).ToArray();
            Tensor mean = stack(embeddings).mean([0L]);
            expected.Add(mean.div(mean.norm()));
        }

        Tensor direct = stack(expected);
        Assert.True(
            classifier.ClassWeights.allclose(direct, rtol: 0, atol: Tolerance),
            $"largest difference {classifier.ClassWeights.sub(direct).abs().max().item<float>()}");
    }

    [Fact]
    public void ClassWeights_Rows_AreUnitNorm()
    {
        using var scope = NewDisposeScope();
        using var classifier = new ZeroShotClassifier(_model, Tokenizer, Classes, Templates);

        Tensor norms = classifier.ClassWeights.norm(1);

        Assert.True(norms.allclose(ones(Classes.Length), rtol: 0, atol: Tolerance));
    }

    [Fact]
    public void Classify_Pixels_MatchesScaledCosineSoftmax()
    {
        using var scope = NewDisposeScope();
        using var classifier = new ZeroShotClassifier(_model, Tokenizer, Classes, Templates, new ZeroShotOptions { TopK = 3, ImageBatchSize = 2 });
        Tensor pixels = randn(3, 3, 32, 32, generator: new Generator(3));

        IReadOnlyList<ZeroShotPrediction> predictions = classifier.Classify(pixels);

        Tensor image = _model.EncodeImage(pixels, normalize: true);
        Tensor probabilities = image.mm(classifier.ClassWeights.t()).mul(ZeroShotOptions.DefaultLogitScale).softmax(1);
        Assert.Equal(3, predictions.Count);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(3, predictions[i].TopLabels.Count);
            foreach (ZeroShotLabel label in predictions[i].TopLabels)
            {
                Assert.Equal(probabilities[i, label.ClassIndex].item<float>(), label.Probability, Tolerance);
                Assert.Equal(Classes[label.ClassIndex], label.Label);
            }

            Assert.Equal(probabilities[i].argmax().item<long>(), predictions[i].TopLabels[0].ClassIndex);
            Assert.True(predictions[i].TopLabels.Zip(predictions[i].TopLabels.Skip(1)).All(pair => pair.First.Probability >= pair.Second.Probability));
        }
    }

    [Fact]
    public void Classify_TopKAboveClassCount_ReturnsAllClasses()
    {
        using var scope = NewDisposeScope();
        using var classifier = new ZeroShotClassifier(_model, Tokenizer, Classes, Templates, new ZeroShotOptions { TopK = 10 });

        ZeroShotPrediction prediction = classifier.Classify(randn(1, 3, 32, 32))[0];

        Assert.Equal(Classes.Length, prediction.TopLabels.Count);
        Assert.Equal(1.0, prediction.TopLabels.Sum(l => l.Probability), 4);
    }

    [Fact]
    public void Classify_Images_MatchesPreprocessedPixels()
    {
        using var scope = NewDisposeScope();
        using var classifier = new ZeroShotClassifier(_model, Tokenizer, Classes, Templates);
        using Image<Rgb24> red = Solid(200, 20, 20);
        using Image<Rgb24> blue = Solid(20, 20, 200);
        var preprocessor = new ImagePreprocessor(ImagePreprocessorOptions.Reference(32));

        IReadOnlyList<ZeroShotPrediction> fromImages = classifier.Classify([red, blue]);
        IReadOnlyList<ZeroShotPrediction> fromPixels = classifier.Classify(stack([preprocessor.Preprocess(red), preprocessor.Preprocess(blue)]));

        Assert.Equal(fromPixels.Select(p => p.Label), fromImages.Select(p => p.Label));
        Assert.Equal(fromPixels[1].Probability, fromImages[1].Probability, Tolerance);
    }

    [Fact]
    public void Classify_Files_MatchesImages()
    {
        using var scope = NewDisposeScope();
        using var folder = new TemporaryFolder();
        using Image<Rgb24> green = Solid(20, 180, 40);
        string path = folder.Combine("green.png");
        green.SaveAsPng(path);
        using var classifier = new ZeroShotClassifier(_model, Tokenizer, Classes, Templates);

        ZeroShotPrediction fromFile = classifier.Classify(path);
        ZeroShotPrediction fromImage = classifier.Classify(green);

        Assert.Equal(fromImage.TopLabels, fromFile.TopLabels);
    }

    [Fact]
    public void ZeroShotClassify_Convenience_MatchesClassifier()
    {
        using var scope = NewDisposeScope();
        using Image<Rgb24> image = Solid(90, 60, 30);
        using var classifier = new ZeroShotClassifier(_model, Tokenizer, Classes, PromptTemplates.General);

        ZeroShotPrediction expected = classifier.Classify(image);
        ZeroShotPrediction actual = _model.ZeroShotClassify([image], Classes)[0];

        Assert.Equal(expected.TopLabels, actual.TopLabels);
    }

    [Fact]
    public void Constructor_TrainingModel_IsRestoredToTraining()
    {
        using var scope = NewDisposeScope();
        _model.train();

        using var classifier = new ZeroShotClassifier(_model, Tokenizer, Classes, Templates);

        Assert.True(_model.training);
    }

    [Theory]
    [InlineData("a photo of a cat.")]
    [InlineData("a {} next to a {}.")]
    public void Constructor_TemplateWithoutOnePlaceholder_NamesTemplate(string template)
    {
        var error = Assert.Throws<ArgumentException>(() => new ZeroShotClassifier(_model, Tokenizer, Classes, ["a photo of a {}.", template]));

        Assert.Contains($"\"{template}\"", error.Message);
        Assert.Equal("templates", error.ParamName);
    }

    [Fact]
    public void Constructor_RepeatedClassName_IsRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => new ZeroShotClassifier(_model, Tokenizer, ["cat", "cat"], Templates));

        Assert.Contains("\"cat\" appears more than once", error.Message);
    }

    [Fact]
    public void Constructor_PromptLongerThanContext_NamesPrompt()
    {
        string longName = string.Join(' ', Enumerable.Repeat("cat", 80));

        var error = Assert.Throws<ArgumentException>(() => new ZeroShotClassifier(_model, Tokenizer, [longName], ["{}"]));

        Assert.Contains("more than the model's context length of 77", error.Message);
    }

    [Fact]
    public void PromptTemplates_BuiltInSets_HaveOnePlaceholderAndNoRepeats()
    {
        foreach (IReadOnlyList<string> set in new[] { PromptTemplates.General, PromptTemplates.Icons, PromptTemplates.Single })
        {
            PromptTemplates.Validate(set);
            Assert.Equal(set.Count, set.Distinct().Count());
        }

        Assert.Equal(20, PromptTemplates.General.Count);
    }

    [Fact]
    public void Evaluator_ImageFolder_ReportsEveryImage()
    {
        using var scope = NewDisposeScope();
        using var folder = new TemporaryFolder();
        foreach ((string name, Rgb24 color) in new[] { ("cat", new Rgb24(200, 10, 10)), ("dog", new Rgb24(10, 200, 10)) })
        {
            for (int i = 0; i < 3; i++)
            {
                using var image = new Image<Rgb24>(36, 36, color);
                image.SaveAsPng(folder.Combine($"{name}/{i}.png"));
            }
        }

        ImageFolderDataset dataset = ImageFolderDataset.Open(folder.Path);
        using var classifier = new ZeroShotClassifier(_model, Tokenizer, dataset.ClassNames, Templates, new ZeroShotOptions { ImageBatchSize = 4 });
        var preprocessor = new ImagePreprocessor(ImagePreprocessorOptions.Reference(32));
        var reports = new List<EvaluationProgress>();

        ClassificationReport report = ZeroShotEvaluator.Evaluate(classifier, dataset, preprocessor, new ListProgress(reports));

        Assert.Equal(6, report.Count);
        Assert.Equal(6, report.ConfusionMatrix.Total);
        Assert.Equal([4, 6], reports.Select(r => r.Completed));
    }

    [Fact]
    public void ImageFeatures_Dataset_MatchesDirectEncoding()
    {
        using var scope = NewDisposeScope();
        using var folder = new TemporaryFolder();
        for (int i = 0; i < 3; i++)
        {
            using var image = new Image<Rgb24>(36, 36, new Rgb24((byte)(60 * i), 90, 30));
            image.SaveAsPng(folder.Combine($"only/{i}.png"));
        }

        ImageFolderDataset dataset = ImageFolderDataset.Open(folder.Path);
        var preprocessor = new ImagePreprocessor(ImagePreprocessorOptions.Reference(32));

        Tensor features = ImageFeatures.Encode(_model, dataset, preprocessor, batchSize: 2);

        Tensor direct = _model.EncodeImage(preprocessor.PreprocessBatch(dataset.ImagePaths));
        Assert.True(features.allclose(direct, rtol: 0, atol: Tolerance));
    }

    [Fact]
    public void RetrievalEvaluator_CaptionedCsv_CountsImagesOnce()
    {
        using var scope = NewDisposeScope();
        using var folder = new TemporaryFolder();
        for (int i = 0; i < 2; i++)
        {
            using var image = new Image<Rgb24>(36, 36, new Rgb24((byte)(100 * i), 50, 50));
            image.SaveAsPng(folder.Combine($"images/{i}.png"));
        }

        string csv = folder.Write("captions.csv", "filepath,title\nimages/0.png,a dark square\nimages/1.png,a red square\nimages/0.png,\"a dark, plain square\"\n");
        var preprocessor = new ImagePreprocessor(ImagePreprocessorOptions.Reference(32));

        RetrievalReport report = RetrievalEvaluator.Evaluate(_model, Tokenizer, preprocessor, CaptionedDataset.Open(csv), [1, 2, 3]);

        // Two images and three captions: every image finds a caption in the top 3, every caption its image in the top 2.
        Assert.Equal((2, 3), (report.Images, report.Texts));
        Assert.Equal(1.0, report.ImageToTextRecall[3]);
        Assert.Equal(1.0, report.TextToImageRecall[2]);
    }

    private sealed class ListProgress(List<EvaluationProgress> reports) : IProgress<EvaluationProgress>
    {
        public void Report(EvaluationProgress value) => reports.Add(value);
    }
}
