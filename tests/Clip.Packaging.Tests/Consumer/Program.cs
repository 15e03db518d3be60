// A user's console application: loads a model that the library saved and classifies one image
// zero-shot, with the three lines the package readme shows.
// Usage: ClipConsumer MODEL_FOLDER IMAGE TEMPLATE LABEL...   (TEMPLATE holds one "{}", e.g. "a photo of a {}.")
string modelPath = args[0];
string imagePath = args[1];
string template = args[2];
string[] labels = args[3..];

using var model = Clip.ClipModel.FromPretrained(modelPath);
var prediction = model.ZeroShotClassify([imagePath], labels, [template])[0];
Console.WriteLine($"best: {prediction.Label} ({prediction.Probability:P1})");
