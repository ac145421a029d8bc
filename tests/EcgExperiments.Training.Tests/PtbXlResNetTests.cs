using EcgExperiments.Data.PtbXl;
using EcgExperiments.Evaluation;
using EcgExperiments.Models;
using EcgExperiments.Pipeline;
using EcgExperiments.Torch;
using EcgExperiments.TestSupport;
using EcgExperiments.Training.Imbalance;
using Xunit.Abstractions;

namespace EcgExperiments.Training.Tests;

/// <summary>
/// Small-scale SPEC §2.1 on the shared 400-record PTB-XL subset: NORM-only vs any-HYP, 12 × 1000 at 100 Hz,
/// per-lead z-score fitted on the training folds, strat_fold 1–8 train / 9 validation / 10 test (199 / 36 / 35 records,
/// 20 / 6 / 6 HYP). Measured test ROC-AUC (8 epochs) with seeds 1, 2, 3, 7: 1.000, 1.000, 0.977, 1.000; asserted ≥ 0.85 (prior 0.5).
/// </summary>
public class PtbXlResNetTests(ITestOutputHelper output)
{
    private static readonly Lazy<(EcgDataView Train, EcgDataView Val, EcgDataView Test)> Splits = new(Load);

    private static (EcgDataView, EcgDataView, EcgDataView) Load()
    {
        var db = PtbXlDatabase.Open(RealData.PtbXl);
        var task = db.SelectBinaryTask();
        var schema = new EcgSchema([12, 1000], 100, ["NORM", "HYP"], PtbXlDatabase.StandardLeads);
        var all = task.Members.Select(m =>
        {
            var signal = db.LoadSignal(db.Get(m.EcgId));
            var values = new float[12 * 1000];
            for (int l = 0; l < 12; l++) signal.Leads[l].AsSpan(0, 1000).CopyTo(values.AsSpan(l * 1000, 1000));
            return (m.StratFold, Example: new EcgExample(m.RecordId, m.PatientId.ToString(), values, m.IsPositive ? 1 : 0));
        }).ToList();
        var train = all.Where(e => e.StratFold <= 8).Select(e => e.Example).ToList();
        // Per-lead mean and standard deviation from the training folds only.
        var mean = new double[12];
        var sd = new double[12];
        for (int l = 0; l < 12; l++)
        {
            var lead = train.SelectMany(e => e.Values.Skip(l * 1000).Take(1000)).Select(v => (double)v).ToArray();
            mean[l] = lead.Average();
            sd[l] = Math.Sqrt(lead.Average(v => (v - mean[l]) * (v - mean[l]))) + 1e-6;
        }
        EcgExample Normalise(EcgExample e)
        {
            var v = new float[e.Values.Length];
            for (int i = 0; i < v.Length; i++) v[i] = (float)((e.Values[i] - mean[i / 1000]) / sd[i / 1000]);
            return e with { Values = v };
        }
        EcgDataView View(Func<int, bool> folds) => InMemoryDataView.Create(schema, all.Where(e => folds(e.StratFold)).Select(e => Normalise(e.Example)).ToList());
        return (View(f => f <= 8), View(f => f == 9), View(f => f == 10));
    }

    [RealDataFact("ptbxl")]
    public void Small_resnet1d_beats_the_class_prior_on_test_auc()
    {
        var (train, val, test) = Splits.Value;
        output.WriteLine($"train {train.Count} ({string.Join("/", train.ClassCounts())}), val {val.Count} ({string.Join("/", val.ClassCounts())}), test {test.Count} ({string.Join("/", test.ClassCounts())}) NORM/HYP");
        var options = new TrainingOptions
        {
            Epochs = 8, BatchSize = 32, LearningRate = 3e-3, SelectBy = MetricNames.RocAuc,
            Imbalance = new ClassWeightStrategy(new ClassWeightsOptions()),
        };
        var trainer = new ClassifierTrainer(options, _ => new ResNet1d(new ResNet1dOptions
        {
            StemWidth = 16, StemStride = 2, BlockWidths = [16, 32, 32], HeadHidden = 32, Dropout = 0.3,
        }), Device.CPU, seed: 7);
        var result = trainer.Train(train, val);
        using var model = result.Model;
        var p = SyntheticData.Probabilities(model, test);
        var auc = RankingMetrics.RocAuc(test.Labels().Select(y => y == 1).ToArray(), p.Select(x => x[1]).ToArray())!.Value;
        output.WriteLine($"best epoch {result.BestEpoch} (val AUC {result.BestScore:F3}), test ROC-AUC {auc:F3}, {result.Seconds:F1} s");
        Assert.True(auc >= 0.85, $"test ROC-AUC {auc:F3}; the class prior scores 0.5");
    }
}
