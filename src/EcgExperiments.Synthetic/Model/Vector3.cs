namespace EcgExperiments.Synthetic.Model;

/// <summary>A cardiac dipole in Frank vectorcardiographic axes: X to the left, Y inferior (feet), Z posterior (back), in mV.</summary>
internal readonly record struct Vector3(double X, double Y, double Z)
{
    public static Vector3 operator +(Vector3 a, Vector3 b) => new(a.X + b.X, a.Y + b.Y, a.Z + b.Z);
    public static Vector3 operator -(Vector3 a, Vector3 b) => new(a.X - b.X, a.Y - b.Y, a.Z - b.Z);
    public static Vector3 operator *(double s, Vector3 a) => new(s * a.X, s * a.Y, s * a.Z);
    public double Dot(Vector3 o) => X * o.X + Y * o.Y + Z * o.Z;
    public double Length => Math.Sqrt(Dot(this));
    public static Vector3 Lerp(Vector3 a, Vector3 b, double t) => a + t * (b - a);

    /// <summary>Rotation about X (sagittal tilt), then Y (horizontal-plane turn), then Z (frontal-plane axis shift).</summary>
    public Vector3 Rotate(double aboutX, double aboutY, double aboutZ)
    {
        double x = X, y = Y * Math.Cos(aboutX) - Z * Math.Sin(aboutX), z = Y * Math.Sin(aboutX) + Z * Math.Cos(aboutX);
        double x2 = x * Math.Cos(aboutY) + z * Math.Sin(aboutY), z2 = -x * Math.Sin(aboutY) + z * Math.Cos(aboutY);
        double x3 = x2 * Math.Cos(aboutZ) - y * Math.Sin(aboutZ), y3 = x2 * Math.Sin(aboutZ) + y * Math.Cos(aboutZ);
        return new Vector3(x3, y3, z2);
    }
}

/// <summary>
/// One ECGSYN Gaussian event: angular position θ on the limit cycle (rad, R at 0), angular width b
/// (rad) and, in the multi-lead extension, its own dipole vector (mV) instead of ECGSYN's scalar a.
/// </summary>
internal readonly record struct Wave(string Name, double Theta, double Width, Vector3 Dipole);

/// <summary>The events of one beat: P, Q, R, S, ST, T (ECGSYN's five plus an ST-segment event used for strain).</summary>
internal sealed record BeatMorphology(IReadOnlyList<Wave> Waves);
