using System.Globalization;
using EcgExperiments.Core;

namespace EcgExperiments.Data.Wfdb;

/// <summary>How a multi-segment record lays out its signals.</summary>
public enum WfdbSegmentLayout
{
    /// <summary>Every segment holds the same signals in the same order.</summary>
    Fixed,

    /// <summary>
    /// A layout header (the first segment, of length 0) lists every signal of the record; each segment holds
    /// some of them, matched by name; signals a segment lacks read as missing (NaN).
    /// </summary>
    Variable,
}

/// <summary>One segment of a multi-segment record: its header name (or "~" for a gap), length and first sample.</summary>
/// <param name="Name">Segment record name (its header is <c>Name.hea</c> beside the master header), or "~" for a gap with no signals.</param>
/// <param name="SampleCount">Samples (frames) in the segment.</param>
/// <param name="Start">Sample of the whole record at which the segment starts.</param>
public sealed record WfdbSegment(string Name, long SampleCount, long Start)
{
    /// <summary>True for a gap ("~"): every signal is missing over the segment.</summary>
    public bool IsGap => Name == "~";

    /// <summary>End of the segment in record samples (exclusive).</summary>
    public long End => Start + SampleCount;
}

/// <summary>Where a record's samples are stored.</summary>
public enum WfdbStorage
{
    /// <summary>WFDB signal files described by the header's signal lines.</summary>
    Wfdb,

    /// <summary>An EDF or EDF+ file (<see cref="Edf.EdfReader"/>), presented through the same header and record types.</summary>
    Edf,
}

/// <summary>
/// A parsed WFDB header (<c>.hea</c>): the record line, one <see cref="WfdbSignalSpec"/> per signal and the
/// comment lines ("info strings"). Multi-segment headers list their <see cref="Segments"/>; loaded with
/// <see cref="Load"/>, their <see cref="Signals"/> come from the layout header (variable layout) or the first
/// segment (fixed layout). Layout headers (<c>*_layout.hea</c>: format-0 signals with no file) parse too.
/// </summary>
/// <example><code>
/// var header = WfdbHeader.Load("/data/mitbih/100.hea");
/// // header.SamplingFrequency == 360, header.SampleCount == 650000, header.Signals[0].Description == "MLII"
/// </code></example>
public sealed record WfdbHeader
{
    /// <summary>WFDB's sampling frequency when the record line gives none (Hz).</summary>
    public const double DefaultSamplingFrequency = 250;

    /// <summary>Record name from the record line, e.g. "100" or "00001_lr".</summary>
    public required string RecordName { get; init; }

    /// <summary>Samples per second per signal (the base frame rate).</summary>
    public required double SamplingFrequency { get; init; }

    /// <summary>Counter frequency (ticks per second) when the record line gives one (<c>fs/counter</c>).</summary>
    public double? CounterFrequency { get; init; }

    /// <summary>Counter value at sample 0 (the <c>(base)</c> after the counter frequency), 0 when absent.</summary>
    public double BaseCounterValue { get; init; }

    /// <summary>Samples (frames) per signal, or null when the header leaves it unspecified.</summary>
    public long? SampleCount { get; init; }

    /// <summary>Time of day of sample 0 as written (HH:MM:SS[.sss]), or null.</summary>
    public string? BaseTime { get; init; }

    /// <summary>Date of sample 0 as written (DD/MM/YYYY), or null.</summary>
    public string? BaseDate { get; init; }

    /// <summary>Signal specifications in header order.</summary>
    public required IReadOnlyList<WfdbSignalSpec> Signals { get; init; }

    /// <summary>Comment lines without the leading '#', in file order (MIT-BIH keeps age, sex and medications here).</summary>
    public IReadOnlyList<string> Comments { get; init; } = [];

    /// <summary>Full path of the header file, or the name it was parsed under.</summary>
    public required string SourcePath { get; init; }

    /// <summary>Segments of a multi-segment record in order (a variable layout's layout header first), or null for a single-segment record.</summary>
    public IReadOnlyList<WfdbSegment>? Segments { get; init; }

    /// <summary>Layout of a multi-segment record: variable when its first segment has length 0 (the layout header); null for single-segment records.</summary>
    public WfdbSegmentLayout? Layout => Segments is null ? null
        : Segments.Count > 0 && Segments[0].SampleCount == 0 && !Segments[0].IsGap ? WfdbSegmentLayout.Variable : WfdbSegmentLayout.Fixed;

    /// <summary>Signals the record line of a multi-segment header declares (its segments supply their specifications).</summary>
    internal int DeclaredSignalCount { get; init; }

    /// <summary>True when the record is split into segments (record line <c>name/segments ...</c>).</summary>
    public bool IsMultiSegment => Segments is not null;

    /// <summary>Where the samples are stored: WFDB signal files, or an EDF file read through <see cref="Edf.EdfReader"/>.</summary>
    public WfdbStorage Storage { get; init; } = WfdbStorage.Wfdb;

    /// <summary>Folder holding the header (signal file names are relative to it).</summary>
    public string Folder => Path.GetDirectoryName(Path.GetFullPath(SourcePath)) ?? ".";

    public int SignalCount => Signals.Count;

    /// <summary>Index of the signal whose description is <paramref name="name"/> (case-insensitive), or -1.</summary>
    public int IndexOfSignal(string name)
    {
        for (int i = 0; i < Signals.Count; i++)
            if (string.Equals(Signals[i].Description, name, StringComparison.OrdinalIgnoreCase)) return i;
        return -1;
    }

    /// <summary>
    /// Reads and parses a header file. <paramref name="path"/> may omit the <c>.hea</c> extension; an
    /// <c>.edf</c> path gives the header of an EDF/EDF+ file (see <see cref="Edf.EdfReader"/>). For a
    /// multi-segment record the signals come from its layout header or first segment.
    /// </summary>
    public static WfdbHeader Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.EndsWith(".edf", StringComparison.OrdinalIgnoreCase)) return Edf.EdfReader.ReadHeader(path).ToWfdbHeader();
        var file = path.EndsWith(".hea", StringComparison.OrdinalIgnoreCase) ? path : path + ".hea";
        var record = Path.GetFileNameWithoutExtension(file);
        if (!File.Exists(file) || WfdbFiles.DanglingLinkTarget(file) is not null)
            throw new EcgDataException(
                (WfdbFiles.DanglingLinkTarget(file) is { } link ? $"WFDB header {WfdbFiles.DanglingLinkAdvice(link)}. " : "WFDB header not found. ") +
                $"Check the record path and the data root ({ProjectPaths.DataRootVariable}). {ProjectPaths.DataHelp}",
                file, record: record);
        var header = Parse(ReadText(file), Path.GetFullPath(file));
        return header.IsMultiSegment ? header.WithSegmentSignals() : header;
    }

    /// <summary>
    /// Header text: UTF-8 when the bytes are valid UTF-8, else Latin-1 (older headers write "µV" as the single
    /// byte 0xB5, which UTF-8 would turn into U+FFFD).
    /// </summary>
    internal static string ReadText(string file)
    {
        var bytes = File.ReadAllBytes(file);
        try { return new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes); }
        catch (System.Text.DecoderFallbackException) { return System.Text.Encoding.Latin1.GetString(bytes); }
    }

    /// <summary>Loads the header of segment <paramref name="segment"/> of this multi-segment record.</summary>
    public WfdbHeader LoadSegment(WfdbSegment segment)
    {
        ArgumentNullException.ThrowIfNull(segment);
        if (segment.IsGap) throw new ArgumentException($"record {RecordName}: segment '~' is a gap with no header", nameof(segment));
        var file = Path.Combine(Folder, segment.Name + ".hea");
        if (!File.Exists(file))
            throw new EcgDataException(
                $"segment header '{segment.Name}.hea' (samples {segment.Start}-{segment.End - 1}) not found beside the master header; " +
                "copy every segment of the record", SourcePath, record: RecordName);
        var h = Parse(ReadText(file), Path.GetFullPath(file));
        if (h.IsMultiSegment)
            throw new EcgDataException($"segment '{segment.Name}' is itself a multi-segment record; WFDB allows one level of segments",
                SourcePath, record: RecordName);
        if (segment.SampleCount > 0 && h.SampleCount is { } n && n != segment.SampleCount)
            throw new EcgDataException(
                $"segment '{segment.Name}' has {n} samples in its own header but {segment.SampleCount} in the master header; the record is inconsistent",
                SourcePath, record: RecordName);
        return h;
    }

    /// <summary>The signal list of a multi-segment record: its layout header's (variable) or its first segment's (fixed).</summary>
    internal WfdbHeader WithSegmentSignals()
    {
        var source = Layout == WfdbSegmentLayout.Variable ? Segments![0] : Segments!.FirstOrDefault(s => !s.IsGap);
        if (source is null) return this with { Signals = [] };
        var h = LoadSegment(source);
        if (h.SignalCount != DeclaredSignalCount)
            throw new EcgDataException(
                $"record line declares {DeclaredSignalCount} signals but {(Layout == WfdbSegmentLayout.Variable ? "the layout header" : "the first segment")} " +
                $"'{source.Name}' has {h.SignalCount}", SourcePath, record: RecordName);
        if (Math.Abs(h.SamplingFrequency - SamplingFrequency) > 1e-9 * SamplingFrequency)
            throw new EcgDataException(
                $"segment '{source.Name}' is sampled at {h.SamplingFrequency} Hz but the record at {SamplingFrequency} Hz", SourcePath, record: RecordName);
        return this with { Signals = h.Signals };
    }

    /// <summary>Parses header text; <paramref name="sourcePath"/> names the file in error messages and locates signal files.</summary>
    public static WfdbHeader Parse(string text, string sourcePath)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(sourcePath);
        return WfdbHeaderParser.Parse(text, sourcePath);
    }
}

/// <summary>Line parser behind <see cref="WfdbHeader.Parse"/>; every failure names file, line and record.</summary>
internal static class WfdbHeaderParser
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static WfdbHeader Parse(string text, string source)
    {
        var lines = text.Split('\n');
        var comments = new List<string>();
        var signals = new List<WfdbSignalSpec>();
        string? recordName = null;
        int signalCount = 0;
        double fs = WfdbHeader.DefaultSamplingFrequency;
        double? counter = null;
        double baseCounter = 0;
        long? sampleCount = null;
        string? baseTime = null, baseDate = null;
        int segmentCount = -1; // -1: single-segment record
        var segments = new List<WfdbSegment>();
        long segmentStart = 0;

        for (int i = 0; i < lines.Length; i++)
        {
            int lineNo = i + 1;
            var line = lines[i].TrimEnd('\r');
            var trimmed = line.TrimStart();
            if (trimmed.Length == 0) continue;
            if (trimmed[0] == '#')
            {
                comments.Add(trimmed[1..].Trim());
                continue;
            }
            var tokens = Tokenize(line);
            if (recordName is null)
            {
                ParseRecordLine(tokens, source, lineNo, out recordName, out segmentCount, out signalCount, ref fs, ref counter, ref baseCounter,
                    ref sampleCount, ref baseTime, ref baseDate);
                continue;
            }
            if (segmentCount >= 0)
            {
                if (segments.Count < segmentCount)
                {
                    var seg = ParseSegmentLine(tokens, source, lineNo, recordName, segments.Count, segmentStart);
                    segments.Add(seg);
                    segmentStart = seg.End;
                }
                continue;
            }
            if (signals.Count < signalCount)
                signals.Add(ParseSignalLine(line, tokens, source, lineNo, recordName, signals.Count));
            // WFDB ignores extra signal lines beyond the declared count; so do we.
        }

        if (recordName is null)
            throw new EcgDataException("header has no record line (the first non-comment line must be 'name nsig [fs [nsamples]]')", source);
        if (segmentCount >= 0)
        {
            if (segments.Count < segmentCount)
                throw new EcgDataException(
                    $"record line declares {segmentCount} segments but only {segments.Count} segment lines follow; the header is truncated",
                    source, record: recordName);
            if (sampleCount is { } declared && declared != segmentStart)
                throw new EcgDataException(
                    $"segment lengths add up to {segmentStart} samples but the record line says {declared}; the header is inconsistent",
                    source, record: recordName);
            return new WfdbHeader
            {
                RecordName = recordName,
                SamplingFrequency = fs,
                CounterFrequency = counter,
                BaseCounterValue = baseCounter,
                SampleCount = segmentStart,
                BaseTime = baseTime,
                BaseDate = baseDate,
                Signals = [],
                Comments = comments,
                SourcePath = source,
                Segments = segments,
                DeclaredSignalCount = signalCount,
            };
        }
        if (signals.Count < signalCount)
            throw new EcgDataException(
                $"record line declares {signalCount} signals but only {signals.Count} signal lines follow; the header is truncated",
                source, record: recordName);

        ValidateGroups(signals, source, recordName);
        return new WfdbHeader
        {
            RecordName = recordName,
            SamplingFrequency = fs,
            CounterFrequency = counter,
            BaseCounterValue = baseCounter,
            SampleCount = sampleCount,
            BaseTime = baseTime,
            BaseDate = baseDate,
            Signals = signals,
            Comments = comments,
            SourcePath = source,
        };
    }

    private static WfdbSegment ParseSegmentLine(List<(string Text, int Start)> t, string source, int line, string record, int index, long start)
    {
        if (t.Count < 2 || !long.TryParse(t[1].Text, NumberStyles.Integer, Inv, out var n) || n < 0)
            throw new EcgDataException(
                $"segment {index}: expected 'name samples', found '{string.Join(' ', t.Select(x => x.Text))}'", source, line, record);
        if (n == 0 && index > 0)
            throw new EcgDataException(
                $"segment {index} ('{t[0].Text}') has length 0; only the first segment (the layout header) may", source, line, record);
        return new WfdbSegment(t[0].Text, n, start);
    }

    private static void ParseRecordLine(List<(string Text, int Start)> t, string source, int line, out string recordName,
        out int segmentCount, out int signalCount, ref double fs, ref double? counter, ref double baseCounter, ref long? sampleCount,
        ref string? baseTime, ref string? baseDate)
    {
        var name = t[0].Text;
        int slash = name.IndexOf('/');
        segmentCount = -1;
        if (slash >= 0)
        {
            if (!int.TryParse(name[(slash + 1)..], NumberStyles.Integer, Inv, out segmentCount) || segmentCount < 1)
                throw new EcgDataException($"number of segments '{name[(slash + 1)..]}' in '{name}' is not a positive integer",
                    source, line, name[..slash]);
            name = name[..slash];
        }
        recordName = name;
        if (t.Count < 2)
            throw new EcgDataException("record line lacks the number of signals (expected 'name nsig [fs [nsamples]]')", source, line, name);
        if (!int.TryParse(t[1].Text, NumberStyles.Integer, Inv, out signalCount) || signalCount < 0)
            throw new EcgDataException($"number of signals '{t[1].Text}' is not a non-negative integer", source, line, name);
        if (t.Count > 2)
        {
            // fs[/counter[(base)]]
            var f = t[2].Text;
            int cs = f.IndexOf('/');
            var fsText = cs >= 0 ? f[..cs] : f;
            if (!double.TryParse(fsText, NumberStyles.Float, Inv, out fs) || !(fs > 0) || double.IsInfinity(fs))
                throw new EcgDataException($"sampling frequency '{fsText}' is not a positive number", source, line, name);
            if (cs >= 0)
            {
                var rest = f[(cs + 1)..];
                int paren = rest.IndexOf('(');
                var counterText = paren >= 0 ? rest[..paren] : rest;
                if (!double.TryParse(counterText, NumberStyles.Float, Inv, out var c))
                    throw new EcgDataException($"counter frequency '{counterText}' is not a number", source, line, name);
                counter = c > 0 ? c : null;
                if (paren >= 0)
                {
                    int close = rest.IndexOf(')', paren);
                    var baseText = close > paren ? rest[(paren + 1)..close] : "";
                    if (close < 0 || !double.TryParse(baseText, NumberStyles.Float, Inv, out baseCounter))
                        throw new EcgDataException($"base counter value in '{f}' must be a number in parentheses", source, line, name);
                }
            }
        }
        if (t.Count > 3)
        {
            if (!long.TryParse(t[3].Text, NumberStyles.Integer, Inv, out var n) || n < 0)
                throw new EcgDataException($"number of samples '{t[3].Text}' is not a non-negative integer", source, line, name);
            sampleCount = n == 0 ? null : n;
        }
        if (t.Count > 4) baseTime = t[4].Text;
        if (t.Count > 5) baseDate = t[5].Text;
    }

    private static WfdbSignalSpec ParseSignalLine(string line, List<(string Text, int Start)> t, string source, int lineNo,
        string record, int index)
    {
        string Where(string what) => $"signal {index} ({what})";
        if (t.Count < 2)
            throw new EcgDataException($"{Where("line")}: expected at least 'file format', found '{line.Trim()}'", source, lineNo, record);
        var fileName = t[0].Text;

        // format[xspf][:skew][+offset]
        var fmtText = t[1].Text;
        int p = 0;
        int format = ReadInt(fmtText, ref p);
        if (format < 0)
            throw new EcgDataException($"{Where("format")}: '{fmtText}' does not start with a format number", source, lineNo, record);
        int spf = 1, skew = 0;
        long offset = 0;
        while (p < fmtText.Length)
        {
            char mod = fmtText[p++];
            int value = ReadInt(fmtText, ref p);
            if (value < 0)
                throw new EcgDataException($"{Where("format")}: modifier '{mod}' in '{fmtText}' lacks a number", source, lineNo, record);
            switch (mod)
            {
                case 'x': spf = value; break;
                case ':': skew = value; break;
                case '+': offset = value; break;
                default:
                    throw new EcgDataException($"{Where("format")}: unknown modifier '{mod}' in '{fmtText}' (expected xN, :skew or +offset)",
                        source, lineNo, record);
            }
        }
        if (!WfdbFormats.IsSupported(format))
            throw new EcgDataException(
                $"{Where("format")}: signal format {format} is not supported (supported: {string.Join(", ", WfdbFormats.Supported)}); " +
                "convert the record, e.g. with WFDB's xform -O 16", source, lineNo, record);
        if (spf < 1)
            throw new EcgDataException($"{Where("format")}: samples per frame must be at least 1, got {spf}", source, lineNo, record);

        // gain[(baseline)][/units]
        double gain = 0;
        int? baseline = null;
        string units = "mV";
        if (t.Count > 2)
        {
            var g = t[2].Text;
            int open = g.IndexOf('(');
            int slash = g.IndexOf('/', open >= 0 ? open : 0);
            int gainEnd = open >= 0 ? open : slash >= 0 ? slash : g.Length;
            var gainText = g[..gainEnd];
            if (!double.TryParse(gainText, NumberStyles.Float, Inv, out gain) || double.IsNaN(gain) || double.IsInfinity(gain))
                throw new EcgDataException($"{Where("gain")}: '{gainText}' is not a number", source, lineNo, record);
            if (open >= 0)
            {
                int close = g.IndexOf(')', open);
                if (close < 0 || !int.TryParse(g[(open + 1)..close], NumberStyles.Integer, Inv, out var b))
                    throw new EcgDataException($"{Where("baseline")}: '{g}' must have an integer baseline in parentheses", source, lineNo, record);
                baseline = b;
                slash = g.IndexOf('/', close);
            }
            // An empty units field ("200/") takes WFDB's default, like an absent one.
            if (slash >= 0 && slash + 1 < g.Length) units = g[(slash + 1)..];
        }

        int adcRes = ParseIntField(t, 3, Where("ADC resolution"), source, lineNo, record) ?? 0;
        if (adcRes == 0) adcRes = WfdbFormats.DefaultResolution(format);
        int adcZero = ParseIntField(t, 4, Where("ADC zero"), source, lineNo, record) ?? 0;
        int? initial = ParseIntField(t, 5, Where("initial value"), source, lineNo, record);
        int? checksum = ParseIntField(t, 6, Where("checksum"), source, lineNo, record);
        int blockSize = ParseIntField(t, 7, Where("block size"), source, lineNo, record) ?? 0;
        var description = t.Count > 8 ? line[t[8].Start..].Trim() : $"record {record}, signal {index}";

        return new WfdbSignalSpec
        {
            FileName = fileName,
            Format = format,
            SamplesPerFrame = spf,
            Skew = skew,
            ByteOffset = offset,
            AdcGain = gain,
            Baseline = baseline ?? adcZero,
            Units = units,
            AdcResolution = adcRes,
            AdcZero = adcZero,
            InitialValue = initial,
            Checksum = checksum,
            BlockSize = blockSize,
            Description = description,
            HeaderLine = lineNo,
        };
    }

    private static void ValidateGroups(List<WfdbSignalSpec> signals, string source, string record)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < signals.Count; i++)
        {
            var s = signals[i];
            if (s.IsNull || s.FileName == "~")
            {
                // Null signals have no file; "~" may repeat anywhere (layout headers list every signal this way).
                if (!s.IsNull)
                    throw new EcgDataException(
                        $"signal {i} ('{s.Description}') has no file ('~') but format {s.Format}; a signal without a file must have format 0",
                        source, s.HeaderLine, record);
                continue;
            }
            bool continuesGroup = i > 0 && signals[i - 1].FileName == s.FileName;
            if (continuesGroup)
            {
                var first = signals[i - 1];
                if (first.Format != s.Format)
                    throw new EcgDataException(
                        $"signal {i} ('{s.Description}') shares file '{s.FileName}' with the previous signal but has format {s.Format}, not {first.Format}; " +
                        "all signals in one file must share a format", source, s.HeaderLine, record);
                if (first.ByteOffset != s.ByteOffset)
                    throw new EcgDataException(
                        $"signal {i} ('{s.Description}') shares file '{s.FileName}' but has byte offset {s.ByteOffset}, not {first.ByteOffset}",
                        source, s.HeaderLine, record);
            }
            else if (!seen.Add(s.FileName))
                throw new EcgDataException(
                    $"signal {i} ('{s.Description}') uses file '{s.FileName}' again after other files; signals sharing a file must be consecutive",
                    source, s.HeaderLine, record);
            if (WfdbFormats.IsFlac(s.Format) && continuesGroup)
            {
                int first = i;
                while (first > 0 && signals[first - 1].FileName == s.FileName) first--;
                if (i - first + 1 > Flac.FlacSignalFile.MaxChannels)
                    throw new EcgDataException(
                        $"signal {i} ('{s.Description}') is signal {i - first + 1} of FLAC file '{s.FileName}'; a FLAC stream holds at most {Flac.FlacSignalFile.MaxChannels}",
                        source, s.HeaderLine, record);
                if (signals[first].SamplesPerFrame != s.SamplesPerFrame)
                    throw new EcgDataException(
                        $"signal {i} ('{s.Description}') has {s.SamplesPerFrame} samples per frame but shares FLAC file '{s.FileName}' with a signal of " +
                        $"{signals[first].SamplesPerFrame}; every signal in a FLAC file must have the same samples per frame", source, s.HeaderLine, record);
            }
        }
    }

    private static int? ParseIntField(List<(string Text, int Start)> t, int index, string what, string source, int line, string record)
    {
        if (t.Count <= index) return null;
        if (!int.TryParse(t[index].Text, NumberStyles.Integer, Inv, out var v))
            throw new EcgDataException($"{what}: '{t[index].Text}' is not an integer", source, line, record);
        return v;
    }

    /// <summary>Reads a non-negative decimal integer at <paramref name="pos"/>; -1 when there is none.</summary>
    private static int ReadInt(string s, ref int pos)
    {
        int start = pos;
        long v = 0;
        while (pos < s.Length && char.IsAsciiDigit(s[pos]))
        {
            v = v * 10 + (s[pos] - '0');
            if (v > int.MaxValue) return -1;
            pos++;
        }
        return pos == start ? -1 : (int)v;
    }

    private static List<(string Text, int Start)> Tokenize(string line)
    {
        var tokens = new List<(string, int)>();
        int i = 0;
        while (i < line.Length)
        {
            while (i < line.Length && (line[i] == ' ' || line[i] == '\t')) i++;
            if (i >= line.Length) break;
            int start = i;
            while (i < line.Length && line[i] != ' ' && line[i] != '\t') i++;
            tokens.Add((line[start..i], start));
        }
        return tokens;
    }
}
