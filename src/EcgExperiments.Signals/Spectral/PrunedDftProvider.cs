using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace EcgExperiments.Signals.Spectral;

/// <summary>
/// Real DFT that touches only the non-zero support of each frame, with precomputed cos/sin bases.
/// Built for STFTs whose window is much shorter than n_fft (n_fft 428, window 64: the §2.2 recipe),
/// where an FFT of the whole frame mostly transforms zeros and 428 = 4·107 has a large prime factor.
/// </summary>
/// <remarks>
/// Each frame is folded around an integer centre c of its support: with e_j = v[c+j] + v[c−j] and
/// o_j = v[c+j] − v[c−j], X[k] = e^(−iθc)·(Σ e_j cos θj − i Σ o_j sin θj), θ = 2πk/N. That halves
/// the multiply-adds of a direct DFT. Frames are processed four at a time against two SIMD
/// vectors of bins so every basis load feeds eight fused multiply-adds. Angles are reduced
/// exactly in integers ((k·j) mod N) before the cosine, so the basis is accurate to double
/// precision before it is stored as float. Inverse transforms are delegated to MathNet.
/// </remarks>
public sealed class PrunedDftProvider : IFftProvider
{
    public string Name => "pruned-dft";

    public IRealDftPlan CreateRealPlan(int length, int supportStart, int supportLength)
    {
        FftProviders.CheckPlanArguments(length, supportStart, supportLength);
        return new Plan(length, supportStart, supportLength);
    }

    private sealed class Plan : IRealDftPlan
    {
        private const int FrameBlock = 4;
        private readonly int _centre;      // absolute index of the folding centre
        private readonly int _radius;      // support ⊆ [centre − radius, centre + radius]
        private readonly int _paddedBins;  // bins rounded up to two SIMD vectors
        private readonly float[] _cos;     // (radius + 1) × paddedBins: cos(2π k j / N)
        private readonly float[] _sin;     // radius × paddedBins: sin(2π k j / N), j ≥ 1
        private readonly float[] _phaseCos;
        private readonly float[] _phaseSin;
        private readonly IRealDftPlan _inverse;

        public Plan(int length, int supportStart, int supportLength)
        {
            Length = length;
            Bins = length / 2 + 1;
            SupportStart = supportStart;
            SupportLength = supportLength;
            _centre = supportStart + supportLength / 2;
            _radius = Math.Max(_centre - supportStart, supportStart + supportLength - 1 - _centre);
            int lanes = 2 * Vector<float>.Count;
            _paddedBins = (Bins + lanes - 1) / lanes * lanes;
            _cos = new float[(_radius + 1) * _paddedBins];
            _sin = new float[Math.Max(_radius, 1) * _paddedBins];
            _phaseCos = new float[_paddedBins];
            _phaseSin = new float[_paddedBins];
            for (int k = 0; k < Bins; k++)
            {
                for (int j = 0; j <= _radius; j++)
                {
                    double angle = Angle(k, j, length);
                    _cos[j * _paddedBins + k] = (float)Math.Cos(angle);
                    if (j > 0) _sin[(j - 1) * _paddedBins + k] = (float)Math.Sin(angle);
                }
                double phase = Angle(k, _centre, length);
                _phaseCos[k] = (float)Math.Cos(phase);
                _phaseSin[k] = (float)Math.Sin(phase);
            }
            _inverse = FftProviders.MathNet.CreateRealPlan(length, 0, length);
        }

        private static double Angle(int k, int j, int n) => 2 * Math.PI * (int)((long)k * j % n) / n;

        public string ProviderName => "pruned-dft";
        public int Length { get; }
        public int Bins { get; }
        public int SupportStart { get; }
        public int SupportLength { get; }

        public void Inverse(ReadOnlySpan<float> real, ReadOnlySpan<float> imaginary, Span<float> output)
            => _inverse.Inverse(real, imaginary, output);

        public void Forward(ReadOnlySpan<float> frames, int count, Span<float> real, Span<float> imaginary)
        {
            FftProviders.CheckForwardArguments(this, frames, count, real, imaginary);
            if (count == 0) return;
            int evenStride = _radius + 1, oddStride = Math.Max(_radius, 1);
            float[] even = ArrayPool<float>.Shared.Rent(count * evenStride);
            float[] odd = ArrayPool<float>.Shared.Rent(count * oddStride);
            try
            {
                Fold(frames, count, even, evenStride, odd, oddStride);
                int f = 0;
                for (; f + FrameBlock <= count; f += FrameBlock)
                    Block4(even, evenStride, odd, oddStride, f, real, imaginary);
                for (; f < count; f++)
                    Block1(even, evenStride, odd, oddStride, f, real, imaginary);
            }
            finally
            {
                ArrayPool<float>.Shared.Return(even);
                ArrayPool<float>.Shared.Return(odd);
            }
        }

        private void Fold(ReadOnlySpan<float> frames, int count, Span<float> even, int evenStride, Span<float> odd, int oddStride)
        {
            int c = _centre - SupportStart; // centre relative to the support
            for (int f = 0; f < count; f++)
            {
                var v = frames.Slice(f * SupportLength, SupportLength);
                var e = even.Slice(f * evenStride, evenStride);
                var o = odd.Slice(f * oddStride, oddStride);
                e[0] = v[c];
                for (int j = 1; j <= _radius; j++)
                {
                    int hi = c + j, lo = c - j;
                    float a = (uint)hi < (uint)v.Length ? v[hi] : 0f;
                    float b = (uint)lo < (uint)v.Length ? v[lo] : 0f;
                    e[j] = a + b;
                    o[j - 1] = a - b;
                }
            }
        }

        private void Block4(float[] even, int evenStride, float[] odd, int oddStride, int f0,
                            Span<float> real, Span<float> imaginary)
        {
            int w = Vector<float>.Count;
            ref float cosBase = ref MemoryMarshal.GetArrayDataReference(_cos);
            ref float sinBase = ref MemoryMarshal.GetArrayDataReference(_sin);
            ref float e0 = ref even[f0 * evenStride];
            ref float e1 = ref Unsafe.Add(ref e0, evenStride);
            ref float e2 = ref Unsafe.Add(ref e1, evenStride);
            ref float e3 = ref Unsafe.Add(ref e2, evenStride);
            ref float o0 = ref odd[f0 * oddStride];
            ref float o1 = ref Unsafe.Add(ref o0, oddStride);
            ref float o2 = ref Unsafe.Add(ref o1, oddStride);
            ref float o3 = ref Unsafe.Add(ref o2, oddStride);
            Span<float> re = stackalloc float[FrameBlock * 2 * Vector<float>.Count];
            Span<float> im = stackalloc float[FrameBlock * 2 * Vector<float>.Count];
            for (int kb = 0; kb < _paddedBins; kb += 2 * w)
            {
                Vector<float> a00 = default, a01 = default, a10 = default, a11 = default;
                Vector<float> a20 = default, a21 = default, a30 = default, a31 = default;
                for (int j = 0; j <= _radius; j++)
                {
                    nuint at = (nuint)(j * _paddedBins + kb);
                    var c0 = Vector.LoadUnsafe(ref cosBase, at);
                    var c1 = Vector.LoadUnsafe(ref cosBase, at + (nuint)w);
                    var x0 = new Vector<float>(Unsafe.Add(ref e0, j));
                    var x1 = new Vector<float>(Unsafe.Add(ref e1, j));
                    var x2 = new Vector<float>(Unsafe.Add(ref e2, j));
                    var x3 = new Vector<float>(Unsafe.Add(ref e3, j));
                    a00 = Vector.FusedMultiplyAdd(x0, c0, a00); a01 = Vector.FusedMultiplyAdd(x0, c1, a01);
                    a10 = Vector.FusedMultiplyAdd(x1, c0, a10); a11 = Vector.FusedMultiplyAdd(x1, c1, a11);
                    a20 = Vector.FusedMultiplyAdd(x2, c0, a20); a21 = Vector.FusedMultiplyAdd(x2, c1, a21);
                    a30 = Vector.FusedMultiplyAdd(x3, c0, a30); a31 = Vector.FusedMultiplyAdd(x3, c1, a31);
                }
                Vector<float> b00 = default, b01 = default, b10 = default, b11 = default;
                Vector<float> b20 = default, b21 = default, b30 = default, b31 = default;
                for (int j = 0; j < _radius; j++)
                {
                    nuint at = (nuint)(j * _paddedBins + kb);
                    var s0 = Vector.LoadUnsafe(ref sinBase, at);
                    var s1 = Vector.LoadUnsafe(ref sinBase, at + (nuint)w);
                    var x0 = new Vector<float>(Unsafe.Add(ref o0, j));
                    var x1 = new Vector<float>(Unsafe.Add(ref o1, j));
                    var x2 = new Vector<float>(Unsafe.Add(ref o2, j));
                    var x3 = new Vector<float>(Unsafe.Add(ref o3, j));
                    b00 = Vector.FusedMultiplyAdd(x0, s0, b00); b01 = Vector.FusedMultiplyAdd(x0, s1, b01);
                    b10 = Vector.FusedMultiplyAdd(x1, s0, b10); b11 = Vector.FusedMultiplyAdd(x1, s1, b11);
                    b20 = Vector.FusedMultiplyAdd(x2, s0, b20); b21 = Vector.FusedMultiplyAdd(x2, s1, b21);
                    b30 = Vector.FusedMultiplyAdd(x3, s0, b30); b31 = Vector.FusedMultiplyAdd(x3, s1, b31);
                }
                var pc0 = new Vector<float>(_phaseCos, kb); var pc1 = new Vector<float>(_phaseCos, kb + w);
                var ps0 = new Vector<float>(_phaseSin, kb); var ps1 = new Vector<float>(_phaseSin, kb + w);
                Rotate(a00, b00, pc0, ps0, re, im, 0); Rotate(a01, b01, pc1, ps1, re, im, w);
                Rotate(a10, b10, pc0, ps0, re, im, 2 * w); Rotate(a11, b11, pc1, ps1, re, im, 3 * w);
                Rotate(a20, b20, pc0, ps0, re, im, 4 * w); Rotate(a21, b21, pc1, ps1, re, im, 5 * w);
                Rotate(a30, b30, pc0, ps0, re, im, 6 * w); Rotate(a31, b31, pc1, ps1, re, im, 7 * w);
                int n = Math.Min(2 * w, Bins - kb);
                for (int q = 0; q < FrameBlock; q++)
                {
                    int dst = (f0 + q) * Bins + kb;
                    re.Slice(q * 2 * w, n).CopyTo(real.Slice(dst, n));
                    im.Slice(q * 2 * w, n).CopyTo(imaginary.Slice(dst, n));
                }
            }
        }

        private void Block1(float[] even, int evenStride, float[] odd, int oddStride, int f,
                            Span<float> real, Span<float> imaginary)
        {
            int w = Vector<float>.Count;
            Span<float> re = stackalloc float[Vector<float>.Count];
            Span<float> im = stackalloc float[Vector<float>.Count];
            for (int kb = 0; kb < _paddedBins; kb += w)
            {
                Vector<float> a = default, b = default;
                for (int j = 0; j <= _radius; j++)
                    a = Vector.FusedMultiplyAdd(new Vector<float>(even[f * evenStride + j]), new Vector<float>(_cos, j * _paddedBins + kb), a);
                for (int j = 0; j < _radius; j++)
                    b = Vector.FusedMultiplyAdd(new Vector<float>(odd[f * oddStride + j]), new Vector<float>(_sin, j * _paddedBins + kb), b);
                Rotate(a, b, new Vector<float>(_phaseCos, kb), new Vector<float>(_phaseSin, kb), re, im, 0);
                int n = Math.Min(w, Bins - kb);
                if (n <= 0) break;
                re[..n].CopyTo(real.Slice(f * Bins + kb, n));
                im[..n].CopyTo(imaginary.Slice(f * Bins + kb, n));
            }
        }

        // (cos φ − i sin φ)(A − iB) = (A cos φ − B sin φ) − i(A sin φ + B cos φ)
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Rotate(Vector<float> a, Vector<float> b, Vector<float> pc, Vector<float> ps,
                                   Span<float> re, Span<float> im, int at)
        {
            (a * pc - b * ps).CopyTo(re[at..]);
            (-(a * ps + b * pc)).CopyTo(im[at..]);
        }
    }
}
