using EcgExperiments.Core;

namespace EcgExperiments.Data.Wfdb;

/// <summary>
/// Reads a range of a multi-segment record as one record: each overlapping segment is read with its own header
/// and calibration; gaps ("~" segments) and, in a variable layout, signals a segment lacks (matched by name)
/// read as missing samples, NaN in physical units.
/// </summary>
internal static class WfdbMultiSegmentReader
{
    public static WfdbRecord Read(WfdbHeader master, IReadOnlyList<int> selected, long from, long to, WfdbReadOptions options)
    {
        bool smooth = options.SmoothFrames;
        int n = selected.Count;
        var spf = selected.Select(s => smooth ? 1 : master.Signals[s].SamplesPerFrame).ToArray();
        var adc = new int[n][];
        var runs = new List<WfdbSignalRun>[n];
        for (int k = 0; k < n; k++)
        {
            adc[k] = GC.AllocateUninitializedArray<int>(checked((int)((to - from) * spf[k])));
            runs[k] = [];
        }

        foreach (var segment in master.Segments!)
        {
            long lo = Math.Max(from, segment.Start), hi = Math.Min(to, segment.End);
            if (hi <= lo) continue;
            long outFrame = lo - from;
            int frames = checked((int)(hi - lo));
            if (segment.IsGap)
            {
                for (int k = 0; k < n; k++) Missing(adc[k], runs[k], outFrame, frames, spf[k]);
                continue;
            }

            var h = master.LoadSegment(segment);
            var map = MapSignals(master, h, selected, segment);
            var present = map.Where(i => i >= 0).Distinct().ToList();
            long segFrom = lo - segment.Start, segTo = hi - segment.Start;
            bool wholeSegment = segFrom == 0 && segTo == segment.SampleCount && h.SampleCount is not null;
            var read = WfdbReader.ReadSignals(h, present, segFrom, segTo, segment.SampleCount,
                wholeSegment && options.VerifyIntegrity, options.VerifyIntegrity);
            if (smooth) WfdbReader.SmoothFrames(h, present, read);
            for (int k = 0; k < n; k++)
            {
                if (map[k] < 0)
                {
                    Missing(adc[k], runs[k], outFrame, frames, spf[k]);
                    continue;
                }
                var spec = h.Signals[map[k]];
                if (!smooth && spec.SamplesPerFrame != spf[k])
                    throw new EcgDataException(
                        $"signal '{master.Signals[selected[k]].Description}' has {spec.SamplesPerFrame} samples per frame in segment '{segment.Name}' " +
                        $"but {spf[k]} in the record; read it with SmoothFrames or segment by segment", master.SourcePath, record: master.RecordName);
                var samples = read[present.IndexOf(map[k])];
                samples.CopyTo(adc[k], outFrame * spf[k]);
                runs[k].Add(new WfdbSignalRun((int)(outFrame * spf[k]), samples.Length, spec));
            }
        }
        return new WfdbRecord(master, from, to, selected, adc, runs, smooth);
    }

    /// <summary>Index in the segment of each selected record signal: the same position in a fixed layout, the same name in a variable one (−1: absent).</summary>
    private static int[] MapSignals(WfdbHeader master, WfdbHeader segment, IReadOnlyList<int> selected, WfdbSegment where)
    {
        if (master.Layout == WfdbSegmentLayout.Fixed)
        {
            if (segment.SignalCount != master.SignalCount)
                throw new EcgDataException(
                    $"segment '{where.Name}' has {segment.SignalCount} signals but this fixed-layout record has {master.SignalCount}; " +
                    "a fixed layout needs the same signals in every segment", master.SourcePath, record: master.RecordName);
            return selected.ToArray();
        }
        return selected.Select(s => segment.IndexOfSignal(master.Signals[s].Description)).ToArray();
    }

    private static void Missing(int[] target, List<WfdbSignalRun> runs, long outFrame, int frames, int spf)
    {
        int start = checked((int)(outFrame * spf)), length = frames * spf;
        target.AsSpan(start, length).Fill(WfdbFormats.InvalidSampleDefault);
        runs.Add(new WfdbSignalRun(start, length, null));
    }
}
