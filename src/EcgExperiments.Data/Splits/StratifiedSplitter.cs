using EcgExperiments.Core;
using System.Globalization;

namespace EcgExperiments.Data.Splits;

/// <summary>
/// Seeded random splits stratified by a label: every stratum is divided in the requested proportions,
/// exact to rounding (each stratum's share of a part is the floor or ceiling of its exact quota, and part
/// sizes hit their targets exactly). The same members, strata and seed always give the same split.
/// </summary>
/// <example><code>
/// // PTB-XL record-level 7:2:1 as published (intra-patient: PTB-XL has several records per patient).
/// DataSplit split = StratifiedSplitter.Split(ids, labels,
///     [("train", 0.7), ("val", 0.2), ("test", 0.1)], seed: 42, SplitProtocol.IntraPatient);
/// // Beat-level split reproducing published part sizes exactly.
/// DataSplit beats = StratifiedSplitter.SplitByCount(beatIds, classes,
///     [("train", 75441), ("val", 12263), ("test", 24895)], seed: 1, SplitProtocol.IntraPatient);
/// </code></example>
public static class StratifiedSplitter
{
    /// <summary>Splits by fractions (normalised to sum 1); part sizes are the largest-remainder rounding of N × fraction.</summary>
    public static DataSplit Split(IReadOnlyList<string> members, IReadOnlyList<string> strata,
        IReadOnlyList<(string Name, double Fraction)> parts, int seed, SplitProtocol protocol, string name = "stratified-random")
    {
        ArgumentNullException.ThrowIfNull(parts);
        var indices = SplitIndices(strata, parts.Select(p => p.Fraction).ToArray(), seed);
        var description = $"random stratified split, seed {seed}, fractions " +
                          string.Join(":", parts.Select(p => p.Fraction.ToString("0.###", CultureInfo.InvariantCulture)));
        return Build(name, protocol, members, strata, parts.Select(p => p.Name).ToArray(), indices, description);
    }

    /// <summary>Splits into parts of exactly the given sizes (which must add up to the number of members).</summary>
    public static DataSplit SplitByCount(IReadOnlyList<string> members, IReadOnlyList<string> strata,
        IReadOnlyList<(string Name, int Count)> parts, int seed, SplitProtocol protocol, string name = "stratified-random")
    {
        ArgumentNullException.ThrowIfNull(parts);
        var indices = SplitIndicesByCount(strata, parts.Select(p => p.Count).ToArray(), seed);
        var description = $"random stratified split, seed {seed}, sizes {string.Join("/", parts.Select(p => p.Count))}";
        return Build(name, protocol, members, strata, parts.Select(p => p.Name).ToArray(), indices, description);
    }

    /// <summary>Index form of <see cref="Split"/>: for each part, the ascending indices of its members.</summary>
    public static int[][] SplitIndices(IReadOnlyList<string> strata, IReadOnlyList<double> fractions, int seed)
    {
        ArgumentNullException.ThrowIfNull(strata);
        ArgumentNullException.ThrowIfNull(fractions);
        if (fractions.Count == 0) throw new ArgumentException("at least one part is needed", nameof(fractions));
        if (fractions.Any(f => !(f >= 0) || double.IsInfinity(f)))
            throw new ArgumentException($"fractions must be finite and non-negative, got {string.Join(", ", fractions)}", nameof(fractions));
        double sum = fractions.Sum();
        if (!(sum > 0)) throw new ArgumentException("fractions must not all be zero", nameof(fractions));
        var targets = LargestRemainder(fractions.Select(f => strata.Count * f / sum).ToArray(), strata.Count);
        return SplitIndicesByCount(strata, targets, seed);
    }

    /// <summary>Index form of <see cref="SplitByCount"/>.</summary>
    public static int[][] SplitIndicesByCount(IReadOnlyList<string> strata, IReadOnlyList<int> counts, int seed)
    {
        ArgumentNullException.ThrowIfNull(strata);
        ArgumentNullException.ThrowIfNull(counts);
        if (counts.Any(c => c < 0)) throw new ArgumentException("part sizes must be non-negative", nameof(counts));
        if (counts.Sum() != strata.Count)
            throw new ArgumentException($"part sizes add up to {counts.Sum()}, but there are {strata.Count} members", nameof(counts));

        // Strata in ordinal order so the result does not depend on dictionary ordering.
        var groups = strata.Select((s, i) => (s, i)).GroupBy(x => x.s, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => g.Select(x => x.i).ToList()).ToList();
        var allocation = ControlledRounding.Allocate(groups.Select(g => g.Count).ToArray(), counts.ToArray());

        var rng = new SplitMix64(unchecked((ulong)seed));
        var parts = counts.Select(_ => new List<int>()).ToArray();
        for (int g = 0; g < groups.Count; g++)
        {
            var members = groups[g];
            rng.Shuffle(members);
            int at = 0;
            for (int p = 0; p < parts.Length; p++)
            {
                parts[p].AddRange(members.GetRange(at, allocation[g, p]));
                at += allocation[g, p];
            }
        }
        return parts.Select(p => p.Order().ToArray()).ToArray();
    }

    /// <summary>Rounds non-negative reals summing to <paramref name="total"/> to integers with that sum (largest remainder).</summary>
    internal static int[] LargestRemainder(IReadOnlyList<double> quotas, int total)
    {
        var result = quotas.Select(q => (int)Math.Floor(q)).ToArray();
        int missing = total - result.Sum();
        foreach (var i in Enumerable.Range(0, quotas.Count).OrderByDescending(i => quotas[i] - Math.Floor(quotas[i])).ThenBy(i => i).Take(missing))
            result[i]++;
        return result;
    }

    internal static DataSplit Build(string name, SplitProtocol protocol, IReadOnlyList<string> members, IReadOnlyList<string> strata,
        IReadOnlyList<string> partNames, int[][] indices, string description)
    {
        ArgumentNullException.ThrowIfNull(members);
        if (members.Count != strata.Count)
            throw new ArgumentException($"{members.Count} members but {strata.Count} strata labels", nameof(members));
        var parts = partNames.Select((n, p) => new SplitPart(n, indices[p].Select(i => members[i]).ToArray())).ToArray();
        return new DataSplit(name, protocol, parts, description);
    }
}

/// <summary>
/// Integer allocation of strata to parts: a matrix with the given row sums (stratum sizes) and column sums
/// (part sizes) whose cells are the floor or ceiling of the proportional quota. Found by max-flow over the
/// cells' fractional remainders, preferring cells with larger remainders.
/// </summary>
internal static class ControlledRounding
{
    public static int[,] Allocate(int[] rows, int[] columns)
    {
        int r = rows.Length, c = columns.Length;
        long n = rows.Sum();
        var result = new int[r, c];
        if (n == 0) return result;
        var frac = new double[r, c];
        var rowNeed = new int[r];
        var colNeed = (int[])columns.Clone();
        for (int i = 0; i < r; i++)
        {
            rowNeed[i] = rows[i];
            for (int j = 0; j < c; j++)
            {
                double q = (double)rows[i] * columns[j] / n;
                int f = (int)Math.Floor(q + 1e-9);
                result[i, j] = f;
                frac[i, j] = Math.Max(0, q - f);
                rowNeed[i] -= f;
                colNeed[j] -= f;
            }
        }

        // Greedy pass: largest remainders first.
        var flow = new bool[r, c];
        foreach (var (i, j) in Enumerable.Range(0, r).SelectMany(i => Enumerable.Range(0, c).Select(j => (i, j)))
                     .Where(x => frac[x.i, x.j] > 1e-9).OrderByDescending(x => frac[x.i, x.j]).ThenBy(x => x.i).ThenBy(x => x.j))
        {
            if (rowNeed[i] > 0 && colNeed[j] > 0)
            {
                flow[i, j] = true;
                rowNeed[i]--;
                colNeed[j]--;
            }
        }

        // Augmenting paths (row → unused cell → column, column ← used cell ← row) until every need is met.
        while (rowNeed.Any(x => x > 0))
        {
            int start = Array.FindIndex(rowNeed, x => x > 0);
            if (!Augment(start, frac, flow, colNeed, r, c))
                throw new InvalidOperationException("controlled rounding found no feasible allocation (inconsistent sizes)");
            rowNeed[start]--;
        }
        for (int i = 0; i < r; i++)
            for (int j = 0; j < c; j++)
                if (flow[i, j]) result[i, j]++;
        return result;
    }

    private static bool Augment(int startRow, double[,] frac, bool[,] flow, int[] colNeed, int r, int c)
    {
        // BFS over rows; from row i go to column j via a candidate cell not yet used, then from column j back to
        // any row k that uses cell (k, j), whose unit can move elsewhere.
        var prevRowOfCol = Enumerable.Repeat(-1, c).ToArray();
        var prevColOfRow = Enumerable.Repeat(-2, r).ToArray();
        prevColOfRow[startRow] = -1;
        var queue = new Queue<int>();
        queue.Enqueue(startRow);
        while (queue.Count > 0)
        {
            int i = queue.Dequeue();
            for (int j = 0; j < c; j++)
            {
                if (flow[i, j] || frac[i, j] <= 1e-9 || prevRowOfCol[j] != -1) continue;
                prevRowOfCol[j] = i;
                if (colNeed[j] > 0)
                {
                    colNeed[j]--;
                    // Walk back, flipping cells along the path.
                    int col = j;
                    while (true)
                    {
                        int row = prevRowOfCol[col];
                        flow[row, col] = true;
                        int back = prevColOfRow[row];
                        if (back == -1) return true;
                        flow[row, back] = false;
                        col = back;
                    }
                }
                for (int k = 0; k < r; k++)
                    if (flow[k, j] && prevColOfRow[k] == -2)
                    {
                        prevColOfRow[k] = j;
                        queue.Enqueue(k);
                    }
            }
        }
        return false;
    }
}
