using MathNet.Numerics.IntegralTransforms;

namespace EcgExperiments.Signals.Spectral;

/// <summary>
/// Real DFT through MathNet.Numerics' packed real transforms. <see cref="FourierOptions.Matlab"/>
/// is numpy's convention: negative exponent forward and no scaling; 1/N on the inverse.
/// </summary>
/// <example><code>
/// Fft.Provider = FftProviders.MathNet;
/// </code></example>
public sealed class MathNetFftProvider : IFftProvider
{
    public string Name => "mathnet";

    public IRealDftPlan CreateRealPlan(int length, int supportStart, int supportLength)
    {
        FftProviders.CheckPlanArguments(length, supportStart, supportLength);
        return new Plan(length, supportStart, supportLength);
    }

    private sealed class Plan(int length, int supportStart, int supportLength) : IRealDftPlan
    {
        // MathNet transforms in place on an array of exactly N+2 (even N) or N+1 (odd N) values;
        // one per thread keeps the plan thread-safe without allocating per frame.
        [ThreadStatic] private static float[]? t_buffer;

        public string ProviderName => "mathnet";
        public int Length { get; } = length;
        public int Bins { get; } = length / 2 + 1;
        public int SupportStart { get; } = supportStart;
        public int SupportLength { get; } = supportLength;

        private float[] Buffer()
        {
            int needed = Length % 2 == 0 ? Length + 2 : Length + 1;
            var b = t_buffer;
            if (b is null || b.Length != needed) t_buffer = b = new float[needed];
            return b;
        }

        public void Forward(ReadOnlySpan<float> frames, int count, Span<float> real, Span<float> imaginary)
        {
            FftProviders.CheckForwardArguments(this, frames, count, real, imaginary);
            var buffer = Buffer();
            for (int f = 0; f < count; f++)
            {
                Array.Clear(buffer);
                frames.Slice(f * SupportLength, SupportLength).CopyTo(buffer.AsSpan(SupportStart));
                Fourier.ForwardReal(buffer, Length, FourierOptions.Matlab);
                var re = real.Slice(f * Bins, Bins);
                var im = imaginary.Slice(f * Bins, Bins);
                for (int k = 0; k < Bins; k++)
                {
                    re[k] = buffer[2 * k];
                    im[k] = buffer[2 * k + 1];
                }
            }
        }

        public void Inverse(ReadOnlySpan<float> real, ReadOnlySpan<float> imaginary, Span<float> output)
        {
            if (real.Length < Bins || imaginary.Length < Bins) throw new ArgumentException($"irfft: needs {Bins} bins");
            if (output.Length < Length) throw new ArgumentException($"irfft: output needs {Length} samples", nameof(output));
            var buffer = Buffer();
            for (int k = 0; k < Bins; k++)
            {
                buffer[2 * k] = real[k];
                buffer[2 * k + 1] = imaginary[k];
            }
            // numpy.fft.irfft ignores the imaginary parts that a real signal cannot have.
            buffer[1] = 0;
            if (Length % 2 == 0) buffer[2 * (Bins - 1) + 1] = 0;
            Fourier.InverseReal(buffer, Length, FourierOptions.Matlab);
            buffer.AsSpan(0, Length).CopyTo(output);
        }
    }
}
