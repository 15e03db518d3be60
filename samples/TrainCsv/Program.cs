// Training from scratch on a captioned CSV file. The file has a header and the columns image,caption.
// Image paths are relative to the CSV file, and fields must not contain commas.
// Usage: dotnet run --project samples/TrainCsv -- <captions.csv> <output folder> [steps] [preset]
using Clip;
using Clip.Modeling;
using Clip.Text;
using Clip.Training;

if (args.Length < 2)
{
    Console.Error.WriteLine("Usage: TrainCsv <captions.csv> <output folder> [steps] [preset]");
    return 2;
}

string csv = Path.GetFullPath(args[0]);
int steps = args.Length > 2 ? int.Parse(args[2]) : 100;
string preset = args.Length > 3 ? args[3] : ClipPresets.ResNetTiny;

// Group the captions of each image, so every draw picks one of them at random.
var examples = File.ReadLines(csv)
    .Skip(1)
    .Select(line => line.Split(',', 2))
    .GroupBy(fields => fields[0], fields => fields[1])
    .Select(group => TrainingExample.FromFile(Path.Combine(Path.GetDirectoryName(csv)!, group.Key), group.ToList()))
    .ToList();

using var model = ClipModel.Create(ClipPresets.Get(preset));
var options = new TrainingOptions
{
    BatchSize = Math.Min(32, examples.Count),
    Epochs = steps,
    MaxSteps = steps,
    LearningRate = 1e-3,
    LogEverySteps = 10,
};

var progress = new Progress<TrainingProgress>(p => Console.WriteLine($"step {p.Step}/{p.TotalSteps} loss {p.Loss:F3}"));
TrainingResult result = model.Train(ClipTokenizer.CreateDefault(), new TrainingDataset(examples), options, progress: progress);

model.SavePretrained(args[1]);
Console.WriteLine($"Trained {result.Steps} steps on {examples.Count} images; saved to {args[1]}.");
return 0;
