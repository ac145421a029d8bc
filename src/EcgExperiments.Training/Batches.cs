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
    /// The values are written straight into the new tensor's memory: no staging buffer, one copy per value. (A managed
    /// buffer per batch — 9.8 MB for 200 images of 3 × 64 × 64 — left gigabytes of large-object garbage between full
    /// collections: 13.3 GB peak for one epoch of the full §2.2 experiment, whose live images are 5.4 GB.)
    /// </remarks>
    public static Tensor Inputs(EcgDataView data, ReadOnlySpan<int> rows, Device device)
    {
        var batch = torch.empty([rows.Length, .. data.Ecg.ItemShape]);
        try
        {
            data.ReadSignals(rows, batch.AsSpan<float>());
        }
        catch
        {
            batch.Dispose();
            throw;
        }
        if (!device.IsCuda) return batch;
        var moved = batch.to(device);
        batch.Dispose();
        return moved;
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
