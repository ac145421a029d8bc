namespace EcgExperiments.Synthetic.Model;

/// <summary>
/// Dipole → 12 leads. The eight independent leads (I, II, V1–V6) are the inverse-Dower projection of
/// the Frank-axis dipole (Dower, Machado &amp; Osborne 1980); III, aVR, aVL and aVF are then computed
/// from the (noisy, float) I and II with the Einthoven/Goldberger identities, so those hold exactly
/// in single precision: III = II − I, aVR = −(I + II)/2, aVL = I − II/2, aVF = II − I/2.
/// </summary>
internal static class LeadProjection
{
    /// <summary>PTB-XL lead order and names.</summary>
    public static readonly string[] LeadNames = ["I", "II", "III", "AVR", "AVL", "AVF", "V1", "V2", "V3", "V4", "V5", "V6"];

    /// <summary>Rows: I, II, V1..V6; columns X, Y, Z.</summary>
    public static readonly Vector3[] Independent =
    [
        new(0.632, -0.235, 0.059),
        new(0.235, 1.066, -0.132),
        new(-0.515, 0.157, -0.917),
        new(0.044, 0.164, -1.387),
        new(0.882, 0.098, -1.277),
        new(1.213, 0.127, -0.601),
        new(1.125, 0.127, -0.086),
        new(0.831, 0.076, 0.230),
    ];

    /// <summary>Output lead index of each independent lead.</summary>
    public static readonly int[] IndependentSlots = [0, 1, 6, 7, 8, 9, 10, 11];

    public static void DeriveLimbLeads(float[][] leads, int sample)
    {
        float i = leads[0][sample], ii = leads[1][sample];
        leads[2][sample] = ii - i;
        leads[3][sample] = -(i + ii) / 2;
        leads[4][sample] = i - ii / 2;
        leads[5][sample] = ii - i / 2;
    }
}
