using EcgExperiments.Experiments.Sources;
using EcgExperiments.Experiments.Spec;
using EcgExperiments.Models;
using EcgExperiments.Pipeline;
using EcgExperiments.Pipeline.Transforms;
using EcgExperiments.Torch;
using EcgExperiments.Torch.Modules;
using EcgExperiments.Training;

namespace EcgExperiments.Experiments;

/// <summary>
/// The registries behind YAML <c>type:</c> names. Each area registers its components in its own file
/// (Registrations/*.cs), so adding one is one class plus one line there.
/// </summary>
public static class Components
{
    public static ComponentRegistry<IDataSource> DataSources { get; } = new("data source");
    public static ComponentRegistry<IEstimator> Transforms { get; } = new("transform");
    public static ComponentRegistry<ModelBuild> Models { get; } = new("model");

    static Components()
    {
        SourceRegistrations.Register(DataSources);
        TransformRegistrations.Register(Transforms);
        ModelRegistrations.Register(Models);
    }
}

/// <summary>YAML options of the CNN2D(+SE) classifier; defaults are the published network.</summary>
public sealed record Cnn2dSpec
{
    // Defaults come from the model's options record (the published CNN2D); input channels and outputs are
    // derived from the data schema and are not YAML keys.
    private static readonly Cnn2dOptions Defaults = new();

    public IReadOnlyList<int> Widths { get; init; } = Defaults.Widths;
    public int Kernel { get; init; } = Defaults.Kernel;
    public int? KernelHeight { get; init; } = Defaults.KernelHeight;
    public (int, int) Padding { get; init; } = Defaults.Padding;
    public (int, int) Pool { get; init; } = Defaults.Pool;
    public bool Se { get; init; } = Defaults.SqueezeExcitation;
    public int SeReduction { get; init; } = Defaults.SeReduction;
    public double Dropout { get; init; } = Defaults.Dropout;

    public static ClassifierBuild Build(Cnn2dSpec s)
    {
        if (s.Widths.Count == 0 || s.Widths.Any(w => w < 1)) throw new ArgumentException("model.widths must list ≥ 1 positive channel counts");
        if (s.Dropout is < 0 or >= 1) throw new ArgumentException($"model.dropout must be in [0, 1), got {s.Dropout}");
        Cnn2dOptions Options(DataSchema schema) => new()
        {
            Widths = s.Widths, Kernel = s.Kernel, KernelHeight = s.KernelHeight, Padding = s.Padding, Pool = s.Pool,
            SqueezeExcitation = s.Se, SeReduction = s.SeReduction, Dropout = s.Dropout,
            InputChannels = schema.ItemShape.Count == 3 ? (int)schema.ItemShape[0] : 1,
            Outputs = schema.ClassNames.Count == 2 ? 1 : schema.ClassNames.Count,
        };
        return new ClassifierBuild(
            $"CNN2D{(s.Se ? "+SE" : "")} widths [{string.Join(", ", s.Widths)}]",
            ComputeKind.Convolutional,
            schema => new ImageInput(new Cnn2dClassifier(Options(schema))),
            schema =>
            {
                if (schema.ItemShape.Count is not (2 or 3)) return $"expects items of [H × W] or [C × H × W], got {schema.ShapeText}";
                var o = Options(schema);
                long h = schema.ItemShape[^2], w = schema.ItemShape[^1];
                if (o.FeatureSize(h, w) is null)
                {
                    var (mh, mw) = o.MinimumInput();
                    return $"{o.Widths.Count} blocks of kernel {o.KernelHeight ?? o.Kernel}×{o.Kernel} need images of at least {mh}×{mw}, got {h}×{w}";
                }
                return null;
            });
    }
}

/// <summary>Feeds [H × W] items to an image model as 1 × H × W.</summary>
public sealed class ImageInput : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> _net;

    public ImageInput(Module<Tensor, Tensor> net) => _net = register_module("net", net);

    public override Tensor forward(Tensor x) => _net.forward(x.dim() == 3 ? x.unsqueeze(1) : x);
}
