using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using EcgExperiments.Core;
using EcgExperiments.Evaluation;

namespace EcgExperiments.Reports;

/// <summary>
/// A run's per-example test outputs, sorted by example id so two runs on the same test set line up example by
/// example: <c>predictions.csv</c> of classification runs (<c>id,patient,label,p_&lt;class&gt;…</c>) or <c>scores.csv</c> of
/// anomaly runs (<c>id,patient,label,anomalous,score</c>), turned into the <see cref="ClassificationScores"/> the run
/// was evaluated with (classes, positive class and decision threshold from its metrics.json).
/// <see cref="ReproducesConfusion"/> says whether those scores give back the run's own confusion matrix: anomaly
/// scores are stored unscaled while the threshold applies to scaled ones, so then only threshold-free metrics
/// (ROC-AUC, average precision) can be compared.
/// </summary>
public sealed record RunOutputs(string File, IReadOnlyList<string> Ids, ClassificationScores Scores, bool ReproducesConfusion)
{
    public const string PredictionsFileName = "predictions.csv";
    public const string ScoresFileName = "scores.csv";

    /// <summary>Identity of the test set: a hash of the sorted (id, true label) pairs. Equal keys = same examples, same labels.</summary>
    public string TestSetKey { get; } = Fingerprint(Ids, Scores);

    /// <summary>Number of test examples of each class, in class order.</summary>
    public IReadOnlyList<int> ClassCounts => Enumerable.Range(0, Scores.ClassCount).Select(c => Scores.Labels.Count(y => y == c)).ToArray();

    /// <summary>
    /// The outputs of <paramref name="run"/>, or null when it has none to pair on (reconstruction runs, runs without a
    /// per-example file or without a classification report).
    /// </summary>
    /// <exception cref="EcgDataException">The file is malformed: a missing column, an unknown label, a number that does
    /// not parse or a repeated id; the message names the file and line.</exception>
    public static RunOutputs? Read(RunRecord run)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (run.Metrics is not { } report) return null;
        var predictions = Path.Combine(run.Folder, PredictionsFileName);
        var scores = Path.Combine(run.Folder, ScoresFileName);
        if (run.Task == TaskLayouts.Classification && System.IO.File.Exists(predictions)) return FromPredictions(predictions, report);
        if (run.Task == TaskLayouts.Anomaly && System.IO.File.Exists(scores)) return FromScores(scores, report);
        return null;
    }

    private static RunOutputs FromPredictions(string file, MetricReport report)
    {
        var names = report.ClassNames;
        var rows = ReadCsv(file, ["id", "label", .. names.Select(n => $"p_{n}")]);
        var labels = rows.Select(r => LabelIndex(r, "label", names, file)).ToArray();
        var probs = rows.Select(r => names.Select(n => r.Number($"p_{n}")).ToArray()).ToArray();
        ClassificationScores s;
        if (report.PositiveClass is { } positive)
        {
            int pos = IndexOf(names, positive, file, 0);
            s = ClassificationScores.Binary(labels, probs.Select(p => p[pos]).ToArray(), names, pos, threshold: report.DecisionThreshold ?? 0.5);
        }
        else s = ClassificationScores.FromProbabilities(labels, probs, names);
        return Create(file, rows, s, report);
    }

    private static RunOutputs FromScores(string file, MetricReport report)
    {
        var names = report.ClassNames;
        if (names.Count != 2 || report.PositiveClass is not { } positive)
            throw new EcgDataException($"an anomaly run's metrics.json must describe a binary task with a positive class; it has classes [{string.Join(", ", names)}]", file: file);
        int pos = IndexOf(names, positive, file, 0);
        var rows = ReadCsv(file, ["id", "anomalous", "score"]);
        var labels = rows.Select(r => r.Text("anomalous") switch
        {
            "1" => pos,
            "0" => 1 - pos,
            var v => throw new EcgDataException($"\"anomalous\" must be 0 or 1, got \"{v}\"", file: file, line: r.Line),
        }).ToArray();
        var s = ClassificationScores.Binary(labels, rows.Select(r => r.Number("score")).ToArray(), names, pos, areProbabilities: false,
            threshold: report.DecisionThreshold ?? 0.5);
        return Create(file, rows, s, report);
    }

    private static RunOutputs Create(string file, List<CsvRow> rows, ClassificationScores s, MetricReport report)
    {
        var ids = rows.Select(r => r.Text("id")).ToArray();
        var predicted = Enumerable.Range(0, s.Count).Select(s.Predicted).ToArray();
        var confusion = ConfusionMatrix.FromPredictions(s.Labels.ToArray(), predicted, s.ClassNames);
        return new RunOutputs(file, ids, s, confusion.Equals(report.Confusion));
    }

    /// <summary>Rows sorted by id (ordinal), so runs on the same test set align; ids must be unique.</summary>
    private static List<CsvRow> ReadCsv(string file, IReadOnlyList<string> required)
    {
        var lines = System.IO.File.ReadAllLines(file);
        if (lines.Length == 0) throw new EcgDataException("empty file; expected a header line", file: file, line: 1);
        var header = lines[0].Split(',');
        var columns = header.Select((h, i) => (h, i)).ToDictionary(x => x.h, x => x.i, StringComparer.Ordinal);
        foreach (var c in required)
            if (!columns.ContainsKey(c)) throw new EcgDataException($"missing column \"{c}\" (header: {lines[0]})", file: file, line: 1);
        var rows = new List<CsvRow>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            var fields = lines[i].Split(',');
            if (fields.Length != header.Length) throw new EcgDataException($"{fields.Length} fields, the header has {header.Length}", file: file, line: i + 1);
            var row = new CsvRow(file, i + 1, columns, fields);
            var id = row.Text("id");
            if (seen.TryGetValue(id, out var first)) throw new EcgDataException($"example id \"{id}\" repeats line {first}; examples cannot be paired by id", file: file, line: i + 1);
            seen[id] = i + 1;
            rows.Add(row);
        }
        if (rows.Count == 0) throw new EcgDataException("no examples", file: file);
        return rows.OrderBy(r => r.Text("id"), StringComparer.Ordinal).ToList();
    }

    private static int LabelIndex(CsvRow row, string column, IReadOnlyList<string> names, string file) => IndexOf(names, row.Text(column), file, row.Line);

    private static int IndexOf(IReadOnlyList<string> names, string name, string file, int line)
    {
        for (int c = 0; c < names.Count; c++) if (names[c] == name) return c;
        throw new EcgDataException($"class \"{name}\" is not one of the run's classes [{string.Join(", ", names)}]", file: file, line: line == 0 ? null : line);
    }

    private static string Fingerprint(IReadOnlyList<string> ids, ClassificationScores s)
    {
        var text = new StringBuilder();
        for (int i = 0; i < ids.Count; i++) text.Append(ids[i]).Append('\t').Append(s.ClassNames[s.Labels[i]]).Append('\n');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private sealed record CsvRow(string File, int Line, IReadOnlyDictionary<string, int> Columns, string[] Fields)
    {
        public string Text(string column) => Fields[Columns[column]];

        public double Number(string column) =>
            double.TryParse(Text(column), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v)
                ? v
                : throw new EcgDataException($"\"{column}\" must be a finite number, got \"{Text(column)}\"", file: File, line: Line);
    }
}
