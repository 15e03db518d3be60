using TorchSharp;

using var sum = torch.ones(3).sum();
Console.WriteLine($"sum {sum.item<float>()}");
Console.WriteLine("consumer: ok");
