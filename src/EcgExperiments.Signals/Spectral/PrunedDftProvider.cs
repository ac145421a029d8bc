using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace EcgExperiments.Signals.Spectral;

/// <summary>
/// Real DFT that touches only the non-zero support of each frame, with precomputed cos/sin bases.
/// Built for STFTs whose window is much shorter than n_fft (n_fft 428, window 64: the §2.2 recipe),
/// where an FFT of the whole frame mostly transforms zeros and 428 = 4·107 has a large prime factor.
/// </summary>
/// <remarks>
/// Each frame is folded around an integer centre c of its support: with e_j = v[c+j] + v[c−j] and
/// o_j = v[c+j] − v[c−j], X[k] = e^(−iθc)·(Σ e_j cos θj − i Σ o_j sin θj), θ = 2πk/N. That halves
/// the multiply-adds of a direct DFT. For even N the bins pair up: cos(θ_(N/2−k)·j) = (−1)^j cos(θ_k·j)
/// and sin(θ_(N/2−k)·j) = −(−1)^j sin(θ_k·j), so sums split by the parity of j give bins k and
/// N/2 − k together, halving the work again. Frames are processed four at a time against two SIMD
/// vectors of bins so every basis load feeds eight fused multiply-adds. Angles are reduced
/// exactly in integers ((k·j) mod N) before the cosine, so the basis is accurate to double
/// precision before it is stored as float. Inverse transforms are delegated to MathNet.
/// </remarks>
/// <example><code>
/// var plan = FftProviders.PrunedDft.CreateRealPlan(428, 183, 63);   // Hann-64 support of a 428-point frame
/// </code></example>
public sealed class PrunedDftProvider : IFftProvider
{
    public string Name => "pruned-dft";

    public IRealDftPlan CreateRealPlan(int length, int supportStart, int supportLength)
    {
        FftProviders.CheckPlanArguments(length, supportStart, supportLength);
        return Plan.Create(length, supportStart, supportLength);
    }

    private sealed class Plan : IRealDftPlan
    {
        private const int FrameBlock = 4;
        private readonly int _centre;     // absolute index of the folding centre
        private readonly int _radius;     // support ⊆ [centre − radius, centre + radius]
        private readonly int _baseBins;   // bins computed directly; the rest are mirrors
        private readonly bool _mirror;    // even N: bin N/2 − k comes from the sums of bin k
        private readonly int _padded;     // base bins rounded up to two SIMD vectors
        private readonly int _evenCount;  // j = 0, 2, 4, … ≤ radius
        private readonly int _oddCount;   // j = 1, 3, 5, … ≤ radius
        private readonly float[] _cosEven, _cosOdd, _sinEven, _sinOdd; // (j terms) × padded
        private readonly float[] _phaseCos, _phaseSin;             // e^(−iθc) of base bins
        private readonly float[] _mirrorCos, _mirrorSin;           // … and of their mirrors
        private readonly IRealDftPlan _inverse;

        private Plan(int length, int supportStart, int supportLength, int centre, int radius, int baseBins, bool mirror,
                     int padded, float[] cosEven, float[] cosOdd, float[] sinEven, float[] sinOdd,
                     float[] phaseCos, float[] phaseSin, float[] mirrorCos, float[] mirrorSin, IRealDftPlan inverse)
        {
            Length = length;
            Bins = length / 2 + 1;
            SupportStart = supportStart;
            SupportLength = supportLength;
            _centre = centre;
            _radius = radius;
            _baseBins = baseBins;
            _mirror = mirror;
            _padded = padded;
            _evenCount = radius / 2 + 1;
            _oddCount = (radius + 1) / 2;
            (_cosEven, _cosOdd, _sinEven, _sinOdd) = (cosEven, cosOdd, sinEven, sinOdd);
            (_phaseCos, _phaseSin, _mirrorCos, _mirrorSin) = (phaseCos, phaseSin, mirrorCos, mirrorSin);
            _inverse = inverse;
        }

        /// <summary>Precomputes the folded cos/sin bases and the phase of every bin.</summary>
        public static Plan Create(int length, int supportStart, int supportLength)
        {
            int centre = supportStart + supportLength / 2;
            int radius = Math.Max(centre - supportStart, supportStart + supportLength - 1 - centre);
            bool mirror = length % 2 == 0 && length >= 4;
            int baseBins = mirror ? length / 4 + 1 : length / 2 + 1;
            int lanes = 2 * Vector<float>.Count;
            int padded = (baseBins + lanes - 1) / lanes * lanes;
            int evenCount = radius / 2 + 1, oddCount = (radius + 1) / 2;
            var cosEven = new float[evenCount * padded];
            var sinEven = new float[evenCount * padded];
            var cosOdd = new float[Math.Max(oddCount, 1) * padded];
            var sinOdd = new float[Math.Max(oddCount, 1) * padded];
            var phaseCos = new float[padded];
            var phaseSin = new float[padded];
            var mirrorCos = new float[padded];
            var mirrorSin = new float[padded];
            for (int k = 0; k < baseBins; k++)
            {
                for (int j = 0; j <= radius; j++)
                {
                    double angle = Angle(k, j, length);
                    int row = (j / 2) * padded + k;
                    if (j % 2 == 0) { cosEven[row] = (float)Math.Cos(angle); sinEven[row] = (float)Math.Sin(angle); }
                    else { cosOdd[row] = (float)Math.Cos(angle); sinOdd[row] = (float)Math.Sin(angle); }
                }
                double phase = Angle(k, centre, length);
                phaseCos[k] = (float)Math.Cos(phase);
                phaseSin[k] = (float)Math.Sin(phase);
                if (mirror)
                {
                    double mirrored = Angle(length / 2 - k, centre, length);
                    mirrorCos[k] = (float)Math.Cos(mirrored);
                    mirrorSin[k] = (float)Math.Sin(mirrored);
                }
            }
            return new Plan(length, supportStart, supportLength, centre, radius, baseBins, mirror, padded,
                            cosEven, cosOdd, sinEven, sinOdd, phaseCos, phaseSin, mirrorCos, mirrorSin,
                            FftProviders.MathNet.CreateRealPlan(length, 0, length));
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
            Run(frames, count, real, imaginary, default, 0, 0);
        }

        public void ForwardPower(ReadOnlySpan<float> frames, int count, Span<float> power, int binStride, int frameStride)
        {
            if (frames.Length < (long)count * SupportLength)
                throw new ArgumentException($"dft: {count} frames need {(long)count * SupportLength} support samples, got {frames.Length}", nameof(frames));
            FftProviders.CheckPowerArguments(this, count, power, binStride, frameStride);
            Run(frames, count, default, default, power, binStride, frameStride);
        }

        // Complex output when power is empty, |X|² (phase never formed) otherwise.
        private void Run(ReadOnlySpan<float> frames, int count, Span<float> real, Span<float> imaginary,
                         Span<float> power, int binStride, int frameStride)
        {
            if (count == 0) return;
            // Frames are folded into four term lists each; the count is rounded up to whole blocks
            // of four with zero frames, whose outputs are dropped (cheaper than a one-frame kernel).
            int blocks = (count + FrameBlock - 1) / FrameBlock, rounded = blocks * FrameBlock;
            int evenStride = _evenCount, oddStride = Math.Max(_oddCount, 1);
            float[] scratch = ArrayPool<float>.Shared.Rent(2 * rounded * (evenStride + oddStride));
            try
            {
                var terms = scratch.AsSpan(0, 2 * rounded * (evenStride + oddStride));
                terms.Clear();
                var eEven = terms[..(rounded * evenStride)];
                var oEven = terms.Slice(rounded * evenStride, rounded * evenStride);
                var eOdd = terms.Slice(2 * rounded * evenStride, rounded * oddStride);
                var oOdd = terms.Slice(2 * rounded * evenStride + rounded * oddStride, rounded * oddStride);
                Fold(frames, count, eEven, eOdd, oEven, oOdd, evenStride, oddStride);
                Span<float> sums = stackalloc float[4 * FrameBlock * 2 * Vector<float>.Count];
                var output = new Output(real, imaginary, power, binStride, frameStride);
                for (int b = 0; b < blocks; b++)
                    Block(eEven, eOdd, oEven, oOdd, evenStride, oddStride, b * FrameBlock, count, sums, output);
            }
            finally
            {
                ArrayPool<float>.Shared.Return(scratch);
            }
        }

        // e_j = v[c+j] + v[c−j], o_j = v[c+j] − v[c−j], split by the parity of j (o_0 = 0).
        private void Fold(ReadOnlySpan<float> frames, int count, Span<float> eEven, Span<float> eOdd,
                          Span<float> oEven, Span<float> oOdd, int evenStride, int oddStride)
        {
            int c = _centre - SupportStart, length = SupportLength;
            int both = Math.Min(c, length - 1 - c); // j ≤ both: both v[c ± j] exist
            for (int f = 0; f < count; f++)
            {
                var v = frames.Slice(f * length, length);
                var ee = eEven.Slice(f * evenStride, evenStride);
                var oe = oEven.Slice(f * evenStride, evenStride);
                var eo = eOdd.Slice(f * oddStride, oddStride);
                var oo = oOdd.Slice(f * oddStride, oddStride);
                ee[0] = v[c];
                int j = 1;
                for (; j + 1 <= both; j += 2)
                {
                    float a1 = v[c + j], b1 = v[c - j], a2 = v[c + j + 1], b2 = v[c - j - 1];
                    eo[j / 2] = a1 + b1; oo[j / 2] = a1 - b1;
                    ee[(j + 1) / 2] = a2 + b2; oe[(j + 1) / 2] = a2 - b2;
                }
                // the one-sided tail (an even-length window leaves one sample without a partner)
                for (; j <= _radius; j++)
                {
                    float a = c + j < length ? v[c + j] : 0f;
                    float b = c - j >= 0 ? v[c - j] : 0f;
                    if ((j & 1) == 0) { ee[j / 2] = a + b; oe[j / 2] = a - b; }
                    else { eo[j / 2] = a + b; oo[j / 2] = a - b; }
                }
            }
        }

        private void Block(Span<float> eEven, Span<float> eOdd, Span<float> oEven, Span<float> oOdd,
                           int evenStride, int oddStride, int f0, int count,
                           Span<float> sums, Output output)
        {
            int w = Vector<float>.Count, span = FrameBlock * 2 * w;
            var p = sums[..span];
            var q = sums.Slice(span, span);
            var r = sums.Slice(2 * span, span);
            var s = sums.Slice(3 * span, span);
            Span<float> tmp = stackalloc float[2 * Vector<float>.Count];
            for (int kb = 0; kb < _padded; kb += 2 * w)
            {
                // P = Σ_even e·cos, Q = Σ_odd e·cos, R = Σ_even o·sin, S = Σ_odd o·sin
                Accumulate(_cosEven, eEven, evenStride, _evenCount, f0, kb, p);
                Accumulate(_cosOdd, eOdd, oddStride, _oddCount, f0, kb, q);
                Accumulate(_sinEven, oEven, evenStride, _evenCount, f0, kb, r);
                Accumulate(_sinOdd, oOdd, oddStride, _oddCount, f0, kb, s);
                int n = Math.Min(2 * w, _baseBins - kb);
                bool wholeBlock = f0 + FrameBlock <= count;
                for (int h = 0; h < 2; h++)
                {
                    int k = kb + h * w, lanes = Math.Min(w, n - h * w);
                    if (lanes <= 0) break;
                    if (!output.Power.IsEmpty && wholeBlock && lanes == w && output.FrameStride == 1 && Avx.IsSupported && w == 8)
                    {
                        WritePowerBlock(output, f0, k, p, q, r, s, h * w);
                        continue;
                    }
                    for (int fq = 0; fq < FrameBlock && f0 + fq < count; fq++)
                    {
                        int at = fq * 2 * w + h * w;
                        var pv = new Vector<float>(p[at..]);
                        var qv = new Vector<float>(q[at..]);
                        var rv = new Vector<float>(r[at..]);
                        var sv = new Vector<float>(s[at..]);
                        var a = pv + qv;
                        var b = rv + sv;
                        // bin N/2 − k: cos terms flip sign for odd j, sin terms for even j
                        var am = pv - qv;
                        var bm = sv - rv;
                        if (output.Power.IsEmpty)
                            WriteComplex(output, f0 + fq, k, lanes, a, b, am, bm, tmp);
                        else
                            WritePower(output, f0 + fq, k, lanes, a * a + b * b, am * am + bm * bm, tmp);
                    }
                }
            }
        }

        /// <summary>
        /// |X|² of four consecutive frames × eight bins (and their mirrors) into a (bins × frames)
        /// layout: a 4 × 8 SIMD transpose turns each bin's four frames into one 128-bit store.
        /// </summary>
        private void WritePowerBlock(Output o, int f0, int k, Span<float> p, Span<float> q, Span<float> r, Span<float> s, int lane0)
        {
            const int w = 8;
            Span<Vector256<float>> power = stackalloc Vector256<float>[FrameBlock];
            Span<Vector256<float>> mirror = stackalloc Vector256<float>[FrameBlock];
            for (int fq = 0; fq < FrameBlock; fq++)
            {
                int at = fq * 2 * w + lane0;
                var pv = Vector256.Create<float>(p.Slice(at, w));
                var qv = Vector256.Create<float>(q.Slice(at, w));
                var rv = Vector256.Create<float>(r.Slice(at, w));
                var sv = Vector256.Create<float>(s.Slice(at, w));
                var a = pv + qv;
                var b = rv + sv;
                var am = pv - qv;
                var bm = sv - rv;
                power[fq] = a * a + b * b;
                mirror[fq] = am * am + bm * bm;
            }
            ref float dst = ref MemoryMarshal.GetReference(o.Power);
            int bs = o.BinStride;
            Transpose4x8(power, out var u0, out var u1, out var u2, out var u3);
            Store4(ref dst, k * bs + f0, bs, u0, u1, u2, u3);
            if (!_mirror) return;
            Transpose4x8(mirror, out u0, out u1, out u2, out u3);
            Store4(ref dst, (Length / 2 - k) * bs + f0, -bs, u0, u1, u2, u3);
        }

        // rows a, b, c, d (8 lanes) → uL holds column L in its low half and column L+4 in its high half
        private static void Transpose4x8(Span<Vector256<float>> rows, out Vector256<float> u0, out Vector256<float> u1,
                                         out Vector256<float> u2, out Vector256<float> u3)
        {
            var t0 = Avx.UnpackLow(rows[0], rows[1]);
            var t1 = Avx.UnpackHigh(rows[0], rows[1]);
            var t2 = Avx.UnpackLow(rows[2], rows[3]);
            var t3 = Avx.UnpackHigh(rows[2], rows[3]);
            u0 = Avx.Shuffle(t0, t2, 0x44);
            u1 = Avx.Shuffle(t0, t2, 0xEE);
            u2 = Avx.Shuffle(t1, t3, 0x44);
            u3 = Avx.Shuffle(t1, t3, 0xEE);
        }

        // columns 0..7 go to rows at + 0·step … at + 7·step (step may be negative for mirrors)
        private static void Store4(ref float dst, int at, int step, Vector256<float> u0, Vector256<float> u1,
                                   Vector256<float> u2, Vector256<float> u3)
        {
            u0.GetLower().StoreUnsafe(ref Unsafe.Add(ref dst, at));
            u1.GetLower().StoreUnsafe(ref Unsafe.Add(ref dst, at + step));
            u2.GetLower().StoreUnsafe(ref Unsafe.Add(ref dst, at + 2 * step));
            u3.GetLower().StoreUnsafe(ref Unsafe.Add(ref dst, at + 3 * step));
            u0.GetUpper().StoreUnsafe(ref Unsafe.Add(ref dst, at + 4 * step));
            u1.GetUpper().StoreUnsafe(ref Unsafe.Add(ref dst, at + 5 * step));
            u2.GetUpper().StoreUnsafe(ref Unsafe.Add(ref dst, at + 6 * step));
            u3.GetUpper().StoreUnsafe(ref Unsafe.Add(ref dst, at + 7 * step));
        }

        private void WriteComplex(Output o, int t, int k, int lanes, Vector<float> a, Vector<float> b,
                                  Vector<float> am, Vector<float> bm, Span<float> tmp)
        {
            int w = Vector<float>.Count, row = t * Bins;
            // X = e^(−iφ)(A − iB) = (A cos φ − B sin φ) − i(A sin φ + B cos φ)
            var pc = new Vector<float>(_phaseCos, k);
            var ps = new Vector<float>(_phaseSin, k);
            Store(a * pc - b * ps, o.Real.Slice(row + k), lanes);
            Store(-(a * ps + b * pc), o.Imaginary.Slice(row + k), lanes);
            if (!_mirror) return;
            var mc = new Vector<float>(_mirrorCos, k);
            var ms = new Vector<float>(_mirrorSin, k);
            (am * mc - bm * ms).CopyTo(tmp);
            (-(am * ms + bm * mc)).CopyTo(tmp[w..]);
            int top = row + Length / 2 - k; // index of the mirror of lane 0
            for (int l = 0; l < lanes; l++)
            {
                o.Real[top - l] = tmp[l];
                o.Imaginary[top - l] = tmp[w + l];
            }
        }

        private void WritePower(Output o, int t, int k, int lanes, Vector<float> power, Vector<float> mirrorPower, Span<float> tmp)
        {
            int w = Vector<float>.Count;
            power.CopyTo(tmp);
            mirrorPower.CopyTo(tmp[w..]);
            ref float dst = ref MemoryMarshal.GetReference(o.Power);
            int bs = o.BinStride, at = t * o.FrameStride;
            for (int l = 0; l < lanes; l++) Unsafe.Add(ref dst, (k + l) * bs + at) = tmp[l];
            if (!_mirror) return;
            int top = Length / 2 - k;
            for (int l = 0; l < lanes; l++) Unsafe.Add(ref dst, (top - l) * bs + at) = tmp[w + l];
        }

        private ref struct Output(Span<float> real, Span<float> imaginary, Span<float> power, int binStride, int frameStride)
        {
            public Span<float> Real = real;
            public Span<float> Imaginary = imaginary;
            public Span<float> Power = power;
            public int BinStride = binStride;
            public int FrameStride = frameStride;
        }

        // Full vectors go straight out; the last, partial one must not spill into the next frame.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Store(Vector<float> v, Span<float> destination, int lanes)
        {
            if (lanes == Vector<float>.Count) v.CopyTo(destination);
            else for (int l = 0; l < lanes; l++) destination[l] = v[l];
        }

        // sums[f·2W + lane] = Σ_i terms[(f0+f)·stride + i] · basis[i·padded + kb + lane], four frames × two vectors
        private void Accumulate(float[] basis, Span<float> terms, int stride, int termCount, int f0, int kb, Span<float> sums)
        {
            int w = Vector<float>.Count;
            Vector<float> a00 = default, a01 = default, a10 = default, a11 = default;
            Vector<float> a20 = default, a21 = default, a30 = default, a31 = default;
            ref float b0 = ref MemoryMarshal.GetArrayDataReference(basis);
            ref float t0 = ref terms[f0 * stride];
            ref float t1 = ref Unsafe.Add(ref t0, stride);
            ref float t2 = ref Unsafe.Add(ref t1, stride);
            ref float t3 = ref Unsafe.Add(ref t2, stride);
            for (int i = 0; i < termCount; i++)
            {
                nuint at = (nuint)(i * _padded + kb);
                var c0 = Vector.LoadUnsafe(ref b0, at);
                var c1 = Vector.LoadUnsafe(ref b0, at + (nuint)w);
                var x0 = new Vector<float>(Unsafe.Add(ref t0, i));
                var x1 = new Vector<float>(Unsafe.Add(ref t1, i));
                var x2 = new Vector<float>(Unsafe.Add(ref t2, i));
                var x3 = new Vector<float>(Unsafe.Add(ref t3, i));
                a00 = Vector.FusedMultiplyAdd(x0, c0, a00); a01 = Vector.FusedMultiplyAdd(x0, c1, a01);
                a10 = Vector.FusedMultiplyAdd(x1, c0, a10); a11 = Vector.FusedMultiplyAdd(x1, c1, a11);
                a20 = Vector.FusedMultiplyAdd(x2, c0, a20); a21 = Vector.FusedMultiplyAdd(x2, c1, a21);
                a30 = Vector.FusedMultiplyAdd(x3, c0, a30); a31 = Vector.FusedMultiplyAdd(x3, c1, a31);
            }
            a00.CopyTo(sums); a01.CopyTo(sums[w..]);
            a10.CopyTo(sums[(2 * w)..]); a11.CopyTo(sums[(3 * w)..]);
            a20.CopyTo(sums[(4 * w)..]); a21.CopyTo(sums[(5 * w)..]);
            a30.CopyTo(sums[(6 * w)..]); a31.CopyTo(sums[(7 * w)..]);
        }
    }
}
