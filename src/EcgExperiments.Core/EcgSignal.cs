namespace EcgExperiments.Core;

/// <summary>
/// A multi-lead ECG segment. The sampling rate travels with the samples: every transform that
/// changes it returns a new <see cref="EcgSignal"/> with the new rate (no transform guesses it).
/// </summary>
/// <example><code>
/// var s = new EcgSignal(360, ["MLII"], [samples]);
/// double seconds = s.Duration;
/// </code></example>
public sealed record EcgSignal
{
    public EcgSignal(double samplingRate, IReadOnlyList<string> leadNames, float[][] leads, string? recordId = null)
    {
        if (!(samplingRate > 0) || double.IsInfinity(samplingRate))
            throw new ArgumentOutOfRangeException(nameof(samplingRate), samplingRate, "sampling rate must be a positive finite number of Hz");
        ArgumentNullException.ThrowIfNull(leadNames);
        ArgumentNullException.ThrowIfNull(leads);
        if (leadNames.Count != leads.Length)
            throw new ArgumentException($"{leads.Length} lead arrays but {leadNames.Count} lead names", nameof(leadNames));
        for (int i = 1; i < leads.Length; i++)
            if (leads[i].Length != leads[0].Length)
                throw new ArgumentException($"lead '{leadNames[i]}' has {leads[i].Length} samples, lead '{leadNames[0]}' has {leads[0].Length}", nameof(leads));
        SamplingRate = samplingRate;
        LeadNames = leadNames;
        Leads = leads;
        RecordId = recordId;
    }

    /// <summary>Samples per second (Hz).</summary>
    public double SamplingRate { get; }

    /// <summary>Lead (signal) names as the source names them, e.g. "MLII", "V1", "I".</summary>
    public IReadOnlyList<string> LeadNames { get; }

    /// <summary>Samples in physical units (mV unless the source says otherwise), indexed [lead][sample].</summary>
    public float[][] Leads { get; }

    /// <summary>Identifier of the record the segment came from, for error messages and run records.</summary>
    public string? RecordId { get; }

    public int LeadCount => Leads.Length;
    public int Length => Leads.Length == 0 ? 0 : Leads[0].Length;
    public double Duration => Length / SamplingRate;

    /// <summary>Index of the lead called <paramref name="name"/> (case-insensitive), or -1.</summary>
    public int IndexOfLead(string name)
    {
        for (int i = 0; i < LeadNames.Count; i++)
            if (string.Equals(LeadNames[i], name, StringComparison.OrdinalIgnoreCase)) return i;
        return -1;
    }

    /// <summary>Same signal with other samples and, optionally, another rate (for transforms).</summary>
    public EcgSignal With(float[][] leads, double? samplingRate = null, IReadOnlyList<string>? leadNames = null)
        => new(samplingRate ?? SamplingRate, leadNames ?? LeadNames, leads, RecordId);
}
