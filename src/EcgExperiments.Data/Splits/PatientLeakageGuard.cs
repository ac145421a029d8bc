using System.Text;
using EcgExperiments.Core;

namespace EcgExperiments.Data.Splits;

/// <summary>A patient whose members fall in more than one part, with how many in each.</summary>
public sealed record PatientOverlap(string Patient, IReadOnlyDictionary<string, int> MembersPerPart)
{
    public int Members => MembersPerPart.Values.Sum();
}

/// <summary>What <see cref="PatientLeakageGuard.Check"/> found.</summary>
public sealed record LeakageReport(string SplitName, SplitProtocol Protocol, int Patients, IReadOnlyList<PatientOverlap> Overlaps)
{
    public bool HasOverlap => Overlaps.Count > 0;

    /// <summary>Members whose patient appears in more than one part.</summary>
    public int MembersAffected => Overlaps.Sum(o => o.Members);

    /// <summary>One paragraph for logs and reports, listing up to <paramref name="maxPatients"/> patients.</summary>
    public string Describe(int maxPatients = 5)
    {
        if (!HasOverlap) return $"split '{SplitName}': no patient appears in more than one part ({Patients} patients)";
        var sb = new StringBuilder();
        sb.Append($"split '{SplitName}' ({Protocol}): {Overlaps.Count} of {Patients} patients appear in more than one part " +
                  $"({MembersAffected} members affected), e.g. ");
        sb.AppendJoin("; ", Overlaps.Take(maxPatients).Select(o =>
            $"patient {o.Patient} in {string.Join(", ", o.MembersPerPart.Select(kv => $"{kv.Key} ({kv.Value})"))}"));
        if (Overlaps.Count > maxPatients) sb.Append($"; and {Overlaps.Count - maxPatients} more");
        return sb.ToString();
    }
}

/// <summary>
/// Detects patients shared between the parts of a split. An inter-patient split that leaks is an error;
/// an intra-patient split (declared with <see cref="SplitProtocol.IntraPatient"/>) is allowed and its overlap reported.
/// </summary>
/// <example><code>
/// var report = PatientLeakageGuard.Enforce(split, id => db[int.Parse(id)].PatientId.ToString());
/// runRecord.Notes.Add(report.Describe());
/// </code></example>
public static class PatientLeakageGuard
{
    /// <summary>Maps every member to its patient and reports patients found in more than one part.</summary>
    public static LeakageReport Check(DataSplit split, Func<string, string> patientOf)
    {
        ArgumentNullException.ThrowIfNull(split);
        ArgumentNullException.ThrowIfNull(patientOf);
        var byPatient = new Dictionary<string, Dictionary<string, int>>(StringComparer.Ordinal);
        foreach (var part in split.Parts)
            foreach (var member in part.Members)
            {
                var patient = patientOf(member);
                if (!byPatient.TryGetValue(patient, out var parts)) byPatient[patient] = parts = new Dictionary<string, int>(StringComparer.Ordinal);
                parts[part.Name] = parts.GetValueOrDefault(part.Name) + 1;
            }
        var overlaps = byPatient.Where(kv => kv.Value.Count > 1)
            .Select(kv => new PatientOverlap(kv.Key, kv.Value))
            .OrderByDescending(o => o.Members).ThenBy(o => o.Patient, StringComparer.Ordinal).ToArray();
        return new LeakageReport(split.Name, split.Protocol, byPatient.Count, overlaps);
    }

    /// <summary>
    /// As <see cref="Check"/>, but throws <see cref="EcgDataException"/> when patients overlap and the split does not
    /// declare <see cref="SplitProtocol.IntraPatient"/>.
    /// </summary>
    public static LeakageReport Enforce(DataSplit split, Func<string, string> patientOf)
    {
        var report = Check(split, patientOf);
        if (report.HasOverlap && split.Protocol != SplitProtocol.IntraPatient)
            throw new EcgDataException(
                report.Describe() + ". Patients leak between parts, so test scores would be optimistic. Use a patient-wise split " +
                "(PTB-XL strat_fold, MIT-BIH de Chazal DS1/DS2), or declare the split SplitProtocol.IntraPatient to accept and report the overlap.");
        return report;
    }
}
