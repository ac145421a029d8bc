using EcgExperiments.Pipeline;
using EcgExperiments.Torch;
using EcgExperiments.Torch.Modules;

namespace EcgExperiments.Training.Tests;

/// <summary>Small seeded data sets and models for fast trainer tests.</summary>
internal static class SyntheticData
{
    /// <summary>
    /// Two overlapping Gaussian classes in <paramref name="dims"/> features: class 1 is shifted by
    /// <paramref name="shift"/> along feature 0 only. With a 9:1 prior an unweighted logistic model puts its 0.5
    /// threshold near x0 ≈ 2.2 (minority recall ≈ 0.24); a balanced one near 0.75 (recall ≈ 0.77).
    /// </summary>
    public static EcgDataView Gaussians(int negatives, int positives, int seed, int dims = 4, double shift = 1.5)
    {
        var rng = new Random(seed);
        var examples = new List<EcgExample>();
        for (int i = 0; i < negatives + positives; i++)
        {
            int label = i < negatives ? 0 : 1;
            var v = new float[dims];
            for (int d = 0; d < dims; d++) v[d] = (float)Normal(rng);
            if (label == 1) v[0] += (float)shift;
            examples.Add(new EcgExample($"e{i}", $"p{i}", v, label));
        }
        return InMemoryDataView.Create(new EcgSchema([dims], null, ["negative", "positive"]), examples);
    }

    /// <summary>Three Gaussian classes (means 0, +shift, −shift on feature 0) with the given counts.</summary>
    public static EcgDataView ThreeClasses(int[] counts, int seed, double shift = 2)
    {
        var rng = new Random(seed);
        var examples = new List<EcgExample>();
        double[] means = [0, shift, -shift];
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < counts[c]; i++)
                examples.Add(new EcgExample($"c{c}-{i}", $"p{c}-{i}", [(float)(means[c] + Normal(rng)), (float)Normal(rng)], c));
        return InMemoryDataView.Create(new EcgSchema([2], null, ["a", "b", "c"]), examples);
    }

    public static double Normal(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    /// <summary>Logistic / softmax regression: one linear layer.</summary>
    public static Module<Tensor, Tensor> Linear(EcgSchema schema) =>
        new Linear(schema.ItemShape[0], schema.ClassNames.Count == 2 ? 1 : schema.ClassNames.Count);

    /// <summary>Class probabilities [example][class] of a trained classifier (binary: [1 − p, p] from its Probability column).</summary>
    public static double[][] Probabilities(ClassificationPredictor model, EcgDataView data)
    {
        var columns = model.Transform(data).ReadAll();
        var score = columns[EcgColumns.Score];
        int k = data.Ecg.ClassNames.Count;
        return model.IsBinary
            ? columns[EcgColumns.Probability].Select(p => new double[] { 1f - p, p }).ToArray()
            : Enumerable.Range(0, data.Count).Select(i => score.AsSpan(i * k, k).ToArray().Select(p => (double)p).ToArray()).ToArray();
    }

    /// <summary>Recall of <paramref name="cls"/> from argmax of the predicted probabilities.</summary>
    public static double Recall(double[][] probabilities, EcgDataView data, int cls)
    {
        int hit = 0, total = 0;
        for (int i = 0; i < data.Count; i++)
        {
            if (data.Index.Labels[i] != cls) continue;
            total++;
            var p = probabilities[i];
            if (Array.IndexOf(p, p.Max()) == cls) hit++;
        }
        return (double)hit / total;
    }
}
