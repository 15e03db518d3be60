using Clip.Modeling;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Clip.Tests.Modeling;

public sealed class ClipModelInputValidationTests : IDisposable
{
    private readonly ClipModel _model = ClipModel.Create(ClipPresets.Get(ClipPresets.VitTiny));

    public ClipModelInputValidationTests()
    {
        _model.eval();
    }

    public void Dispose() => _model.Dispose();

    [Fact]
    public void EncodeImage_WrongResolution_NamesShapes()
    {
        using var scope = NewDisposeScope();

        var error = Assert.Throws<ArgumentException>(() => _model.EncodeImage(randn(2, 3, 64, 64)));

        Assert.Contains("[B, 3, 32, 32]", error.Message);
        Assert.Contains("[2, 3, 64, 64]", error.Message);
        Assert.Equal("pixels", error.ParamName);
    }

    [Fact]
    public void EncodeImage_WrongChannels_NamesShapes()
    {
        using var scope = NewDisposeScope();

        var error = Assert.Throws<ArgumentException>(() => _model.EncodeImage(randn(2, 1, 32, 32)));

        Assert.Contains("[B, 3, 32, 32]", error.Message);
        Assert.Contains("[2, 1, 32, 32]", error.Message);
    }

    [Fact]
    public void EncodeImage_ThreeDimensions_IsRejected()
    {
        using var scope = NewDisposeScope();

        var error = Assert.Throws<ArgumentException>(() => _model.EncodeImage(randn(3, 32, 32)));

        Assert.Contains("[3, 32, 32]", error.Message);
    }

    [Fact]
    public void EncodeImage_IntegerPixels_NamesDtype()
    {
        using var scope = NewDisposeScope();

        var error = Assert.Throws<ArgumentException>(() => _model.EncodeImage(zeros(1, 3, 32, 32, dtype: ScalarType.Byte)));

        Assert.Contains("Byte", error.Message);
    }

    [Fact]
    public void EncodeText_IdOutsideVocabulary_NamesRange()
    {
        using var scope = NewDisposeScope();
        var tokens = ClipModelTests.Tokens(_model, 1);
        tokens[0, 3] = 49408L;

        var error = Assert.Throws<ArgumentException>(() => _model.EncodeText(tokens));

        Assert.Contains("[0, 49407]", error.Message);
        Assert.Contains("49408", error.Message);
    }

    [Fact]
    public void EncodeText_NegativeId_NamesRange()
    {
        using var scope = NewDisposeScope();
        var tokens = ClipModelTests.Tokens(_model, 1);
        tokens[0, 5] = -1L;

        var error = Assert.Throws<ArgumentException>(() => _model.EncodeText(tokens));

        Assert.Contains("[-1,", error.Message);
    }

    [Fact]
    public void EncodeText_TooManyTokens_NamesContext()
    {
        using var scope = NewDisposeScope();
        var tokens = zeros(1, 78, dtype: ScalarType.Int64);
        tokens[0, 1] = 49407L;

        var error = Assert.Throws<ArgumentException>(() => _model.EncodeText(tokens));

        Assert.Contains("77", error.Message);
        Assert.Contains("[1, 78]", error.Message);
    }

    [Fact]
    public void EncodeText_Int32Tokens_NamesDtype()
    {
        using var scope = NewDisposeScope();
        var tokens = ClipModelTests.Tokens(_model, 1).to(ScalarType.Int32);

        var error = Assert.Throws<ArgumentException>(() => _model.EncodeText(tokens));

        Assert.Contains("int64", error.Message);
        Assert.Contains("Int32", error.Message);
    }

    [Fact]
    public void EncodeText_RowWithoutEndToken_NamesRow()
    {
        using var scope = NewDisposeScope();
        var tokens = ClipModelTests.Tokens(_model, 3);
        tokens[1] = zeros(77, dtype: ScalarType.Int64);

        var error = Assert.Throws<ArgumentException>(() => _model.EncodeText(tokens));

        Assert.Contains("Row 1", error.Message);
        Assert.Contains("49407", error.Message);
    }

    [Fact]
    public void Forward_DifferentBatchSizes_NamesBoth()
    {
        using var scope = NewDisposeScope();

        var error = Assert.Throws<ArgumentException>(() => _model.forward(randn(2, 3, 32, 32), ClipModelTests.Tokens(_model, 3)));

        Assert.Contains("2", error.Message);
        Assert.Contains("3", error.Message);
    }
}
