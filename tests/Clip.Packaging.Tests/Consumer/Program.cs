// A user's console application: loads a model that the library saved, then classifies one image
// zero-shot among the captions given on the command line.
// Usage: ClipConsumer MODEL_FOLDER IMAGE CAPTION...
using Clip;
using Clip.Imaging;
using Clip.Text;
using TorchSharp;

// Cosine similarities are scaled by 100 before the softmax, as CLIP's zero-shot evaluation does.
const float LogitScale = 100f;

string modelPath = args[0];
string imagePath = args[1];
string[] captions = args[2..];

using var model = ClipModel.FromPretrained(modelPath);
var tokenizer = ClipTokenizer.CreateDefault();
var preprocessor = new ImagePreprocessor(ImagePreprocessorOptions.Reference(model.Config.Vision.ImageResolution));

using var scope = torch.NewDisposeScope();
var image = model.EncodeImage(preprocessor.Preprocess(imagePath).unsqueeze(0), normalize: true);  // [1, E]
var tokens = tokenizer.Tokenize(captions, new ClipTokenizeOptions { ContextLength = model.Config.Text.ContextLength });
var texts = model.EncodeText(tokens, normalize: true);                                             // [N, E]
float[] probabilities = (LogitScale * image.matmul(texts.t())).softmax(-1)[0].data<float>().ToArray(); // [1, E] x [E, N] -> [N]

int best = Array.IndexOf(probabilities, probabilities.Max());
for (int i = 0; i < captions.Length; i++)
{
    Console.WriteLine($"{probabilities[i]:F4}  {captions[i]}");
}

Console.WriteLine($"best: {captions[best]}");
