namespace Clip.Data;

/// <summary>The two splits of MNIST-style IDX datasets.</summary>
public enum IdxSplit
{
    /// <summary>The training split (<c>train-images-idx3-ubyte</c>, <c>train-labels-idx1-ubyte</c>).</summary>
    Train,

    /// <summary>The test split (<c>t10k-images-idx3-ubyte</c>, <c>t10k-labels-idx1-ubyte</c>).</summary>
    Test,
}
