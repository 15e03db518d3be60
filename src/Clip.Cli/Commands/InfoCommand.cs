using System.CommandLine;
using Clip.Cli.Inference;
using Clip.Cli.Output;
using Clip.Modeling;
using Spectre.Console;

namespace Clip.Cli.Commands;

/// <summary><c>clip info</c>: describes a saved model.</summary>
public static class InfoCommand
{
    /// <summary>Builds the command.</summary>
    /// <param name="options">The common options.</param>
    /// <param name="console">Standard output.</param>
    public static Command Create(GlobalOptions options, IAnsiConsole console)
    {
        var model = new Argument<string>("model") { Description = "Folder or checkpoint file of a saved model." };
        var command = new Command("info", "Show a saved model's architecture, parameter count and tokenizer.") { model };
        command.SetAction(int (parseResult) =>
        {
            var context = new CommandContext(parseResult, options, console);
            using LoadedModel loaded = LoadedModel.Load(context.Get(model)!, TorchSettings.Apply(context));
            ModelSummary summary = ModelSummary.From(loaded);
            if (context.Json)
            {
                console.Profile.Out.Writer.WriteLine(System.Text.Json.JsonSerializer.Serialize(summary, JsonOutput.Options));
                return 0;
            }

            var table = new Table().AddColumns("property", "value").HideHeaders();
            table.AddRow("path", Markup.Escape(summary.Path));
            table.AddRow("image encoder", Markup.Escape(summary.Vision));
            table.AddRow("text encoder", Markup.Escape(summary.Text));
            table.AddRow("embedding width", summary.EmbedDim.ToString());
            table.AddRow("parameters", $"{summary.Parameters:N0} (image {summary.VisionParameters:N0}, text and shared {summary.Parameters - summary.VisionParameters:N0})");
            table.AddRow("tokenizer", Markup.Escape(summary.Tokenizer));
            table.AddRow("logit scale", summary.LogitScale.ToString("F2"));
            console.Write(table);
            return 0;
        });
        return command;
    }

    /// <summary>The facts <c>clip info</c> prints.</summary>
    internal sealed record ModelSummary(
        string Path,
        string Vision,
        string Text,
        int EmbedDim,
        long Parameters,
        long VisionParameters,
        string Tokenizer,
        double LogitScale)
    {
        public static ModelSummary From(LoadedModel loaded)
        {
            ClipConfig config = loaded.Model.Config;
            VisionConfig vision = config.Vision;
            string visionText = vision.Architecture == VisionArchitecture.VisionTransformer
                ? $"ViT, {vision.ImageResolution} px, patch {vision.PatchSize}, width {vision.Width}, {vision.Layers[0]} layers, {vision.Heads} heads"
                : $"modified ResNet, {vision.ImageResolution} px, width {vision.Width}, stages ({string.Join(", ", vision.Layers)}), {vision.Heads} heads";
            TextConfig text = config.Text;
            long parameters = loaded.Model.parameters().Sum(parameter => parameter.numel());
            long visionParameters = loaded.Model.ImageEncoder.parameters().Sum(parameter => parameter.numel());
            return new ModelSummary(
                loaded.Path,
                visionText,
                $"transformer, width {text.Width}, {text.Layers} layers, {text.Heads} heads, context {text.ContextLength}",
                config.EmbedDim,
                parameters,
                visionParameters,
                $"OpenAI byte-level BPE, {text.VocabSize:N0} tokens, rows of {text.ContextLength}",
                loaded.Model.LogitScale);
        }
    }
}
