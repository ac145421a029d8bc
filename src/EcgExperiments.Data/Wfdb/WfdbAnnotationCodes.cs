namespace EcgExperiments.Data.Wfdb;

/// <summary>
/// The standard WFDB annotation code table (<c>ecgcodes.h</c>): code → mnemonic, description and
/// whether the code marks a QRS complex (WFDB's <c>isqrs</c>). Codes 42–49 are user-defined.
/// </summary>
/// <example><code>
/// WfdbAnnotationCodes.Symbol(5);      // "V"
/// WfdbAnnotationCodes.CodeOf("/");    // 12
/// WfdbAnnotationCodes.IsBeat(28);     // false: '+' is a rhythm change
/// </code></example>
public static class WfdbAnnotationCodes
{
    /// <summary>Largest valid annotation code.</summary>
    public const int MaxCode = 49;

    private static readonly (string Symbol, string Description, bool IsBeat)[] Table =
    [
        (" ", "not-QRS (not an annotation)", false),            // 0 NOTQRS
        ("N", "normal beat", true),                              // 1 NORMAL
        ("L", "left bundle branch block beat", true),            // 2 LBBB
        ("R", "right bundle branch block beat", true),           // 3 RBBB
        ("a", "aberrated atrial premature beat", true),          // 4 ABERR
        ("V", "premature ventricular contraction", true),        // 5 PVC
        ("F", "fusion of ventricular and normal beat", true),    // 6 FUSION
        ("J", "nodal (junctional) premature beat", true),        // 7 NPC
        ("A", "atrial premature contraction", true),             // 8 APC
        ("S", "premature or ectopic supraventricular beat", true), // 9 SVPB
        ("E", "ventricular escape beat", true),                  // 10 VESC
        ("j", "nodal (junctional) escape beat", true),           // 11 NESC
        ("/", "paced beat", true),                               // 12 PACE
        ("Q", "unclassifiable beat", true),                      // 13 UNKNOWN
        ("~", "signal quality change", false),                   // 14 NOISE
        ("[15]", "unassigned code 15", false),
        ("|", "isolated QRS-like artifact", false),              // 16 ARFCT
        ("[17]", "unassigned code 17", false),
        ("s", "ST change", false),                               // 18 STCH
        ("T", "T-wave change", false),                           // 19 TCH
        ("*", "systole", false),                                 // 20 SYSTOLE
        ("D", "diastole", false),                                // 21 DIASTOLE
        ("\"", "comment annotation", false),                     // 22 NOTE
        ("=", "measurement annotation", false),                  // 23 MEASURE
        ("p", "P-wave peak", false),                             // 24 PWAVE
        ("B", "left or right bundle branch block beat", true),   // 25 BBB
        ("^", "non-conducted pacer spike", false),               // 26 PACESP
        ("t", "T-wave peak", false),                             // 27 TWAVE
        ("+", "rhythm change", false),                           // 28 RHYTHM
        ("u", "U-wave peak", false),                             // 29 UWAVE
        ("?", "learning", true),                                 // 30 LEARN
        ("!", "ventricular flutter wave", true),                 // 31 FLWAV
        ("[", "start of ventricular flutter/fibrillation", false), // 32 VFON
        ("]", "end of ventricular flutter/fibrillation", false), // 33 VFOFF
        ("e", "atrial escape beat", true),                       // 34 AESC
        ("n", "supraventricular escape beat", true),             // 35 SVESC
        ("@", "link to external data", false),                   // 36 LINK
        ("x", "non-conducted P-wave (blocked APB)", false),      // 37 NAPC
        ("f", "fusion of paced and normal beat", true),          // 38 PFUS
        ("(", "waveform onset", false),                          // 39 WFON
        (")", "waveform end", false),                            // 40 WFOFF
        ("r", "R-on-T premature ventricular contraction", true), // 41 RONT
        ("[42]", "user-defined code 42", false),
        ("[43]", "user-defined code 43", false),
        ("[44]", "user-defined code 44", false),
        ("[45]", "user-defined code 45", false),
        ("[46]", "user-defined code 46", false),
        ("[47]", "user-defined code 47", false),
        ("[48]", "user-defined code 48", false),
        ("[49]", "user-defined code 49", false),
    ];

    private static readonly Dictionary<string, int> BySymbol = BuildIndex();

    private static Dictionary<string, int> BuildIndex()
    {
        var d = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int c = 1; c <= MaxCode; c++) d.TryAdd(Table[c].Symbol, c);
        return d;
    }

    /// <summary>Mnemonic of <paramref name="code"/> (e.g. 1 → "N"); "[code]" outside the table.</summary>
    public static string Symbol(int code) => code is >= 0 and <= MaxCode ? Table[code].Symbol : $"[{code}]";

    /// <summary>Human description of <paramref name="code"/>.</summary>
    public static string Description(int code) => code is >= 0 and <= MaxCode ? Table[code].Description : $"unknown code {code}";

    /// <summary>True when <paramref name="code"/> marks a QRS complex (WFDB <c>isqrs</c>).</summary>
    public static bool IsBeat(int code) => code is >= 0 and <= MaxCode && Table[code].IsBeat;

    /// <summary>Code of mnemonic <paramref name="symbol"/>, or 0 (NOTQRS) when it is not in the table.</summary>
    public static int CodeOf(string symbol) => BySymbol.TryGetValue(symbol, out var c) ? c : 0;
}
