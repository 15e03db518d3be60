using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Clip.Modeling;

/// <summary>
/// The bottleneck block of CLIP's modified ResNet: 1x1, 3x3, (average pool when strided), 1x1 with expansion 4.
/// </summary>
/// <remarks>
/// Every convolution has stride 1; a stride-2 block average-pools before its last convolution instead, and its
/// shortcut is average pool, 1x1 convolution, BatchNorm (keys <c>downsample.0</c>, <c>downsample.1</c>; the pool
/// is the parameterless child <c>-1</c>).
/// </remarks>
public sealed class Bottleneck : nn.Module<Tensor, Tensor>
{
    /// <summary>Output channels per planes.</summary>
    public const int Expansion = 4;

    /// <summary>1x1 reduction.</summary>
    internal Conv2d conv1;

    /// <summary>Norm after conv1.</summary>
    internal BatchNorm2d bn1;

    /// <summary>Activation after bn1.</summary>
    internal ReLU relu1;

    /// <summary>3x3 convolution.</summary>
    internal Conv2d conv2;

    /// <summary>Norm after conv2.</summary>
    internal BatchNorm2d bn2;

    /// <summary>Activation after bn2.</summary>
    internal ReLU relu2;

    /// <summary>Average pool of the stride (identity when the stride is 1).</summary>
    internal nn.Module<Tensor, Tensor> avgpool;

    /// <summary>1x1 expansion.</summary>
    internal Conv2d conv3;

    /// <summary>Norm after conv3; the reference initialises its weight to zero.</summary>
    internal BatchNorm2d bn3;

    /// <summary>Activation after the residual sum.</summary>
    internal ReLU relu3;

    /// <summary>Shortcut projection, or null when the input already has the output shape.</summary>
    internal Sequential? downsample;

    /// <summary>Creates a block.</summary>
    /// <param name="inplanes">Input channels.</param>
    /// <param name="planes">Inner channels; the output has planes * 4.</param>
    /// <param name="stride">1, or the downsampling factor.</param>
    /// <param name="device">Device of the parameters; null means CPU.</param>
    public Bottleneck(int inplanes, int planes, int stride = 1, Device? device = null)
        : base(nameof(Bottleneck))
    {
        long outplanes = (long)planes * Expansion;
        conv1 = nn.Conv2d(inplanes, planes, kernel_size: 1, bias: false, device: device);
        bn1 = nn.BatchNorm2d(planes, device: device);
        relu1 = nn.ReLU();
        conv2 = nn.Conv2d(planes, planes, kernel_size: 3, padding: 1, bias: false, device: device);
        bn2 = nn.BatchNorm2d(planes, device: device);
        relu2 = nn.ReLU();
        avgpool = stride > 1 ? nn.AvgPool2d(stride) : nn.Identity();
        conv3 = nn.Conv2d(planes, outplanes, kernel_size: 1, bias: false, device: device);
        bn3 = nn.BatchNorm2d(outplanes, device: device);
        relu3 = nn.ReLU();

        if (stride > 1 || inplanes != outplanes)
        {
            downsample = nn.Sequential(
                ("-1", nn.AvgPool2d(stride)),
                ("0", nn.Conv2d(inplanes, outplanes, kernel_size: 1, stride: 1, bias: false, device: device)),
                ("1", nn.BatchNorm2d(outplanes, device: device)));
        }

        RegisterComponents();
    }

    /// <summary>Applies the block to [B, C, H, W].</summary>
    /// <param name="input">Feature map.</param>
    /// <returns>[B, planes * 4, H / stride, W / stride]; the caller owns it.</returns>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = relu1.call(BatchNorms.Apply(bn1, conv1.call(input)));
        x = relu2.call(BatchNorms.Apply(bn2, conv2.call(x)));
        x = avgpool.call(x);
        x = BatchNorms.Apply(bn3, conv3.call(x));

        var identity = downsample is null ? input : BatchNorms.ApplySequence(downsample, input);
        return relu3.call(x.Plus(identity)).MoveToOuterDisposeScope();
    }
}
