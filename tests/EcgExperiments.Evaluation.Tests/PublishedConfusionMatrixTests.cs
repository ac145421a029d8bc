namespace EcgExperiments.Evaluation.Tests;

/// <summary>SPEC §2.2: the published MIT-BIH STFT-CNN confusion matrix and its quoted metrics.</summary>
public sealed class PublishedConfusionMatrixTests
{
    private static readonly long[][] Published =
    [
        [19953, 31, 35, 11, 29],
        [64, 533, 11, 1, 1],
        [58, 2, 1470, 10, 13],
        [48, 0, 10, 124, 0],
        [32, 1, 9, 0, 2449],
    ];

    private static ConfusionMatrix Matrix() => new(["N", "S", "V", "F", "Q"], Published);

    [Fact]
    public void Accuracy_is_the_published_0_98530()
    {
        var cm = Matrix();
        Assert.Equal(24895, cm.Total);
        Assert.Equal(24529, cm.Correct);
        Assert.Equal(0.98530, Math.Round(cm.Accuracy, 5));
        Assert.Equal(24529.0 / 24895.0, cm.Accuracy, 15);
    }

    [Fact]
    public void Macro_precision_recall_f1_round_to_the_published_0_94_0_90_0_92()
    {
        var cm = Matrix();
        Assert.Equal(0.94, Math.Round(cm.MacroPrecision, 2));
        Assert.Equal(0.90, Math.Round(cm.MacroRecall, 2));
        Assert.Equal(0.92, Math.Round(cm.MacroF1, 2));
        // unrounded values (computed independently with numpy) to catch a wrong averaging order
        Assert.Equal(0.9439455042658722, cm.MacroPrecision, 12);
        Assert.Equal(0.8958998236704993, cm.MacroRecall, 12);
        Assert.Equal(0.9178291033655126, cm.MacroF1, 12);
    }

    [Fact]
    public void Per_class_values_follow_from_rows_and_columns()
    {
        var cm = Matrix();
        Assert.Equal(610, cm.Support(1));                        // S row
        Assert.Equal(533.0 / 610, cm.Recall(1), 15);
        Assert.Equal(533.0 / 567, cm.Precision(1), 15);          // S column: 31+533+2+0+1
        Assert.Equal(124.0 / 182, cm.Recall(3), 15);             // F sensitivity, the weakest class
        long tnS = 24895 - 610 - 34;
        Assert.Equal((double)tnS / (tnS + 34), cm.Specificity(1), 15);
    }
}
