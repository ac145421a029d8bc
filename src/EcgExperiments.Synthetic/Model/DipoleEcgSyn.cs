namespace EcgExperiments.Synthetic.Model;

/// <summary>
/// The ECGSYN dynamical model (McSharry et al., IEEE TBME 50(3):289–294, 2003) extended to a 3-D
/// cardiac dipole, integrated with fixed-step RK4.
///
/// State (x, y, D): (x, y) runs on ECGSYN's attracting unit limit cycle
///     ẋ = αx − ωy,   ẏ = αy + ωx,   α = 1 − √(x² + y²),   ω = 2π / RR,
/// one turn per RR interval, phase θ = atan2(y, x), R at θ = 0. Each dipole axis k ∈ {X, Y, Z} follows
///     Ḋ_k = Σ_i a_ik (−ω Δθ_i / b_i² + λ) exp(−Δθ_i² / 2b_i²) − λ (D_k − z0_k(t)),   Δθ_i = wrap(θ − θ_i).
/// The first term is ECGSYN's Gaussian-event term with Sameni et al.'s ω/b² scaling (IEEE TBME 2007),
/// which makes the event amplitudes a_ik read directly in mV; the extra λ·Gaussian term cancels what
/// the relaxation would otherwise do to the waves, so D = Σ_i a_i G_i(θ) + w(t) where w is ECGSYN's
/// baseline wander: z0 low-passed by the relaxation (λ = 1 s⁻¹ as in ECGSYN). Δθ is wrapped to
/// (−π, π] so each event is periodic and the trajectory is continuous across beats.
///
/// ω is constant within an RR interval and each interval is a whole number of steps with
/// ω = 2π / (steps · h), so R peaks fall exactly on known internal samples (exact annotations).
/// </summary>
internal sealed class DipoleEcgSyn
{
    private const double Lambda = 1;

    private readonly struct Event
    {
        public readonly double Theta, InvB2, InvTwoB2, Reach, Ax, Ay, Az;

        public Event(Wave w)
        {
            Theta = w.Theta;
            InvB2 = 1 / (w.Width * w.Width);
            InvTwoB2 = 0.5 * InvB2;
            // beyond 8 widths the Gaussian is below 1.3e-14 of its peak: skipping it saves most exp() calls
            Reach = 8 * w.Width;
            Ax = w.Dipole.X; Ay = w.Dipole.Y; Az = w.Dipole.Z;
        }
    }

    private readonly Event[][] _morphologies;
    private readonly Vector3 _wanderDirection;
    private readonly double _wanderAmplitude, _wanderOmega, _wanderPhase;

    /// <param name="morphologies">Event tables, indexed by the kind index given per beat.</param>
    /// <param name="wanderDirection">Unit dipole direction of the respiratory baseline wander.</param>
    /// <param name="wanderAmplitude">Amplitude of the wander after the relaxation's low-pass (mV).</param>
    /// <param name="respiratoryHz">Wander frequency.</param>
    /// <param name="wanderPhase">Phase of the wander at t = 0.</param>
    public DipoleEcgSyn(IReadOnlyList<BeatMorphology> morphologies, Vector3 wanderDirection, double wanderAmplitude, double respiratoryHz, double wanderPhase)
    {
        // events without a dipole (e.g. no ST event in a normal beat, no P in a premature one) do nothing
        _morphologies = morphologies.Select(m => m.Waves.Where(w => w.Dipole.Length > 0).Select(w => new Event(w)).ToArray()).ToArray();
        _wanderDirection = wanderDirection;
        _wanderOmega = 2 * Math.PI * respiratoryHz;
        // z0 is drawn bigger so that, after the first-order low-pass with corner λ, the wander is wanderAmplitude
        _wanderAmplitude = wanderAmplitude * Math.Sqrt(1 + Math.Pow(_wanderOmega / Lambda, 2));
        _wanderPhase = wanderPhase;
    }

    /// <summary>
    /// Integrates from the R peak of beat 0 at internal step 0 and returns the dipole at internal
    /// steps <c>firstStep + j·stride</c>, j = 0..count−1, as [X, Y, Z][j].
    /// </summary>
    /// <param name="rPeakSteps">Internal step of every R peak, ascending, starting with 0 and reaching past the last output step.</param>
    /// <param name="beatKind">Morphology index of every beat.</param>
    /// <param name="h">Internal step (s).</param>
    /// <param name="firstStep">Internal step of the first output sample.</param>
    /// <param name="stride">Internal steps per output sample (decimation factor).</param>
    /// <param name="count">Output samples.</param>
    public double[][] Integrate(int[] rPeakSteps, int[] beatKind, double h, int firstStep, int stride, int count)
    {
        var output = new[] { new double[count], new double[count], new double[count] };
        int lastStep = firstStep + (count - 1) * stride;

        // start on the limit cycle at the R peak, with the wander already in its steady state
        Span<double> s = stackalloc double[5];
        s[0] = 1; s[1] = 0;
        var w0 = Wander(0, steadyState: true);
        var g0 = Events(_morphologies[beatKind[0]], 0);
        s[2] = g0.X + w0.X; s[3] = g0.Y + w0.Y; s[4] = g0.Z + w0.Z;

        Span<double> k1 = stackalloc double[5], k2 = stackalloc double[5], k3 = stackalloc double[5], k4 = stackalloc double[5], tmp = stackalloc double[5];
        int beat = 0;
        for (int step = 0; step <= lastStep; step++)
        {
            while (rPeakSteps[beat + 1] <= step) beat++;
            if (step >= firstStep && (step - firstStep) % stride == 0)
            {
                int j = (step - firstStep) / stride;
                output[0][j] = s[2]; output[1][j] = s[3]; output[2][j] = s[4];
            }
            if (step == lastStep) break;

            int steps = rPeakSteps[beat + 1] - rPeakSteps[beat];
            double omega = 2 * Math.PI / (steps * h);
            // the first half of an RR interval holds S–T of this beat, the second half P–R of the next
            int inBeat = step - rPeakSteps[beat];
            var events = _morphologies[2 * inBeat < steps ? beatKind[beat] : beatKind[beat + 1]];
            double t = step * h;

            Derivative(s, t, omega, events, k1);
            for (int i = 0; i < 5; i++) tmp[i] = s[i] + 0.5 * h * k1[i];
            Derivative(tmp, t + 0.5 * h, omega, events, k2);
            for (int i = 0; i < 5; i++) tmp[i] = s[i] + 0.5 * h * k2[i];
            Derivative(tmp, t + 0.5 * h, omega, events, k3);
            for (int i = 0; i < 5; i++) tmp[i] = s[i] + h * k3[i];
            Derivative(tmp, t + h, omega, events, k4);
            for (int i = 0; i < 5; i++) s[i] += h / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
        }
        return output;
    }

    private void Derivative(ReadOnlySpan<double> s, double t, double omega, Event[] events, Span<double> d)
    {
        double x = s[0], y = s[1];
        double alpha = 1 - Math.Sqrt(x * x + y * y);
        d[0] = alpha * x - omega * y;
        d[1] = alpha * y + omega * x;
        double theta = Math.Atan2(y, x);
        double dx = 0, dy = 0, dz = 0;
        foreach (var e in events)
        {
            double dt = Wrap(theta - e.Theta);
            if (Math.Abs(dt) > e.Reach) continue;
            double g = Math.Exp(-dt * dt * e.InvTwoB2);
            double c = g * (-omega * dt * e.InvB2 + Lambda);
            dx += e.Ax * c; dy += e.Ay * c; dz += e.Az * c;
        }
        var z0 = Wander(t, steadyState: false);
        d[2] = dx - Lambda * (s[2] - z0.X);
        d[3] = dy - Lambda * (s[3] - z0.Y);
        d[4] = dz - Lambda * (s[4] - z0.Z);
    }

    private static Vector3 Events(Event[] events, double theta)
    {
        double x = 0, y = 0, z = 0;
        foreach (var e in events)
        {
            double dt = Wrap(theta - e.Theta);
            double g = Math.Exp(-dt * dt * e.InvTwoB2);
            x += e.Ax * g; y += e.Ay * g; z += e.Az * g;
        }
        return new Vector3(x, y, z);
    }

    /// <summary>ECGSYN's z0(t) (the relaxation target), or the low-passed wander it produces in steady state.</summary>
    private Vector3 Wander(double t, bool steadyState)
    {
        double phase = _wanderOmega * t + _wanderPhase;
        double a = _wanderAmplitude;
        if (steadyState)
        {
            // first-order low-pass of a sinusoid: gain 1/√(1 + (ω/λ)²), lag atan(ω/λ)
            double ratio = _wanderOmega / Lambda;
            a /= Math.Sqrt(1 + ratio * ratio);
            phase -= Math.Atan(ratio);
        }
        return a * Math.Sin(phase) * _wanderDirection;
    }

    private static double Wrap(double a)
    {
        // θ and every θ_i lie in (−π, π], so one turn at most brings the difference into (−π, π]
        if (a > Math.PI) return a - 2 * Math.PI;
        if (a <= -Math.PI) return a + 2 * Math.PI;
        return a;
    }
}
