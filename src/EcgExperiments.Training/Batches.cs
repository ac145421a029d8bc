using EcgExperiments.Pipeline;
using EcgExperiments.Torch;

namespace EcgExperiments.Training;

/// <summary>Builds minibatch tensors from examples with one copy into native memory.</summary>
public static class Batches
{
    /// <summary>Stacks the examples' values into a B × ItemShape float tensor on <paramref name="device"/>.</summary>
    public static Tensor Inputs(DataView data, ReadOnlySpan<int> indices, Device device)
    {
        long size = data.Schema.ItemSize;
        var buffer = new float[indices.Length * size];
        for (int i = 0; i < indices.Length; i++)
            data.Examples[indices[i]].Values.AsSpan().CopyTo(buffer.AsSpan((int)(i * size), (int)size));
        return torch.tensor(buffer, [indices.Length, .. data.Schema.ItemShape], device);
    }

    public static Tensor Labels(DataView data, ReadOnlySpan<int> indices, Device device)
    {
        var labels = new long[indices.Length];
        for (int i = 0; i < indices.Length; i++) labels[i] = data.Examples[indices[i]].Label;
        return torch.tensor(labels, device: device);
    }

    /// <summary>Consecutive index ranges [0, n) of at most <paramref name="batchSize"/>.</summary>
    public static IEnumerable<int[]> Sequential(int n, int batchSize)
    {
        for (int start = 0; start < n; start += batchSize)
            yield return Enumerable.Range(start, Math.Min(batchSize, n - start)).ToArray();
    }
}
