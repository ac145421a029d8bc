using System.Text;
using EcgExperiments.Core;

namespace EcgExperiments.Data.Wfdb;

/// <summary>
/// One annotation: its sample index, code and the fields WFDB attaches to it, with WFDB's field widths
/// (<c>subtyp</c> and <c>num</c> signed 8-bit, <c>chan</c> unsigned 8-bit).
/// <see cref="Channel"/> and <see cref="Number"/> carry over from the previous annotation unless the
/// file changes them (as in WFDB's <c>getann</c>); <see cref="SubType"/> and <see cref="Aux"/> do not.
/// </summary>
/// <param name="Sample">Sample (frame) index the annotation refers to.</param>
/// <param name="Code">WFDB annotation code (see <see cref="WfdbAnnotationCodes"/>).</param>
/// <param name="SubType">Annotation subtype (e.g. noise level for '~'), −128…127.</param>
/// <param name="Channel">Signal the annotation refers to, 0…255.</param>
/// <param name="Number">Annotator-defined number, −128…127.</param>
/// <param name="Aux">Auxiliary text, e.g. "(AFIB" for a rhythm change; null when absent.</param>
public readonly record struct WfdbAnnotation(long Sample, int Code, int SubType, int Channel, int Number, string? Aux)
{
    /// <summary>The mnemonic the annotation file itself defines for <see cref="Code"/>, or null (standard table).</summary>
    public string? CustomSymbol { get; init; }

    /// <summary>Mnemonic, e.g. "N", "V", "+": the file's own definition when it has one, else WFDB's standard table.</summary>
    public string Symbol => CustomSymbol ?? WfdbAnnotationCodes.Symbol(Code);

    /// <summary>True for QRS (beat) annotations, WFDB's <c>isqrs</c>.</summary>
    public bool IsBeat => WfdbAnnotationCodes.IsBeat(Code);
}

/// <summary>An annotation code an annotation file defines for itself (WFDB's <c>## annotation type definitions</c> block).</summary>
/// <param name="Code">The code (usually one of the user-defined codes 42–49).</param>
/// <param name="Symbol">Its mnemonic.</param>
/// <param name="Description">Its description.</param>
public sealed record WfdbCustomCode(int Code, string Symbol, string Description);

/// <summary>
/// Everything an annotation file holds: the annotations proper, and the entries that describe the file rather
/// than the signal — definition NOTEs at sample 0 (time resolution, custom codes) and null (code 0) entries
/// such as the filler writers put after the definitions. Only <see cref="Annotations"/> belongs in beat lists.
/// </summary>
public sealed class WfdbAnnotationFile
{
    internal WfdbAnnotationFile(IReadOnlyList<WfdbAnnotation> annotations, IReadOnlyList<WfdbAnnotation> definitions,
        IReadOnlyList<WfdbAnnotation> nullEntries, double? timeResolution, IReadOnlyDictionary<int, WfdbCustomCode> customCodes)
    {
        Annotations = annotations;
        Definitions = definitions;
        NullEntries = nullEntries;
        TimeResolution = timeResolution;
        CustomCodes = customCodes;
    }

    /// <summary>Annotations of the signal, in file order (custom codes carry the file's mnemonic).</summary>
    public IReadOnlyList<WfdbAnnotation> Annotations { get; }

    /// <summary>The definition NOTEs at sample 0 ("## time resolution: …", the custom code table), in file order.</summary>
    public IReadOnlyList<WfdbAnnotation> Definitions { get; }

    /// <summary>Entries with code 0 (NOTQRS), which mark no event.</summary>
    public IReadOnlyList<WfdbAnnotation> NullEntries { get; }

    /// <summary>Sampling frequency the annotation times count in, when the file states one ("## time resolution: 250").</summary>
    public double? TimeResolution { get; }

    /// <summary>Codes the file defines for itself, by code.</summary>
    public IReadOnlyDictionary<int, WfdbCustomCode> CustomCodes { get; }

    /// <summary>Mnemonic of <paramref name="code"/> in this file: its own definition, else WFDB's standard table.</summary>
    public string SymbolOf(int code) => CustomCodes.TryGetValue(code, out var c) ? c.Symbol : WfdbAnnotationCodes.Symbol(code);

    /// <summary>Description of <paramref name="code"/> in this file.</summary>
    public string DescriptionOf(int code) => CustomCodes.TryGetValue(code, out var c) ? c.Description : WfdbAnnotationCodes.Description(code);
}

/// <summary>
/// Reads MIT-format annotation files (e.g. <c>.atr</c>): 16-bit little-endian words holding a 6-bit code
/// and a 10-bit time increment, with the pseudo-codes SKIP (59, followed by a 32-bit interval stored
/// high word first), NUM (60), SUB (61), CHN (62) and AUX (63, followed by the text padded to even length);
/// a zero word ends the file. Definition NOTEs at sample 0 and null (code 0) entries are kept apart
/// (<see cref="ReadAll"/>); <see cref="Read"/> returns the annotations proper.
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
        => ReadAll(recordPath, annotator).Annotations;

    /// <summary>Reads one annotation file by its full path.</summary>
    public static IReadOnlyList<WfdbAnnotation> ReadFile(string path) => ReadFileAll(path).Annotations;

    /// <summary>Decodes annotation bytes; <paramref name="source"/> and <paramref name="record"/> name the data in errors.</summary>
    public static IReadOnlyList<WfdbAnnotation> Parse(ReadOnlySpan<byte> bytes, string source, string? record = null)
        => ParseAll(bytes, source, record).Annotations;

    /// <summary>Reads a record's annotator file with its definitions and null entries.</summary>
    public static WfdbAnnotationFile ReadAll(string recordPath, string annotator = "atr")
    {
        ArgumentNullException.ThrowIfNull(recordPath);
        var path = recordPath.EndsWith(".hea", StringComparison.OrdinalIgnoreCase) ? recordPath[..^4] : recordPath;
        return ReadFileAll($"{path}.{annotator}");
    }

    /// <summary>Reads one annotation file by its full path, with its definitions and null entries.</summary>
    public static WfdbAnnotationFile ReadFileAll(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var record = Path.GetFileNameWithoutExtension(path);
        if (WfdbFiles.DanglingLinkTarget(path) is { } link)
            throw new EcgDataException($"annotation file {WfdbFiles.DanglingLinkAdvice(link)}", path, record: record);
        if (!File.Exists(path))
            throw new EcgDataException(
                $"annotation file not found; the reference annotations ({Path.GetExtension(path)}) must sit next to the record's header. " +
                ProjectPaths.DataHelp, path, record: record);
        return ParseAll(File.ReadAllBytes(path), path, record);
    }

    /// <summary>Decodes annotation bytes into annotations, definitions and null entries.</summary>
    public static WfdbAnnotationFile ParseAll(ReadOnlySpan<byte> bytes, string source, string? record = null)
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
                // WFDB keeps these in C chars: subtyp and num signed, chan unsigned; the 10-bit field is cut to 8 bits.
                case CodeNum:
                    RequirePending(pending, "NUM", at, source, record);
                    number = (sbyte)data;
                    break;
                case CodeSub:
                    RequirePending(pending, "SUB", at, source, record);
                    pSub = (sbyte)data;
                    break;
                case CodeChn:
                    RequirePending(pending, "CHN", at, source, record);
                    channel = (byte)data;
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
        return Separate(result, source, record);
    }

    private const int CodeNote = 22;

    /// <summary>
    /// Splits off what describes the file: NOTEs at sample 0 whose text starts with "##" (the time resolution and
    /// the custom-code block, whose lines read "code symbol description") and code-0 null entries, as WFDB does.
    /// </summary>
    private static WfdbAnnotationFile Separate(List<WfdbAnnotation> all, string source, string? record)
    {
        var annotations = new List<WfdbAnnotation>(all.Count);
        var definitions = new List<WfdbAnnotation>();
        var nulls = new List<WfdbAnnotation>();
        var custom = new Dictionary<int, WfdbCustomCode>();
        double? resolution = null;
        bool inTable = false;
        foreach (var a in all)
        {
            if (a.Code == 0) { nulls.Add(a); continue; }
            bool atStart = a.Sample == 0 && a.Code == CodeNote && a.Aux is not null;
            if (atStart && (inTable || a.Aux!.StartsWith("##", StringComparison.Ordinal)))
            {
                definitions.Add(a);
                var text = a.Aux!;
                if (text.StartsWith("## time resolution:", StringComparison.Ordinal)
                    && double.TryParse(text["## time resolution:".Length..].Trim(), System.Globalization.NumberStyles.Float,
                        System.Globalization.CultureInfo.InvariantCulture, out var fs) && fs > 0)
                    resolution = fs;
                else if (text == "## annotation type definitions") inTable = true;
                else if (text == "## end of definitions") inTable = false;
                else if (inTable && ParseCustomCode(text, source, record) is var def) custom[def.Code] = def;
                continue;
            }
            inTable = false;
            annotations.Add(a);
        }
        if (custom.Count > 0)
            for (int i = 0; i < annotations.Count; i++)
                if (custom.TryGetValue(annotations[i].Code, out var c)) annotations[i] = annotations[i] with { CustomSymbol = c.Symbol };
        return new WfdbAnnotationFile(annotations, definitions, nulls, resolution, custom);
    }

    private static WfdbCustomCode ParseCustomCode(string line, string source, string? record)
    {
        var parts = line.Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2 || !int.TryParse(parts[0], System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var code)
            || code is < 1 or > WfdbAnnotationCodes.MaxCode)
            throw new EcgDataException(
                $"annotation type definition '{line}' must read 'code symbol description' with a code of 1-{WfdbAnnotationCodes.MaxCode}",
                source, record: record);
        return new WfdbCustomCode(code, parts[1], parts.Length > 2 ? parts[2] : parts[1]);
    }

    private static void RequirePending(bool pending, string name, int at, string source, string? record)
    {
        if (!pending)
            throw new EcgDataException($"{name} at byte {at} precedes any annotation; the file is corrupt or not an MIT-format annotation file",
                source, record: record);
    }
}
