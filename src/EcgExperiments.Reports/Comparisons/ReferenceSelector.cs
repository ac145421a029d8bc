using EcgExperiments.Core;

namespace EcgExperiments.Reports;

/// <summary>The pairs (run, reference) chosen on one test set, how the reference was chosen, and runs left unpaired.</summary>
internal sealed record Pairing(string Description, IReadOnlyList<(RunRecord run, RunRecord reference)> Pairs, IReadOnlyList<string> Notes);

/// <summary>
/// Chooses the reference of each compared run (see <see cref="RunComparisons"/>): a named run, a named parameter value
/// (each run against the reference-valued run with the same other parameters), or by default the sweep's first value of
/// its most-valued swept key, else the first run.
/// </summary>
internal sealed class ReferenceSelector
{
    private readonly string? _text;
    private readonly RunRecord? _run;
    private readonly string? _key;
    private readonly string? _value;

    private ReferenceSelector(string? text, RunRecord? run, string? key, string? value) => (_text, _run, _key, _value) = (text, run, key, value);

    /// <exception cref="ArgumentException">The text names no run or parameter of <paramref name="runs"/>, or several (a bad flag value).</exception>
    public static ReferenceSelector Parse(string? text, IReadOnlyList<RunRecord> runs, Func<RunRecord, string> nameOf)
    {
        if (string.IsNullOrWhiteSpace(text)) return new(null, null, null, null);
        text = text.Trim();
        int eq = text.IndexOf('=');
        if (eq > 0)
        {
            string key = text[..eq].Trim(), value = text[(eq + 1)..].Trim();
            var all = runs.SelectMany(r => r.FlatConfig.Keys).Distinct().ToList();
            var matches = all.Contains(key) ? [key] : all.Where(k => k.EndsWith("." + key, StringComparison.Ordinal)).ToList();
            var differing = ParameterDiff.DifferingKeys(runs);
            if (matches.Count == 0)
                throw new ArgumentException($"--reference {text}: no run has a parameter \"{key}\"; parameters that differ between the runs: {string.Join(", ", differing)}");
            if (matches.Count > 1)
                throw new ArgumentException($"--reference {text}: \"{key}\" could be {string.Join(" or ", matches)}; write the full dotted key");
            var values = runs.Select(r => ParameterDiff.ValueOf(r, matches[0])).Distinct().ToList();
            if (!values.Contains(value))
                throw new ArgumentException($"--reference {text}: no run has {matches[0]} = {value}; its values are {string.Join(", ", values)}");
            return new(text, null, matches[0], value);
        }
        var found = runs.Where(r => r.TrialKey.StartsWith(text, StringComparison.Ordinal) || r.Label == text || nameOf(r) == text).ToList();
        if (found.Count == 1) return new(text, found[0], null, null);
        var listing = string.Join("; ", runs.Select(r => $"{r.Label} ({nameOf(r)})"));
        throw new ArgumentException(found.Count == 0
            ? $"--reference {text}: no run has that trial key, experiment/trial label or name; the runs are: {listing}"
            : $"--reference {text}: matches {found.Count} runs ({string.Join(", ", found.Select(r => r.Label))}); give more of the trial key");
    }

    /// <summary>Pairs the runs of one test set (each has per-example outputs) with their references.</summary>
    public Pairing Pair(IReadOnlyList<RunRecord> runs, ParameterSpace space, IReadOnlyDictionary<string, SweepTrial> sweep)
    {
        if (_run is not null)
        {
            return runs.Contains(_run)
                ? new($"Reference: {space.NameOf(_run)} ({_run.Label}), named with --reference", runs.Where(r => r != _run).Select(r => (r, _run)).ToList(), [])
                : new($"not compared: the reference {_run.Label} (--reference {_text}) was evaluated on another test set", [], []);
        }
        if (_key is not null)
        {
            var refs = runs.Where(r => ParameterDiff.ValueOf(r, _key) == _value).ToList();
            if (refs.Count == 0) return new($"not compared: no run of this test set has {_key} = {_value} (--reference {_text})", [], []);
            return ByAxis(runs, refs, space.AxisOf(_key), space,
                $"Reference: {_key} = {_value} (--reference {_text}); each run is compared with the reference run that has the same other parameters");
        }
        var trials = runs.Select(r => sweep.TryGetValue(r.Folder, out var t) ? t : null).ToList();
        if (trials.All(t => t is not null))
        {
            // Sweep order reads better than trial-key order: none, class_weights, focal… as the spec lists them.
            (runs, trials) = (runs.Zip(trials).OrderBy(x => x.Second!.Number).Select(x => x.First).ToList(), trials.OrderBy(t => t!.Number).ToList());
            var axes = space.Axes.Where(a => a.DeclaredAt is not null && runs.Select(a.IdentityOf).Distinct().Count() > 1).ToList();
            if (axes.Count > 0)
            {
                var axis = axes.OrderByDescending(a => runs.Select(a.IdentityOf).Distinct().Count()).ThenByDescending(a => a.DeclaredAt).First();
                var firstTrial = runs.Zip(trials).OrderBy(x => x.Second!.Number).First().First;
                var identity = axis.IdentityOf(firstTrial);
                var refs = runs.Where(r => axis.IdentityOf(r) == identity).ToList();
                string which = axes.Count > 1 ? $" ({axis.Name} has the most values of the swept keys {string.Join(", ", axes.Select(a => a.Name))})" : "";
                return ByAxis(runs, refs, axis, space,
                    $"Reference: {axis.Name} = {axis.ValueOf(firstTrial)}, the spec's first value (the sweep's first trial){which}; " +
                    (axes.Count > 1 ? "each run is compared with the reference run that has the same other parameters" : "every other run is compared with it"));
            }
        }
        var first = runs[0];
        return new($"Reference: {space.NameOf(first)} ({first.Label}), the first run in report order (no sweep index gives the spec's first value; name one with --reference)",
            runs.Skip(1).Select(r => (r, first)).ToList(), []);
    }

    /// <summary>Throws when a named reference was given but no test set could use it.</summary>
    public void ThrowIfUnused(bool anyCompared)
    {
        if (_text is not null && !anyCompared)
            throw new EcgDataException($"--reference {_text}: no test set has both the reference and another run with per-example outputs to compare with it");
    }

    private static Pairing ByAxis(IReadOnlyList<RunRecord> runs, List<RunRecord> refs, ParameterAxis? axis, ParameterSpace space, string description)
    {
        var pairs = new List<(RunRecord, RunRecord)>();
        var notes = new List<string>();
        var others = space.Axes.Where(a => a != axis).ToList();
        foreach (var run in runs.Where(r => !refs.Contains(r)))
        {
            var match = refs.Where(f => others.All(a => a.IdentityOf(f) == a.IdentityOf(run))).ToList();
            if (match.Count == 1) pairs.Add((run, match[0]));
            else if (match.Count == 0) notes.Add($"{space.NameOf(run)} has no reference run with the same other parameters; not compared");
            else notes.Add($"{space.NameOf(run)} matches {match.Count} reference runs ({string.Join(", ", match.Select(space.NameOf))}); name one with --reference");
        }
        return new(description, pairs, notes);
    }
}
