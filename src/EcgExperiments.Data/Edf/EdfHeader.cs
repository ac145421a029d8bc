using System.Globalization;
using System.Text;
using EcgExperiments.Core;
using EcgExperiments.Data.Wfdb;

namespace EcgExperiments.Data.Edf;

/// <summary>One signal of an EDF header (the per-signal fields of the 256-byte signal header blocks).</summary>
/// <param name="Label">Signal label, e.g. "ECG II" or "EDF Annotations".</param>
/// <param name="Transducer">Transducer type.</param>
/// <param name="PhysicalDimension">Physical units, e.g. "uV" or "mV".</param>
/// <param name="PhysicalMin">Physical value of <paramref name="DigitalMin"/>.</param>
/// <param name="PhysicalMax">Physical value of <paramref name="DigitalMax"/>.</param>
/// <param name="DigitalMin">Smallest digital value.</param>
/// <param name="DigitalMax">Largest digital value.</param>
/// <param name="Prefiltering">Prefiltering, e.g. "HP:0.1Hz LP:75Hz".</param>
/// <param name="SamplesPerRecord">Samples of this signal in each data record.</param>
public sealed record EdfSignalHeader(string Label, string Transducer, string PhysicalDimension, double PhysicalMin, double PhysicalMax,
    int DigitalMin, int DigitalMax, string Prefiltering, int SamplesPerRecord)
{
    /// <summary>True for EDF+'s annotation channel ("EDF Annotations"), which holds text, not samples.</summary>
    public bool IsAnnotations => Label == "EDF Annotations";

    /// <summary>ADC units per physical unit: (digital max − digital min) / (physical max − physical min).</summary>
    public double Gain => (DigitalMax - DigitalMin) / (PhysicalMax - PhysicalMin);

    /// <summary>The digital value of physical zero (rarely an integer): digital min − physical min × gain.</summary>
    public double Baseline => DigitalMin - PhysicalMin * Gain;
}

/// <summary>
/// A parsed EDF or EDF+ header (the format most clinical recorders export). <see cref="EdfReader.ReadHeader"/>
/// checks every field and that the file holds the data records it announces.
/// </summary>
public sealed record EdfHeader
{
    public required string PatientId { get; init; }
    public required string RecordingId { get; init; }

    /// <summary>Start date as written (dd.mm.yy).</summary>
    public required string StartDate { get; init; }

    /// <summary>Start time as written (hh.mm.ss).</summary>
    public required string StartTime { get; init; }

    public required int HeaderBytes { get; init; }

    /// <summary>The reserved field: "EDF+C" (continuous) or "EDF+D" (discontinuous) for EDF+, usually blank for EDF.</summary>
    public required string Reserved { get; init; }

    /// <summary>Data records in the file.</summary>
    public required long RecordCount { get; init; }

    /// <summary>Duration of one data record in seconds.</summary>
    public required double RecordDuration { get; init; }

    /// <summary>All signals, annotation channels included, in file order.</summary>
    public required IReadOnlyList<EdfSignalHeader> Signals { get; init; }

    public required string SourcePath { get; init; }

    public bool IsEdfPlus => Reserved.StartsWith("EDF+", StringComparison.Ordinal);

    /// <summary>EDF+D: data records need not follow each other in time.</summary>
    public bool IsDiscontinuous => Reserved.StartsWith("EDF+D", StringComparison.Ordinal);

    /// <summary>Bytes of one data record (2 bytes per sample of every signal).</summary>
    public long RecordBytes => 2L * Signals.Sum(s => (long)s.SamplesPerRecord);

    /// <summary>Indices into <see cref="Signals"/> of the sampled signals (annotation channels left out).</summary>
    public IReadOnlyList<int> SampledSignals => Enumerable.Range(0, Signals.Count).Where(i => !Signals[i].IsAnnotations).ToArray();

    /// <summary>
    /// The record as a WFDB header over its sampled signals: frame rate = the greatest common divisor of their
    /// samples per data record ÷ record duration, each signal at samples-per-record ÷ that divisor samples per
    /// frame, gain and (exact) baseline from the physical and digital ranges.
    /// </summary>
    public WfdbHeader ToWfdbHeader()
    {
        var sampled = SampledSignals;
        int divisor = 0;
        foreach (var i in sampled) divisor = Gcd(divisor, Signals[i].SamplesPerRecord);
        if (divisor == 0) divisor = 1;
        var name = Path.GetFileNameWithoutExtension(SourcePath);
        var specs = sampled.Select(i =>
        {
            var s = Signals[i];
            double baseline = s.Baseline;
            return new WfdbSignalSpec
            {
                FileName = Path.GetFileName(SourcePath),
                Format = 16,
                SamplesPerFrame = s.SamplesPerRecord / divisor,
                AdcGain = s.Gain,
                Baseline = (int)Math.Clamp(Math.Round(baseline), int.MinValue, int.MaxValue),
                EffectiveBaseline = baseline,
                Units = s.PhysicalDimension.Length == 0 ? "mV" : s.PhysicalDimension,
                AdcResolution = 16,
                AdcZero = (int)Math.Floor((s.DigitalMax + 1.0 + s.DigitalMin) / 2),
                InvalidSample = null, // EDF reserves no digital value for "missing"
                Description = s.Label,
            };
        }).ToArray();
        return new WfdbHeader
        {
            RecordName = name,
            SamplingFrequency = divisor / RecordDuration,
            SampleCount = RecordCount * divisor,
            BaseTime = StartTime.Replace('.', ':'),
            BaseDate = FormatDate(StartDate),
            Signals = specs,
            Comments = [$"EDF patient: {PatientId}", $"EDF recording: {RecordingId}"],
            SourcePath = SourcePath,
            Storage = WfdbStorage.Edf,
        };
    }

    private static int Gcd(int a, int b)
    {
        while (b != 0) (a, b) = (b, a % b);
        return a;
    }

    /// <summary>dd.mm.yy → DD/MM/YYYY with EDF's clipping date (yy 85–99 → 19yy, else 20yy).</summary>
    private static string FormatDate(string date)
    {
        var p = date.Split('.');
        if (p.Length != 3 || !int.TryParse(p[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var yy)) return date;
        return $"{p[0]}/{p[1]}/{(yy >= 85 ? 1900 + yy : 2000 + yy)}";
    }

    /// <summary>Parses and checks the header bytes of an EDF file of <paramref name="fileLength"/> bytes.</summary>
    internal static EdfHeader Parse(ReadOnlySpan<byte> bytes, long fileLength, string source)
    {
        var record = Path.GetFileNameWithoutExtension(source);
        EcgDataException Bad(string problem) => new($"EDF header: {problem}", source, record: record);
        if (bytes.Length < 256) throw Bad($"the file has {fileLength} bytes, fewer than the 256-byte fixed header; it is not an EDF file or is truncated");
        if (bytes[0] == 0xFF && Ascii(bytes[1..8]) == "BIOSEMI")
            throw Bad("this is a BDF file (24-bit samples); only 16-bit EDF and EDF+ are supported — convert it to EDF");
        var version = Ascii(bytes[..8]);
        if (version.Trim() != "0") throw Bad($"version field is '{version}', expected '0' (not an EDF file)");

        int ns = Int(bytes, 252, 4, "number of signals");
        if (ns < 1) throw Bad($"number of signals is {ns}; an EDF file has at least one");
        int headerBytes = Int(bytes, 184, 8, "number of bytes in header record");
        if (headerBytes != 256 * (ns + 1))
            throw Bad($"header record is said to be {headerBytes} bytes, but {ns} signals need 256 × {ns + 1} = {256 * (ns + 1)}");
        if (bytes.Length < headerBytes) throw Bad($"the file ends at byte {fileLength}, inside the {headerBytes}-byte header record");

        long records = Int(bytes, 236, 8, "number of data records");
        double duration = Real(bytes, 244, 8, "duration of a data record");
        if (duration < 0 || double.IsNaN(duration)) throw Bad($"duration of a data record is {duration} s; it must be positive");

        var signals = new EdfSignalHeader[ns];
        int Field(int offset, int width, int i) => 256 + offset * ns + width * i;
        for (int i = 0; i < ns; i++)
        {
            string label = Ascii(bytes.Slice(Field(0, 16, i), 16)).Trim();
            string transducer = Ascii(bytes.Slice(Field(16, 80, i), 80)).Trim();
            string dimension = Ascii(bytes.Slice(Field(96, 8, i), 8)).Trim();
            double pmin = Real(bytes, Field(104, 8, i), 8, $"signal {i + 1} ('{label}') physical minimum");
            double pmax = Real(bytes, Field(112, 8, i), 8, $"signal {i + 1} ('{label}') physical maximum");
            int dmin = Int(bytes, Field(120, 8, i), 8, $"signal {i + 1} ('{label}') digital minimum");
            int dmax = Int(bytes, Field(128, 8, i), 8, $"signal {i + 1} ('{label}') digital maximum");
            string prefiltering = Ascii(bytes.Slice(Field(136, 80, i), 80)).Trim();
            int n = Int(bytes, Field(216, 8, i), 8, $"signal {i + 1} ('{label}') samples per data record");
            if (n < 1) throw Bad($"signal {i + 1} ('{label}') has {n} samples per data record; at least 1 is needed");
            if (dmin is < short.MinValue or > short.MaxValue || dmax is < short.MinValue or > short.MaxValue || dmax <= dmin)
                throw Bad($"signal {i + 1} ('{label}') digital range [{dmin}, {dmax}] is not an increasing 16-bit range");
            if (pmin == pmax) throw Bad($"signal {i + 1} ('{label}') physical minimum and maximum are both {pmin}; the gain would be infinite");
            signals[i] = new EdfSignalHeader(label, transducer, dimension, pmin, pmax, dmin, dmax, prefiltering, n);
        }

        var reserved = Ascii(bytes.Slice(192, 44)).Trim();
        var header = new EdfHeader
        {
            PatientId = Ascii(bytes.Slice(8, 80)).Trim(),
            RecordingId = Ascii(bytes.Slice(88, 80)).Trim(),
            StartDate = Ascii(bytes.Slice(168, 8)).Trim(),
            StartTime = Ascii(bytes.Slice(176, 8)).Trim(),
            HeaderBytes = headerBytes,
            Reserved = reserved,
            RecordCount = records,
            RecordDuration = duration,
            Signals = signals,
            SourcePath = source,
        };
        if (duration == 0 && header.SampledSignals.Count > 0)
            throw Bad("duration of a data record is 0 but the file has sampled signals (only an annotation-only EDF+ file may)");

        long available = fileLength - headerBytes, recordBytes = header.RecordBytes;
        if (records == -1)
        {
            // "-1: unknown" (a recording still being written): the file's size decides.
            if (available % recordBytes != 0)
                throw Bad($"number of data records is -1 (unknown) and the {available} data bytes are not a whole number of {recordBytes}-byte records");
            header = header with { RecordCount = available / recordBytes };
        }
        else if (records < 0) throw Bad($"number of data records is {records}");
        else if (available < records * recordBytes)
            throw new EcgDataException(
                $"EDF file is truncated: {fileLength} bytes hold {Math.Max(0, available) / recordBytes} whole data records of {recordBytes} bytes, " +
                $"but the header announces {records} ({headerBytes + records * recordBytes} bytes). Re-copy the file", source, record: record);
        return header;

        int Int(ReadOnlySpan<byte> b, int offset, int width, string what)
        {
            var text = Ascii(b.Slice(offset, width)).Trim();
            if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v))
                throw Bad($"{what} is '{text}', not an integer");
            return v;
        }

        double Real(ReadOnlySpan<byte> b, int offset, int width, string what)
        {
            var text = Ascii(b.Slice(offset, width)).Trim();
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || double.IsInfinity(v))
                throw Bad($"{what} is '{text}', not a number");
            return v;
        }
    }

    private static string Ascii(ReadOnlySpan<byte> b) => Encoding.Latin1.GetString(b);
}
