using System.Buffers;
using System.Globalization;
using EcgExperiments.Core;

namespace EcgExperiments.Pipeline;

/// <summary>
/// What to do with input samples that are not finite numbers: NaN (WFDB's invalid-sample markers, gaps between
/// segments, NaN in .npy or text files) or infinities (values such as ±1e308 that overflow float32). Left alone they
/// reach the network and surface an hour later as "training loss became NaN", naming no record.
/// </summary>
public enum NonFinitePolicy
{
    /// <summary>Stop at the first such record, naming it, the lead and the sample (default).</summary>
    Error,
    /// <summary>Leave out every example that has one (counted and named in the log).</summary>
    Drop,
    /// <summary>Fill each run of them linearly from the finite samples on either side (the nearest one at an edge).</summary>
    Interpolate,
}

/// <summary>
/// Finds non-finite samples where the data is loaded, before any transform sees them, and applies a
/// <see cref="NonFinitePolicy"/>. Examples are named by their id (the record, or record/beat) and the lead by its name.
/// </summary>
/// <example><code>
/// var data = NonFiniteSamples.Apply(source.Load(), NonFinitePolicy.Drop, Console.WriteLine);
/// </code></example>
public static class NonFiniteSamples
{
    /// <summary>
    /// The view under <paramref name="policy"/>: checked as rows are read (error), without the examples that have
    /// non-finite samples (drop: every row is read once now), or with them filled (interpolate).
    /// </summary>
    /// <param name="view">A source's view (items are leads × samples).</param>
    /// <param name="policy">What to do.</param>
    /// <param name="report">Receives one line when examples are dropped.</param>
    /// <param name="cancel">Stops the scan of <see cref="NonFinitePolicy.Drop"/>.</param>
    public static EcgDataView Apply(EcgDataView view, NonFinitePolicy policy, Action<string>? report = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(view);
        return policy switch
        {
            NonFinitePolicy.Drop => Drop(view, report, cancel),
            _ => new ScreenedDataView(view, policy),
        };
    }

    /// <summary>The first non-finite sample of an item: (lead, sample), or null when every sample is finite.</summary>
    public static (int Lead, int Sample)? Find(ReadOnlySpan<float> item, int leads)
    {
        int length = item.Length / Math.Max(1, leads);
        for (int i = 0; i < item.Length; i++)
            if (!float.IsFinite(item[i])) return (i / Math.Max(1, length), i % Math.Max(1, length));
        return null;
    }

    private static EcgDataView Drop(EcgDataView view, Action<string>? report, CancellationToken cancel)
    {
        int size = (int)view.Ecg.ItemSize, leads = Leads(view.Ecg);
        const int chunk = 256;
        var keep = new List<int>(view.Count);
        var dropped = new List<string>();
        var buffer = ArrayPool<float>.Shared.Rent(chunk * size);
        try
        {
            for (int start = 0; start < view.Count; start += chunk)
            {
                cancel.ThrowIfCancellationRequested();
                int n = Math.Min(chunk, view.Count - start);
                var rows = Enumerable.Range(start, n).ToArray();
                view.ReadSignals(rows, buffer.AsSpan(0, n * size));
                for (int i = 0; i < n; i++)
                {
                    if (Find(buffer.AsSpan(i * size, size), leads) is { } at) dropped.Add($"{view.Index.Ids[start + i]} ({LeadName(view.Ecg, at.Lead)})");
                    else keep.Add(start + i);
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
        if (dropped.Count == 0) return view;
        if (keep.Count == 0)
            throw new EcgDataException($"every one of the {view.Count} examples has non-finite samples, so data.non_finite: drop leaves nothing; check the data files");
        const int shown = 10;
        report?.Invoke(string.Create(CultureInfo.InvariantCulture,
            $"data.non_finite: drop left out {dropped.Count} of {view.Count} example(s) with NaN or infinite samples: {string.Join(", ", dropped.Take(shown))}{(dropped.Count > shown ? ", …" : "")}"));
        return view.Subset(keep);
    }

    private static int Leads(EcgSchema schema) => schema.ItemShape.Count >= 2 ? (int)schema.ItemShape[0] : 1;

    private static string LeadName(EcgSchema schema, int lead) =>
        schema.LeadNames is { } names && lead < names.Count ? $"lead {names[lead]}" : $"lead {lead.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Checks (error) or fills (interpolate) every item as it is read.</summary>
    private sealed class ScreenedDataView(EcgDataView input, NonFinitePolicy policy) : EcgDataView(input.Ecg, input.Index)
    {
        public override void ReadSignals(ReadOnlySpan<int> rows, Span<float> destination)
        {
            input.ReadSignals(rows, destination);
            int size = (int)Ecg.ItemSize, leads = Leads(Ecg), length = size / Math.Max(1, leads);
            for (int i = 0; i < rows.Length; i++)
            {
                var item = destination.Slice(i * size, size);
                if (Find(item, leads) is not { } at) continue;
                var where = $"{LeadName(Ecg, at.Lead)}, sample {at.Sample.ToString(CultureInfo.InvariantCulture)}";
                if (policy == NonFinitePolicy.Error)
                {
                    var lead = item.Slice(at.Lead * length, length);
                    int count = 0;
                    foreach (var v in lead) if (!float.IsFinite(v)) count++;
                    var value = lead[at.Sample];
                    throw new EcgDataException(
                        $"{where}: {(float.IsNaN(value) ? "NaN (an invalid-sample marker or a gap)" : "a value beyond the float32 range")}, " +
                        $"{count.ToString(CultureInfo.InvariantCulture)} non-finite sample(s) in this lead; set data.non_finite: drop to leave such examples out, " +
                        "or interpolate to fill them from their neighbours", record: Index.Ids[rows[i]]);
                }
                for (int l = 0; l < leads; l++)
                    if (!Interpolate(item.Slice(l * length, length)))
                        throw new EcgDataException($"{LeadName(Ecg, l)} has no finite sample to interpolate from; set data.non_finite: drop to leave it out",
                            record: Index.Ids[rows[i]]);
            }
        }

        /// <summary>Fills non-finite runs linearly between their finite neighbours; false when the lead has none.</summary>
        private static bool Interpolate(Span<float> lead)
        {
            int previous = -1;
            for (int i = 0; i <= lead.Length; i++)
            {
                if (i < lead.Length && !float.IsFinite(lead[i])) continue;
                int gapStart = previous + 1, gapEnd = i;   // non-finite samples are [gapStart, gapEnd)
                if (gapEnd > gapStart)
                {
                    if (previous < 0 && i == lead.Length) return false;
                    for (int k = gapStart; k < gapEnd; k++)
                    {
                        lead[k] = previous < 0 ? lead[i]
                            : i == lead.Length ? lead[previous]
                            : lead[previous] + (lead[i] - lead[previous]) * (k - previous) / (float)(i - previous);
                    }
                }
                previous = i;
            }
            return true;
        }
    }
}
