using System.Text;
using EcgExperiments.Core;

namespace EcgExperiments.Data.Wfdb;

/// <summary>
/// One annotation: its sample index, code and the fields WFDB attaches to it.
/// <see cref="Channel"/> and <see cref="Number"/> carry over from the previous annotation unless the
/// file changes them (as in WFDB's <c>getann</c>); <see cref="SubType"/> and <see cref="Aux"/> do not.
/// </summary>
/// <param name="Sample">Sample (frame) index the annotation refers to.</param>
/// <param name="Code">WFDB annotation code (see <see cref="WfdbAnnotationCodes"/>).</param>
/// <param name="SubType">Annotation subtype (e.g. noise level for '~').</param>
/// <param name="Channel">Signal the annotation refers to.</param>
/// <param name="Number">Annotator-defined number.</param>
/// <param name="Aux">Auxiliary text, e.g. "(AFIB" for a rhythm change; null when absent.</param>
public readonly record struct WfdbAnnotation(long Sample, int Code, int SubType, int Channel, int Number, string? Aux)
{
    /// <summary>Mnemonic, e.g. "N", "V", "+".</summary>
    public string Symbol => WfdbAnnotationCodes.Symbol(Code);

    /// <summary>True for QRS (beat) annotations, WFDB's <c>isqrs</c>.</summary>
    public bool IsBeat => WfdbAnnotationCodes.IsBeat(Code);
}

/// <summary>
/// Reads MIT-format annotation files (e.g. <c>.atr</c>): 16-bit little-endian words holding a 6-bit code
/// and a 10-bit time increment, with the pseudo-codes SKIP (59, followed by a 32-bit interval stored
/// high word first), NUM (60), SUB (61), CHN (62) and AUX (63, followed by the text padded to even length);
/// a zero word ends the file.
/// </summary>
/// <example><code>
/// var anns = WfdbAnnotationReader.Read("/data/mitbih/100");           // reads 100.atr
/// int beats = anns.Count(a => a.IsBeat);                              // 2273
/// string rhythm = anns[0].Aux!;                                       // "(N"
/// </code></example>
public static class WfdbAnnotationReader
{
    private const int CodeSkip = 59, CodeNum = 60, CodeSub = 61, CodeChn = 62, CodeAux = 63;

    /// <summary>Reads the annotator file of a record: <c>{recordPath}.{annotator}</c> (record path without extension).</summary>
    public static IReadOnlyList<WfdbAnnotation> Read(string recordPath, string annotator = "atr")
    {
        ArgumentNullException.ThrowIfNull(recordPath);
        var path = recordPath.EndsWith(".hea", StringComparison.OrdinalIgnoreCase) ? recordPath[..^4] : recordPath;
        return ReadFile($"{path}.{annotator}");
    }

    /// <summary>Reads one annotation file by its full path.</summary>
    public static IReadOnlyList<WfdbAnnotation> ReadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var record = Path.GetFileNameWithoutExtension(path);
        if (!File.Exists(path))
            throw new EcgDataException(
                $"annotation file not found; the reference annotations ({Path.GetExtension(path)}) must sit next to the record's header. " +
                ProjectPaths.DataHelp, path, record: record);
        return Parse(File.ReadAllBytes(path), path, record);
    }

    /// <summary>Decodes annotation bytes; <paramref name="source"/> and <paramref name="record"/> name the data in errors.</summary>
    public static IReadOnlyList<WfdbAnnotation> Parse(ReadOnlySpan<byte> bytes, string source, string? record = null)
    {
        var result = new List<WfdbAnnotation>(bytes.Length / 2);
        long time = 0;
        int channel = 0, number = 0;
        int pos = 0;
        bool ended = false;
        // Fields of the annotation being assembled; pseudo-annotations after it modify it.
        bool pending = false;
        long pTime = 0;
        int pCode = 0, pSub = 0;
        string? pAux = null;

        void Flush()
        {
            if (pending) result.Add(new WfdbAnnotation(pTime, pCode, pSub, channel, number, pAux));
            pending = false;
        }

        while (pos + 2 <= bytes.Length)
        {
            int word = bytes[pos] | (bytes[pos + 1] << 8);
            int at = pos;
            pos += 2;
            if (word == 0)
            {
                ended = true;
                break;
            }
            int code = word >> 10, data = word & 0x3FF;
            switch (code)
            {
                case CodeSkip:
                    if (pos + 4 > bytes.Length)
                        throw new EcgDataException(
                            $"SKIP at byte {at} lacks its 4-byte interval (file ends at byte {bytes.Length}); the annotation file is truncated",
                            source, record: record);
                    // PDP-11 long: high 16-bit word first, each word little-endian.
                    int hi = bytes[pos] | (bytes[pos + 1] << 8), lo = bytes[pos + 2] | (bytes[pos + 3] << 8);
                    time += (hi << 16) | lo;
                    pos += 4;
                    break;
                case CodeNum:
                    RequirePending(pending, "NUM", at, source, record);
                    number = data;
                    break;
                case CodeSub:
                    RequirePending(pending, "SUB", at, source, record);
                    pSub = data;
                    break;
                case CodeChn:
                    RequirePending(pending, "CHN", at, source, record);
                    channel = data;
                    break;
                case CodeAux:
                    RequirePending(pending, "AUX", at, source, record);
                    int length = data & 0xFF;
                    int padded = (length + 1) & ~1;
                    if (pos + padded > bytes.Length)
                        throw new EcgDataException(
                            $"AUX at byte {at} announces {length} bytes but the file ends at byte {bytes.Length}; the annotation file is truncated",
                            source, record: record);
                    pAux = Encoding.Latin1.GetString(bytes.Slice(pos, length)).TrimEnd('\0');
                    pos += padded;
                    break;
                default:
                    if (code > WfdbAnnotationCodes.MaxCode)
                        throw new EcgDataException(
                            $"annotation code {code} at byte {at} is not a valid code (1-{WfdbAnnotationCodes.MaxCode} or pseudo-codes 59-63); " +
                            "the file is corrupt or not an MIT-format annotation file", source, record: record);
                    Flush();
                    time += data;
                    pending = true;
                    pTime = time;
                    pCode = code;
                    pSub = 0;
                    pAux = null;
                    // CHN and NUM persist from the previous annotation, so they are read at flush time.
                    break;
            }
        }
        Flush();
        if (!ended)
            throw new EcgDataException(
                $"annotation file ends at byte {bytes.Length} without its end marker (a zero word); it is truncated or not an annotation file",
                source, record: record);
        return result;
    }

    private static void RequirePending(bool pending, string name, int at, string source, string? record)
    {
        if (!pending)
            throw new EcgDataException($"{name} at byte {at} precedes any annotation; the file is corrupt or not an MIT-format annotation file",
                source, record: record);
    }
}
