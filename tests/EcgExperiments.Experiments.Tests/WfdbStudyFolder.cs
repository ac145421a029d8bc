using System.Globalization;
using System.Text;
using EcgExperiments.Data.PtbXl;
using EcgExperiments.Data.Wfdb;
using EcgExperiments.Signals.Resampling;
using EcgExperiments.TestSupport;

namespace EcgExperiments.Experiments.Tests;

/// <summary>
/// A researcher's WFDB folder built at test time from the shared PTB-XL records, laid out as a user would: records in
/// <c>ecgs/</c>, a labels CSV, and (optionally) some records re-recorded at 500 Hz by another device (upsampled 5× and
/// written as WFDB records of their own), so the source has something to resample. Deleted on dispose.
/// </summary>
internal sealed class WfdbStudyFolder : IDisposable
{
    public static readonly Lazy<PtbXlDatabase> Ptb = new(() => PtbXlDatabase.Open(RealData.PtbXl));

    /// <param name="header">The CSV header line.</param>
    /// <param name="row">The CSV line of a record given its id in the folder, or null to leave the record out.</param>
    /// <param name="count">Records 1..count of the shared subset.</param>
    /// <param name="at500Hz">Records whose ecg_id satisfies this are stored at 500 Hz.</param>
    public WfdbStudyFolder(string header, Func<PtbXlRecord, string, string?> row, int count = 400, Func<PtbXlRecord, bool>? at500Hz = null)
    {
        Path = Directory.CreateTempSubdirectory("ecg-wfdb-study-").FullName;
        var csv = new StringBuilder(header).Append('\n');
        foreach (var r in Ptb.Value.Records.Take(count))
        {
            var source = Ptb.Value.RecordPath(r);
            var name = System.IO.Path.GetFileName(source);
            string id;
            if (at500Hz?.Invoke(r) == true)
            {
                var signal = Ptb.Value.LoadSignal(r);
                WfdbWriter.Write(System.IO.Path.Combine(Path, "device2"), new WfdbRecordToWrite
                {
                    Name = name + "_500",
                    SamplingFrequency = 500,
                    Signals = signal.Leads.Select((lead, k) => new WfdbSignalToWrite
                    {
                        Description = signal.LeadNames[k],
                        Samples = Resample.Poly(lead, 5, 1).Select(v => (int)Math.Round(v * 1000)).ToArray(),
                        Gain = 1000,
                    }).ToArray(),
                });
                id = $"device2/{name}_500";
            }
            else
            {
                Directory.CreateDirectory(System.IO.Path.Combine(Path, "ecgs"));
                File.Copy(source + ".hea", System.IO.Path.Combine(Path, "ecgs", name + ".hea"));
                File.Copy(source + ".dat", System.IO.Path.Combine(Path, "ecgs", name + ".dat"));
                id = $"ecgs/{name}";
            }
            if (row(r, id) is { } line) csv.Append(line).Append('\n');
        }
        File.WriteAllText(System.IO.Path.Combine(Path, "labels.csv"), csv.ToString());
    }

    public string Path { get; }

    /// <summary>NORM (a normal ECG and no other diagnostic superclass) or ABNORMAL (any diagnostic superclass); null without a diagnostic statement.</summary>
    public static string? NormOrAbnormal(PtbXlRecord r) =>
        r.DiagnosticSuperclasses.Count == 0 ? null : r.DiagnosticSuperclasses.SequenceEqual(["NORM"]) ? "NORM" : "ABNORMAL";

    public static string Fold(PtbXlRecord r) => r.StratFold.ToString(CultureInfo.InvariantCulture);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
    }
}
