namespace EcgExperiments.Torch;

/// <summary>
/// Compares autograd gradients with central finite differences (like <c>torch.autograd.gradcheck</c>).
/// Run it in Float64: the function's output is reduced to a scalar with fixed random weights, so every
/// output element contributes.
/// </summary>
/// <example><code>
/// var r = GradCheck.Run(() => layer.forward(x), [x, .. layer.parameters()]);
/// Assert.True(r.MaxRelativeError &lt; 1e-5);
/// </code></example>
public static class GradCheck
{
    public sealed record Result(double MaxAbsoluteError, double MaxRelativeError, int ElementsChecked, string WorstElement);

    /// <param name="function">Recomputes the output from the current values of <paramref name="inputs"/>.</param>
    /// <param name="inputs">Float64 leaf tensors that require grad.</param>
    /// <param name="eps">Finite-difference step.</param>
    /// <param name="maxElementsPerInput">Elements probed per input (spread evenly) to bound the cost on big weights.</param>
    public static Result Run(Func<Tensor> function, IReadOnlyList<Tensor> inputs, double eps = 1e-6, int maxElementsPerInput = 40)
    {
        foreach (var t in inputs)
            if (t.dtype != ScalarType.Float64) throw new ArgumentException($"GradCheck: inputs must be Float64 (got {t.Describe()}); call module.to(ScalarType.Float64)");

        using var scope = torch.NewDisposeScope();
        var output = function();
        var weights = torch.rand(output.shape, ScalarType.Float64, output.device) + 0.5;
        var loss = (output * weights).sum();
        var analytic = torch.autograd.grad(loss, inputs);

        double maxAbs = 0, maxRel = 0;
        int checkedCount = 0;
        string worst = "";
        for (int i = 0; i < inputs.Count; i++)
        {
            var x = inputs[i];
            var shape = x.shape;
            var values = x.data<double>();
            var grad = analytic[i]?.data<double>() ?? new double[values.Length];
            int stride = Math.Max(1, values.Length / maxElementsPerInput);
            for (int e = 0; e < values.Length; e += stride)
            {
                double original = values[e];
                double plus = Evaluate(function, weights, x, values, shape, e, original + eps);
                double minus = Evaluate(function, weights, x, values, shape, e, original - eps);
                values[e] = original;
                double numeric = (plus - minus) / (2 * eps);
                double abs = Math.Abs(numeric - grad[e]);
                double rel = abs / Math.Max(1e-3, Math.Max(Math.Abs(numeric), Math.Abs(grad[e])));
                if (rel > maxRel) { maxRel = rel; worst = $"input {i} element {e}: autograd {grad[e]:G6}, finite difference {numeric:G6}"; }
                maxAbs = Math.Max(maxAbs, abs);
                checkedCount++;
            }
            Restore(x, values, shape);
        }
        return new Result(maxAbs, maxRel, checkedCount, worst);
    }

    private static double Evaluate(Func<Tensor> f, Tensor weights, Tensor x, double[] values, long[] shape, int index, double value)
    {
        values[index] = value;
        Restore(x, values, shape);
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        return (f() * weights).sum().item<double>();
    }

    private static void Restore(Tensor x, double[] values, long[] shape)
    {
        using var _ = torch.no_grad();
        using var src = torch.tensor(values, shape, x.device);
        x.copy_(src);
    }
}
