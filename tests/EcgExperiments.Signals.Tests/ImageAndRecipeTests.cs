using EcgExperiments.Signals.Imaging;
using EcgExperiments.Signals.Normalisation;
using EcgExperiments.Signals.Spectral;

namespace EcgExperiments.Signals.Tests;

public class ResizeTests
{
    [Theory]
    [InlineData("resize_area_215x27_to_64x64", 64, 64)]
    [InlineData("resize_area_129x140_to_128x128", 128, 128)]
    [InlineData("resize_area_10x7_to_4x3", 4, 3)]
    [InlineData("resize_area_6x4_to_6x4", 6, 4)]
    public void AreaResizeMatchesBoxAreaAveraging(string @case, int h, int w)
    {
        var src = Golden.Array(@case, "src");
        var grid = new Grid2D<float>(src.Shape[0], src.Shape[1], src.AsFloats());
        var dst = ImageResize.Area(grid, h, w);
        Assertions.AllClose(Golden.Doubles(@case, "dst"), dst.Data, 1e-5, 1e-5, @case);
    }

    [Theory]
    [InlineData("resize_bilinear_5x7_to_9x16", 9, 16)]
    [InlineData("resize_bilinear_5x7_to_3x4", 3, 4)]
    public void BilinearMatchesHalfPixelReference(string @case, int h, int w)
    {
        var src = Golden.Array(@case, "src");
        var dst = ImageResize.Bilinear(new Grid2D<float>(src.Shape[0], src.Shape[1], src.AsFloats()), h, w);
        Assertions.AllClose(Golden.Doubles(@case, "dst"), dst.Data, 1e-6, 1e-6, @case);
    }

    [Fact]
    public void AreaResizeKeepsTheMeanAndConstants()
    {
        // every output cell is a weighted mean with weights summing to 1, and the cells tile the
        // input evenly: a constant stays constant and the image mean is preserved.
        var rng = new Random(4);
        var img = new Grid2D<float>(215, 27, Enumerable.Range(0, 215 * 27).Select(_ => (float)rng.NextDouble()).ToArray());
        var small = ImageResize.Area(img, 64, 64);
        Assert.Equal(img.Data.Average(), small.Data.Average(), 4);
        var flat = ImageResize.Area(new Grid2D<float>(13, 9, Enumerable.Repeat(3.5f, 117).ToArray()), 5, 20);
        Assert.All(flat.Data, v => Assert.Equal(3.5f, v, 5));
    }

    [Fact]
    public void IntegerFactorAreaResizeIsBlockMean()
    {
        var img = new Grid2D<float>(4, 4, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
        var r = ImageResize.Area(img, 2, 2);
        Assert.Equal([3.5f, 5.5f, 11.5f, 13.5f], r.Data);
    }
}

public class DecibelGoldenTests
{
    [Fact]
    public void AmplitudeAndPowerToDbMatchLibrosa()
    {
        var s = Golden.Floats("db", "amplitude");
        var p = Golden.Floats("db", "power");
        var y = new float[s.Length];
        // float32 logs: dB values agree to ~1e-4 dB
        Decibels.AmplitudeToDb(s, y, DecibelOptions.Amplitude with { Reference = DbReference.Max });
        Assertions.AllClose(Golden.Doubles("db", "amp_ref_max"), y, 0, 2e-4, "amplitude_to_db(ref=max)");
        Decibels.AmplitudeToDb(s, y);
        Assertions.AllClose(Golden.Doubles("db", "amp_ref_one"), y, 0, 2e-4, "amplitude_to_db(ref=1)");
        Decibels.AmplitudeToDb(s, y, DecibelOptions.Amplitude with { Reference = 2.0, TopDb = null });
        Assertions.AllClose(Golden.Doubles("db", "amp_ref_two_no_top"), y, 0, 2e-4, "amplitude_to_db(ref=2, top_db=None)");
        Decibels.PowerToDb(p, y);
        Assertions.AllClose(Golden.Doubles("db", "pow_ref_one"), y, 0, 2e-4, "power_to_db(ref=1)");
        Decibels.PowerToDb(p, y, DecibelOptions.Power with { Reference = DbReference.Max, TopDb = 40 });
        Assertions.AllClose(Golden.Doubles("db", "pow_ref_max_top40"), y, 0, 2e-4, "power_to_db(ref=max, top_db=40)");
    }

    [Fact]
    public void DbFloorIsTopDbBelowThePeak()
    {
        float[] a = [1e-9f, 0.5f, 2f, 1e-3f];
        var y = new float[4];
        Decibels.AmplitudeToDb(a, y, DecibelOptions.Amplitude with { Reference = DbReference.Max });
        Assert.Equal(0f, y[2], 5);
        Assert.Equal(-80f, y[0], 4);                         // clipped
        Assert.Equal(20 * Math.Log10(0.25), y[1], 4);
        Assert.Throws<ArgumentException>(() => Decibels.AmplitudeToDb(a, y, DecibelOptions.Amplitude with { Amin = 0 }));
    }
}

public class SpectrogramRecipeTests
{
    [Fact]
    public void RecipesAnswerTheirShapesWithoutData()
    {
        var mit = SpectrogramRecipes.StftCnnMitBih;
        Assert.Equal((215, 27), mit.SpectrogramShape(428));
        Assert.Equal((64, 64), mit.OutputShape(428));
        var gan = SpectrogramRecipes.B2iGan;
        Assert.Equal((129, 161), gan.SpectrogramShape(320));
        Assert.Equal((129, 140), gan.CroppedShape(320));
        Assert.Equal((128, 128), gan.OutputShape(320));
        var e = Assert.Throws<ArgumentException>(() => gan.OutputShape(200));   // 101 frames: 10..149 does not fit
        Assert.Contains("keeps frames 10..149 but a 200-sample signal has frames 0..100", e.Message);
    }

    [Fact]
    public void MitBihImageMatchesNumpyPipeline()
    {
        var x = Golden.Floats("stft_mitbih", "x");
        var plan = SpectrogramImagePlan.Create(SpectrogramRecipes.StftCnnMitBih, 428);
        var image = new float[plan.ImageLength];
        plan.Render(x, image, plan.CreateWorkspace());
        // dB values in [−80, 0]; float32 STFT and logs stay within ~1e-3 dB (0.7e-3 seen with MathNet)
        Assertions.AllClose(Golden.Doubles("stft_mitbih", "image64"), image, 0, 2e-3, "§2.2 64×64 dB image");
        var db = Spectrogram.StftMagnitude(x, SpectrogramRecipes.StftCnnMitBih.Stft);
        Decibels.AmplitudeToDb(db.Data, db.Data, SpectrogramRecipes.StftCnnMitBih.Decibels);
        Assertions.AllClose(Golden.Doubles("stft_mitbih", "db_ref_max"), db.Data, 0, 5e-3, "§2.2 215×27 dB");
    }

    [Fact]
    public void B2iGanImageMatchesNumpyPipeline()
    {
        var x = Golden.Floats("stft_b2igan", "x");
        var plan = SpectrogramImagePlan.Create(SpectrogramRecipes.B2iGan, 320);
        var image = new float[plan.ImageLength];
        plan.Render(x, image, plan.CreateWorkspace());
        Assertions.AllClose(Golden.Doubles("stft_b2igan", "image128"), image, 0, 2e-4, "§2.4 128×128 image in [−1, 1]");
        Assert.Equal(-1f, image.Min());
        Assert.Equal(1f, image.Max());
        var db = Spectrogram.StftMagnitude(x, SpectrogramRecipes.B2iGan.Stft);
        Decibels.AmplitudeToDb(db.Data, db.Data, SpectrogramRecipes.B2iGan.Decibels);
        Assertions.AllClose(Golden.Doubles("stft_b2igan", "db_ref_one"), db.Data, 0, 5e-3, "§2.4 129×161 dB");
    }

    [Fact]
    public void BatchRenderingEqualsOneByOneAndAllocatesNoPerBeatMemory()
    {
        var rng = new Random(9);
        const int beats = 150;
        var signals = Enumerable.Range(0, beats * 428).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        var plan = SpectrogramImagePlan.Create(SpectrogramRecipes.StftCnnMitBih, 428);
        var batch = new float[beats * plan.ImageLength];
        plan.RenderBatch(signals, batch);
        var ws = plan.CreateWorkspace();
        var one = new float[plan.ImageLength];
        plan.Render(signals.AsSpan(0, 428), one, ws);
        int differing = 0;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < beats; i++)
        {
            plan.Render(signals.AsSpan(i * 428, 428), one, ws);
            if (!one.AsSpan().SequenceEqual(batch.AsSpan(i * plan.ImageLength, plan.ImageLength))) differing++;
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, differing);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void ScalingAppliesPerImage()
    {
        var options = SpectrogramRecipes.StftCnnMitBih with { Scaling = ImageScaling.ZeroOne };
        var plan = SpectrogramImagePlan.Create(options, 428);
        var x = Golden.Floats("stft_mitbih", "x");
        var image = new float[plan.ImageLength];
        plan.Render(x, image, plan.CreateWorkspace());
        Assert.Equal(0f, image.Min());
        Assert.Equal(1f, image.Max());
    }
}

public class FastLogTests
{
    [Fact]
    public void FastLogIsAccurateOverTheFloatRange()
    {
        // the dB path relies on it from amin² = 1e-10 up to huge powers
        int w = System.Numerics.Vector<float>.Count;
        double worst = 0;
        var values = new float[w];
        for (double e = -37; e < 38; e += 0.01)
        {
            for (int l = 0; l < w; l++) values[l] = (float)Math.Pow(10, e + l * 0.0013);
            var ln = Decibels.FastLog(new System.Numerics.Vector<float>(values));
            for (int l = 0; l < w; l++)
                worst = Math.Max(worst, Math.Abs(ln[l] - Math.Log(values[l])) / Math.Max(1, Math.Abs(Math.Log(values[l]))));
        }
        Assert.True(worst < 3e-7, $"worst relative error {worst}");
    }
}
