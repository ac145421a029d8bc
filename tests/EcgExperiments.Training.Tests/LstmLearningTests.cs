using EcgExperiments.Models;
using EcgExperiments.Pipeline;
using EcgExperiments.Torch;

namespace EcgExperiments.Training.Tests;

/// <summary>
/// The LSTM classifier learns a task that needs temporal order (synthetic: PTB-XL's 1000-step sequences are too slow
/// for a recurrent net in a unit test on two cores). Each 2-lead, 60-sample item carries one Gaussian bump on lead 0;
/// class 1 has it before lead 1's bump, class 0 after, so per-time-step features without order cannot separate them.
/// </summary>
public class LstmLearningTests
{
    private static EcgDataView Sequences(int n, int seed)
    {
        var rng = new Random(seed);
        var schema = new EcgSchema([2, 60], 100, ["late", "early"]);
        var examples = new List<EcgExample>();
        for (int i = 0; i < n; i++)
        {
            int label = i % 2;
            int a = rng.Next(8, 25), b = rng.Next(35, 52);
            int lead0 = label == 1 ? a : b, lead1 = label == 1 ? b : a;
            var v = new float[120];
            for (int t = 0; t < 60; t++)
            {
                v[t] = (float)(Math.Exp(-0.5 * Math.Pow((t - lead0) / 2.0, 2)) + 0.1 * SyntheticData.Normal(rng));
                v[60 + t] = (float)(Math.Exp(-0.5 * Math.Pow((t - lead1) / 2.0, 2)) + 0.1 * SyntheticData.Normal(rng));
            }
            examples.Add(new EcgExample($"s{i}", $"s{i}", v, label));
        }
        return InMemoryDataView.Create(schema, examples);
    }

    [Fact]
    public void Lstm_classifier_learns_which_lead_peaks_first()
    {
        var train = Sequences(240, 1);
        var test = Sequences(200, 2);
        var trainer = new ClassifierTrainer(new TrainingOptions { Epochs = 12, BatchSize = 24, LearningRate = 0.01 },
            _ => new LstmClassifier(new LstmClassifierOptions { InputChannels = 2, Hidden = 16, Layers = 1, Dropout = 0 }), Device.CPU, 3);
        var result = trainer.Train(train, null);
        using var model = result.Model;
        var p = SyntheticData.Probabilities(model, test);
        double accuracy = test.Index.Labels.Select((l, i) => (p[i][1] > 0.5 ? 1 : 0) == l).Count(x => x) / (double)test.Count;
        Assert.True(accuracy >= 0.9, $"test accuracy {accuracy:F3} after {result.Seconds:F1} s");
    }
}
