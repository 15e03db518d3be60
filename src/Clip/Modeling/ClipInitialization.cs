using TorchSharp;
using static TorchSharp.torch;

namespace Clip.Modeling;

/// <summary>
/// The reference initialisation scheme of CLIP, applied on top of each layer's own default initialisation.
/// </summary>
/// <remarks>
/// Text: token embedding N(0, 0.02²), positional embedding N(0, 0.01²), and per block with width D and L layers:
/// packed q/k/v weight std D^-0.5, attention output and MLP output std D^-0.5 (2L)^-0.5, MLP input std (2D)^-0.5;
/// text projection std D^-0.5. ResNet: attention-pool projections std C^-0.5 (C the pool width) and every
/// bottleneck's <c>bn3.weight</c> zero, so each residual branch starts as the identity. Logit scale ln(1 / 0.07).
/// </remarks>
internal static class ClipInitialization
{
    public static void Apply(ClipModel model, double tokenEmbeddingStd, double textPositionalStd, double initialTemperature)
    {
        using var gradMode = no_grad();
        var text = model.Config.Text;

        nn.init.normal_(model.token_embedding.weight!, 0.0, tokenEmbeddingStd);
        nn.init.normal_(model.positional_embedding, 0.0, textPositionalStd);

        if (model.visual is ModifiedResNet resnet)
        {
            InitializeResNet(resnet);
        }

        double attentionStd = Math.Pow(text.Width, -0.5);
        double projectionStd = attentionStd * Math.Pow(2.0 * text.Layers, -0.5);
        double fullyConnectedStd = Math.Pow(2.0 * text.Width, -0.5);
        foreach (var block in model.transformer.resblocks)
        {
            nn.init.normal_(block.attn.in_proj_weight, 0.0, attentionStd);
            nn.init.normal_(block.attn.out_proj.weight!, 0.0, projectionStd);
            nn.init.normal_(block.FullyConnected.weight!, 0.0, fullyConnectedStd);
            nn.init.normal_(block.OutputProjection.weight!, 0.0, projectionStd);
        }

        nn.init.normal_(model.text_projection, 0.0, attentionStd);
        model.logit_scale.Fill_(Math.Log(1.0 / initialTemperature));
    }

    private static void InitializeResNet(ModifiedResNet resnet)
    {
        var pool = resnet.attnpool;
        double std = Math.Pow(pool.c_proj.in_features, -0.5);
        nn.init.normal_(pool.q_proj.weight!, 0.0, std);
        nn.init.normal_(pool.k_proj.weight!, 0.0, std);
        nn.init.normal_(pool.v_proj.weight!, 0.0, std);
        nn.init.normal_(pool.c_proj.weight!, 0.0, std);

        foreach (var stage in resnet.Stages)
        {
            foreach (var module in stage.children())
            {
                ((Bottleneck)module).bn3.weight!.zero_();
            }
        }
    }
}
