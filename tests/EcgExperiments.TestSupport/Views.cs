using EcgExperiments.Pipeline;

namespace EcgExperiments.TestSupport;

/// <summary>Test conveniences over ECG views: every row as an example (id, group, values, label).</summary>
public static class Views
{
    /// <summary>All rows read into examples (tests only: a whole view in memory).</summary>
    public static IReadOnlyList<EcgExample> Examples(this EcgDataView view) =>
        Enumerable.Range(0, view.Count).Select(i => new EcgExample(view.Index.Ids[i], view.Index.Groups[i], view.ReadSignal(i), view.Index.Labels[i])).ToList();
}
