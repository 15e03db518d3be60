using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Clip.Modeling;

/// <summary>
/// CLIP's modified ResNet: a three-convolution stem with a 2x2 average pool, four bottleneck stages that
/// downsample by average pooling, and attention pooling to the joint embedding.
/// </summary>
/// <remarks>
/// Keys: <c>conv1..3</c>, <c>bn1..3</c> (stem), <c>layer1..4.&lt;i&gt;.*</c>, <c>attnpool.*</c>.
/// Shapes: B batch, R resolution, W base width; the stem gives [B, W, R/4, R/4], stage 4 [B, 32W, R/32, R/32].
/// </remarks>
public sealed class ModifiedResNet : nn.Module<Tensor, Tensor>
{
    /// <summary>Stem convolution 3 to W/2, 3x3, stride 2.</summary>
    internal Conv2d conv1;

    /// <summary>Stem norm 1.</summary>
    internal BatchNorm2d bn1;

    /// <summary>Stem activation 1.</summary>
    internal ReLU relu1;

    /// <summary>Stem convolution W/2 to W/2, 3x3.</summary>
    internal Conv2d conv2;

    /// <summary>Stem norm 2.</summary>
    internal BatchNorm2d bn2;

    /// <summary>Stem activation 2.</summary>
    internal ReLU relu2;

    /// <summary>Stem convolution W/2 to W, 3x3.</summary>
    internal Conv2d conv3;

    /// <summary>Stem norm 3.</summary>
    internal BatchNorm2d bn3;

    /// <summary>Stem activation 3.</summary>
    internal ReLU relu3;

    /// <summary>Stem 2x2 average pool.</summary>
    internal AvgPool2d avgpool;

    /// <summary>Stage 1, W planes.</summary>
    internal Sequential layer1;

    /// <summary>Stage 2, 2W planes, stride 2.</summary>
    internal Sequential layer2;

    /// <summary>Stage 3, 4W planes, stride 2.</summary>
    internal Sequential layer3;

    /// <summary>Stage 4, 8W planes, stride 2.</summary>
    internal Sequential layer4;

    /// <summary>Attention pooling to the joint embedding.</summary>
    internal AttentionPool2d attnpool;

    private const int StemPool = 2;
    private const int StageStride = 2;

    /// <summary>
    /// Inference runs at most this many elements of the largest activation (the stem's [W, R/2, R/2]) at a time:
    /// eight RN50 images. One RN50 batch of 32 on 2 cores ran at 6.6 images/s in float32 and 24 in bfloat16;
    /// the same images in chunks of 8 ran at 13.8 and 31 (docs/benchmarks.md).
    /// NOTE: the size was timed for RN50 on one 2-core machine only. RN50x4, RN50x16 and RN50x64 get chunks of
    /// 3, 1 and 1 images from the same budget, and those were not timed.
    /// </summary>
    private const long InferenceChunkElements = 8L * 64 * 112 * 112;

    /// <summary>Creates the encoder with PyTorch's default initialisation of each layer.</summary>
    /// <param name="config">A modified ResNet configuration.</param>
    /// <param name="embedDim">Joint embedding width E.</param>
    /// <param name="device">Device of the parameters; null means CPU.</param>
    public ModifiedResNet(VisionConfig config, int embedDim, Device? device = null)
        : base(nameof(ModifiedResNet))
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.Architecture != VisionArchitecture.ModifiedResNet)
        {
            throw new ArgumentException($"Expected a {VisionArchitecture.ModifiedResNet} configuration, got {config.Architecture}.", nameof(config));
        }

        Config = config;
        int width = config.Width;
        int half = width / 2;

        conv1 = nn.Conv2d(3, half, kernel_size: 3, stride: 2, padding: 1, bias: false, device: device);
        bn1 = nn.BatchNorm2d(half, device: device);
        relu1 = nn.ReLU();
        conv2 = nn.Conv2d(half, half, kernel_size: 3, padding: 1, bias: false, device: device);
        bn2 = nn.BatchNorm2d(half, device: device);
        relu2 = nn.ReLU();
        conv3 = nn.Conv2d(half, width, kernel_size: 3, padding: 1, bias: false, device: device);
        bn3 = nn.BatchNorm2d(width, device: device);
        relu3 = nn.ReLU();
        avgpool = nn.AvgPool2d(StemPool);

        int inplanes = width;
        layer1 = MakeStage(ref inplanes, width, config.Layers[0], stride: 1, device);
        layer2 = MakeStage(ref inplanes, width * 2, config.Layers[1], StageStride, device);
        layer3 = MakeStage(ref inplanes, width * 4, config.Layers[2], StageStride, device);
        layer4 = MakeStage(ref inplanes, width * 8, config.Layers[3], StageStride, device);

        attnpool = new AttentionPool2d(config.GridSize, config.AttentionWidth, config.Heads, embedDim, device);
        long stemElements = (long)width * (config.ImageResolution / 2) * (config.ImageResolution / 2);
        InferenceChunkSize = Math.Max(1, InferenceChunkElements / stemElements);
        RegisterComponents();
    }

    /// <summary>The configuration this encoder was built from.</summary>
    public VisionConfig Config { get; }

    /// <summary>
    /// Images per pass when no graph is recorded in eval mode: larger batches are run in chunks of this size,
    /// whose activations stay small enough for the CPU's caches. Training mode never splits a batch, since
    /// BatchNorm then normalises with the statistics of the whole batch.
    /// </summary>
    internal long InferenceChunkSize { get; set; }

    /// <summary>The four stages, in order.</summary>
    internal IEnumerable<Sequential> Stages => new[] { layer1, layer2, layer3, layer4 };

    /// <summary>Encodes normalised pixels [B, 3, R, R] into image features [B, E].</summary>
    /// <param name="pixels">Input images in the model's dtype and device.</param>
    /// <returns>[B, E]; the caller owns it.</returns>
    public override Tensor forward(Tensor pixels)
    {
        long batch = pixels.shape[0];
        if (training || is_grad_enabled() || batch <= InferenceChunkSize)
        {
            return ForwardBatch(pixels);
        }

        // In eval mode every image is encoded on its own (BatchNorm uses its running statistics), so chunks give
        // the same features as one pass.
        using var scope = NewDisposeScope();
        var parts = new List<Tensor>();
        for (long start = 0; start < batch; start += InferenceChunkSize)
        {
            parts.Add(ForwardBatch(pixels.narrow(0, start, Math.Min(InferenceChunkSize, batch - start))));
        }

        return cat(parts, dim: 0).MoveToOuterDisposeScope(); // [B, E]
    }

    private Tensor ForwardBatch(Tensor pixels)
    {
        using var scope = NewDisposeScope();
        var x = pixels;
        if (x.dtype == ScalarType.BFloat16)
        {
            // Channels-last (NHWC) strides, which every later convolution, norm and pool keeps: oneDNN's bfloat16
            // convolutions then skip their layout reorders (RN50 at batch 4 on 2 cores: about 20% faster; float32
            // showed no gain, so it keeps the default layout).
            x = x.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2); // [B, 3, R, R] in NHWC memory order
        }

        x = relu1.call(BatchNorms.Apply(bn1, conv1.call(x)));
        x = relu2.call(BatchNorms.Apply(bn2, conv2.call(x)));
        x = relu3.call(BatchNorms.Apply(bn3, conv3.call(x)));
        x = avgpool.call(x);                          // [B, W, R/4, R/4]

        x = layer1.call(x);
        x = layer2.call(x);
        x = layer3.call(x);
        x = layer4.call(x);                           // [B, 32W, R/32, R/32]

        return attnpool.call(x).MoveToOuterDisposeScope(); // [B, E]
    }

    private static Sequential MakeStage(ref int inplanes, int planes, int blocks, int stride, Device? device)
    {
        var stage = new List<nn.Module<Tensor, Tensor>> { new Bottleneck(inplanes, planes, stride, device) };
        inplanes = planes * Bottleneck.Expansion;
        for (int i = 1; i < blocks; i++)
        {
            stage.Add(new Bottleneck(inplanes, planes, 1, device));
        }

        return nn.Sequential(stage);
    }
}
