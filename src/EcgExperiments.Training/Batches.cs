using System.Buffers;
using EcgExperiments.Pipeline;
using EcgExperiments.Torch;

namespace EcgExperiments.Training;

/// <summary>Builds minibatch tensors from the rows of an <see cref="EcgDataView"/> with one copy into native memory.</summary>
public static class Batches
{
    /// <summary>
    /// The rows' signals as a B × ItemShape float tensor on <paramref name="device"/>. A lazy view computes the rows
    /// here (e.g. renders their spectrogram images), so a training set larger than memory streams batch by batch.
    /// </summary>
    /// <remarks>
    /// The staging buffer is pooled: a batch of 200 images of 3 × 64 × 64 is a 9.8 MB large-object allocation, and a
    /// fresh one per batch left gigabytes of large-object garbage between full collections. The tensor copies the values.
    /// </remarks>
    public static Tensor Inputs(EcgDataView data, ReadOnlySpan<int> rows, Device device)
    {
        long size = data.Ecg.ItemSize;
        int total = checked((int)(rows.Length * size));
        var buffer = ArrayPool<float>.Shared.Rent(total);
        try
        {
            data.ReadSignals(rows, buffer.AsSpan(0, total));
            return torch.tensor((ReadOnlySpan<float>)buffer.AsSpan(0, total), [rows.Length, .. data.Ecg.ItemShape], device);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    /// <summary>The rows' class indices as an int64 tensor.</summary>
    public static Tensor Labels(EcgDataView data, ReadOnlySpan<int> rows, Device device)
    {
        var labels = new long[rows.Length];
        for (int i = 0; i < rows.Length; i++) labels[i] = data.Index.Labels[rows[i]];
        return torch.tensor(labels, device: device);
    }

    /// <summary>Multi-label rows' label sets as a float tensor [B, k] of 0/1.</summary>
    public static Tensor Targets(EcgDataView data, ReadOnlySpan<int> rows, Device device)
    {
        var sets = data.Index.LabelSets ?? throw new InvalidOperationException("the data carries one class per example, not label sets");
        int k = data.Ecg.ClassNames.Count;
        var targets = new float[rows.Length * k];
        for (int i = 0; i < rows.Length; i++)
            for (int l = 0; l < k; l++) targets[i * k + l] = sets[rows[i]][l] ? 1 : 0;
        return torch.tensor(targets, [rows.Length, k], device);
    }

    /// <summary>Consecutive index ranges [0, n) of at most <paramref name="batchSize"/>.</summary>
    public static IEnumerable<int[]> Sequential(int n, int batchSize)
    {
        for (int start = 0; start < n; start += batchSize)
            yield return Enumerable.Range(start, Math.Min(batchSize, n - start)).ToArray();
    }
}
