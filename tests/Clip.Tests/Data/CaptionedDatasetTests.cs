using Clip.Data;
using Xunit;

namespace Clip.Tests.Data;

public sealed class CaptionedDatasetTests : IDisposable
{
    private readonly TemporaryFolder _folder = new();

    public CaptionedDatasetTests()
    {
        _folder.Write("images/a.jpg", "not decoded by the reader");
        _folder.Write("images/b.jpg", "not decoded by the reader");
        _folder.Write("images/c d.jpg", "not decoded by the reader");
    }

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Csv_QuotedFields_FollowRfc4180()
    {
        string csv = "filepath,title,source\r\n"
            + "images/a.jpg,\"a dog, running\",web\r\n"
            + "images/b.jpg,\"she said \"\"hi\"\"\",book\r\n"
            + "\"images/c d.jpg\",\"two\r\nlines\",\"\"\r\n";
        string path = _folder.Write("data/../train.csv", csv);

        IReadOnlyList<CaptionedImage> records = CaptionedDataset.Open(path).ReadAll();

        Assert.Equal(3, records.Count);
        Assert.Equal("a dog, running", records[0].Caption);
        Assert.Equal("she said \"hi\"", records[1].Caption);
        Assert.Equal("two\r\nlines", records[2].Caption);
        Assert.Equal("", records[2].Extra!["source"]);
    }

    [Fact]
    public void Csv_RelativePaths_ResolveAgainstDataFile()
    {
        string path = _folder.Write("lists/train.csv", "filepath,title\n../images/a.jpg,a cat\n");

        CaptionedImage record = Assert.Single(CaptionedDataset.Open(path).ReadAll());

        Assert.Equal(Path.Combine(_folder.Path, "images", "a.jpg"), record.ImagePath);
    }

    [Fact]
    public void Csv_AbsolutePaths_AreKept()
    {
        string image = Path.Combine(_folder.Path, "images", "b.jpg");
        string path = _folder.Write("lists/train.csv", $"filepath,title\n{image},a cat\n");

        Assert.Equal(image, Assert.Single(CaptionedDataset.Open(path).ReadAll()).ImagePath);
    }

    [Fact]
    public void Csv_ConfiguredColumns_AreRead()
    {
        string path = _folder.Write("train.csv", "id,caption,image,class\n7,a red car,images/a.jpg,car\n");
        var options = new CaptionedDatasetOptions { ImagePathColumn = "image", CaptionColumn = "caption", LabelColumn = "class" };

        CaptionedImage record = Assert.Single(CaptionedDataset.Open(path, options).ReadAll());

        Assert.Equal("a red car", record.Caption);
        Assert.Equal("car", record.Label);
        Assert.Equal(new Dictionary<string, string> { ["id"] = "7" }, record.Extra);
    }

    [Fact]
    public void Csv_NoExtraColumns_HasNullExtra()
    {
        string path = _folder.Write("train.csv", "filepath,title\nimages/a.jpg,a cat\n");

        Assert.Null(Assert.Single(CaptionedDataset.Open(path).ReadAll()).Extra);
    }

    [Fact]
    public void Tsv_TabDelimiter_IsInferredFromExtension()
    {
        string path = _folder.Write("train.tsv", "filepath\ttitle\nimages/a.jpg\ta cat, sitting\nimages/b.jpg\t\"quoted\ttab\"\n");

        IReadOnlyList<CaptionedImage> records = CaptionedDataset.Open(path).ReadAll();

        Assert.Equal(["a cat, sitting", "quoted\ttab"], records.Select(r => r.Caption));
    }

    [Fact]
    public void Csv_BlankLinesAndMissingFinalNewline_AreAccepted()
    {
        string path = _folder.Write("train.csv", "filepath,title\n\nimages/a.jpg,one\n\nimages/b.jpg,two");

        Assert.Equal(["one", "two"], CaptionedDataset.Open(path).ReadAll().Select(r => r.Caption));
    }

    [Fact]
    public void Csv_MissingImage_NamesRowAndLine()
    {
        string path = _folder.Write("train.csv", "filepath,title\nimages/a.jpg,\"two\nlines\"\nimages/missing.jpg,gone\n");

        var error = Assert.Throws<FileNotFoundException>(() => CaptionedDataset.Open(path).ReadAll());

        Assert.Contains("row 2 (line 4)", error.Message);
        Assert.Contains("images/missing.jpg", error.Message);
    }

    [Fact]
    public void Csv_MissingImageNotRequired_IsReturned()
    {
        string path = _folder.Write("train.csv", "filepath,title\nimages/missing.jpg,gone\n");
        var options = new CaptionedDatasetOptions { RequireImageFiles = false };

        Assert.EndsWith("missing.jpg", Assert.Single(CaptionedDataset.Open(path, options).ReadAll()).ImagePath);
    }

    [Fact]
    public void Csv_MissingColumn_ListsHeaderColumns()
    {
        string path = _folder.Write("train.csv", "image,caption\nimages/a.jpg,a cat\n");

        var error = Assert.Throws<InvalidDataException>(() => CaptionedDataset.Open(path).ReadAll());

        Assert.Contains("no column 'filepath'", error.Message);
        Assert.Contains("'image', 'caption'", error.Message);
    }

    [Fact]
    public void Csv_WrongFieldCount_NamesRow()
    {
        string path = _folder.Write("train.csv", "filepath,title\nimages/a.jpg,a cat\nimages/b.jpg,a dog, running\n");

        var error = Assert.Throws<InvalidDataException>(() => CaptionedDataset.Open(path).ReadAll());

        Assert.Contains("row 2 (line 3)", error.Message);
        Assert.Contains("expected 2 fields", error.Message);
    }

    [Fact]
    public void Csv_UnclosedQuote_NamesStartLine()
    {
        string path = _folder.Write("train.csv", "filepath,title\nimages/a.jpg,\"never closed\nimages/b.jpg,b\n");

        var error = Assert.Throws<InvalidDataException>(() => CaptionedDataset.Open(path).ReadAll());

        Assert.Contains("line 2", error.Message);
        Assert.Contains("not closed", error.Message);
    }

    [Fact]
    public void Csv_TextAfterClosingQuote_IsRejected()
    {
        string path = _folder.Write("train.csv", "filepath,title\nimages/a.jpg,\"quoted\"tail\n");

        var error = Assert.Throws<InvalidDataException>(() => CaptionedDataset.Open(path).ReadAll());

        Assert.Contains("after a closing quote", error.Message);
    }

    [Fact]
    public void Csv_EmptyFile_IsRejected()
    {
        string path = _folder.Write("train.csv", "");

        Assert.Throws<InvalidDataException>(() => CaptionedDataset.Open(path).ReadAll());
    }

    [Fact]
    public void Enumeration_RereadsFile()
    {
        string path = _folder.Write("train.csv", "filepath,title\nimages/a.jpg,a cat\n");
        CaptionedDataset dataset = CaptionedDataset.Open(path);

        Assert.Single(dataset);
        File.AppendAllText(path, "images/b.jpg,a dog\n");

        Assert.Equal(2, dataset.Count());
    }

    [Fact]
    public void JsonLines_Records_AreRead()
    {
        string path = _folder.Write(
            "train.jsonl",
            "{\"filepath\": \"images/a.jpg\", \"title\": \"a \\\"cat\\\"\", \"label\": 3, \"score\": 0.5}\n\n"
            + "{\"title\": \"a dog\", \"filepath\": \"images/b.jpg\", \"label\": \"dog\"}\n");
        var options = new CaptionedDatasetOptions { LabelColumn = "label" };

        IReadOnlyList<CaptionedImage> records = CaptionedDataset.Open(path, options).ReadAll();

        Assert.Equal(2, records.Count);
        Assert.Equal("a \"cat\"", records[0].Caption);
        Assert.Equal("3", records[0].Label);
        Assert.Equal("0.5", records[0].Extra!["score"]);
        Assert.Equal("dog", records[1].Label);
        Assert.Equal(Path.Combine(_folder.Path, "images", "b.jpg"), records[1].ImagePath);
    }

    [Fact]
    public void JsonLines_MissingKey_NamesLineAndKeys()
    {
        string path = _folder.Write("train.jsonl", "{\"filepath\": \"images/a.jpg\", \"title\": \"a\"}\n{\"filepath\": \"images/b.jpg\", \"text\": \"b\"}\n");

        var error = Assert.Throws<InvalidDataException>(() => CaptionedDataset.Open(path).ReadAll());

        Assert.Contains("line 2", error.Message);
        Assert.Contains("no key 'title'", error.Message);
        Assert.Contains("'text'", error.Message);
    }

    [Fact]
    public void JsonLines_InvalidJson_NamesLine()
    {
        string path = _folder.Write("train.ndjson", "{\"filepath\": \"images/a.jpg\", \"title\": \"a\"}\n{\"filepath\": \n");

        var error = Assert.Throws<InvalidDataException>(() => CaptionedDataset.Open(path).ReadAll());

        Assert.Contains("line 2: invalid JSON", error.Message);
    }

    [Fact]
    public void JsonLines_NonStringCaption_IsRejected()
    {
        string path = _folder.Write("train.jsonl", "{\"filepath\": \"images/a.jpg\", \"title\": 5}\n");

        var error = Assert.Throws<InvalidDataException>(() => CaptionedDataset.Open(path).ReadAll());

        Assert.Contains("must be a JSON string", error.Message);
    }

    [Fact]
    public void JsonLines_MissingImage_NamesLine()
    {
        string path = _folder.Write("train.jsonl", "{\"filepath\": \"images/a.jpg\", \"title\": \"a\"}\n\n{\"filepath\": \"nope.jpg\", \"title\": \"b\"}\n");

        var error = Assert.Throws<FileNotFoundException>(() => CaptionedDataset.Open(path).ReadAll());

        Assert.Contains("line 3", error.Message);
    }

    [Fact]
    public void Open_UnknownExtension_AsksForFormat()
    {
        string path = _folder.Write("train.txt", "filepath,title\n");

        var error = Assert.Throws<ArgumentException>(() => CaptionedDataset.Open(path));

        Assert.Contains(nameof(CaptionedDatasetOptions.Format), error.Message);
    }

    [Fact]
    public void Open_ExplicitFormat_OverridesExtension()
    {
        string path = _folder.Write("train.txt", "filepath\ttitle\nimages/a.jpg\ta cat\n");

        CaptionedDataset dataset = CaptionedDataset.Open(path, new CaptionedDatasetOptions { Format = CaptionedFileFormat.Tsv });

        Assert.Equal("a cat", Assert.Single(dataset).Caption);
    }

    [Fact]
    public void Open_MissingDataFile_Throws()
    {
        Assert.Throws<FileNotFoundException>(() => CaptionedDataset.Open(Path.Combine(_folder.Path, "none.csv")));
    }

    [Fact]
    public void Options_EmptyColumnName_IsRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => new CaptionedDatasetOptions { CaptionColumn = " " });

        Assert.Equal(nameof(CaptionedDatasetOptions.CaptionColumn), error.ParamName);
    }
}
