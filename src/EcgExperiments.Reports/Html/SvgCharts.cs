using System.Globalization;
using System.Xml.Linq;

namespace EcgExperiments.Reports;

/// <summary>
/// One line of a chart: legend name, colour and points (non-finite points are dropped). <see cref="DashPattern"/>
/// (SVG stroke-dasharray) overrides <see cref="Dashed"/>; a series with <see cref="InLegend"/> false is drawn but not listed
/// (e.g. the training loss drawn dashed in its run's colour, the legend naming the run once).
/// </summary>
public sealed record ChartSeries(string Name, string Color, IReadOnlyList<double> X, IReadOnlyList<double> Y, bool Dashed = false)
{
    public string? DashPattern { get; init; }
    public bool InLegend { get; init; } = true;

    internal string? Dash => DashPattern ?? (Dashed ? "6 3" : null);
}

/// <summary>One vertical axis of a parallel-coordinates chart: its name and labelled ticks at positions 0 (bottom) … 1 (top).</summary>
public sealed record ParallelAxis(string Name, IReadOnlyList<KeyValuePair<double, string>> Ticks);

/// <summary>One line of a parallel-coordinates chart: its position on each axis (0…1, null = no value), colour and tooltip.</summary>
public sealed record ParallelLine(IReadOnlyList<double?> Positions, string Color, string Tooltip);

/// <summary>One point of an interval chart: the estimate, its interval (null bounds = none) and a tooltip.</summary>
public sealed record IntervalPoint(string Category, double? Value, double? Lower, double? Upper, string Tooltip);

/// <summary>One series of a grouped bar chart: one value per category (null = no bar) and a tooltip per bar.</summary>
public sealed record BarSeries(string Name, string Color, IReadOnlyList<double?> Values, IReadOnlyList<string> Tooltips);

/// <summary>
/// Inline SVG charts built as <see cref="XElement"/>s, so text and attributes are XML-escaped by
/// construction and every chart is well-formed XML. No external fonts, scripts or images.
/// </summary>
public static class SvgCharts
{
    public static readonly string[] Palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22", "#393b79", "#e7969c"];

    /// <summary>Dash patterns for series beyond the palette (null = solid): series i gets colour i mod n and pattern i div n.</summary>
    public static readonly string?[] DashPatterns = [null, "7 3", "2 2", "9 3 2 3"];

    /// <summary>Colour and dash pattern of the <paramref name="index"/>-th of many overlaid series.</summary>
    public static (string color, string? dash) Style(int index) =>
        (Palette[index % Palette.Length], DashPatterns[index / Palette.Length % DashPatterns.Length]);

    private const double Left = 52, Right = 12, Top = 28, Bottom = 64;

    /// <summary>A line chart with axes, ticks, legend and an optional dashed diagonal (ROC chance line); <paramref name="integerX"/> keeps x ticks on whole numbers (epochs).</summary>
    public static XElement LineChart(string title, string xLabel, string yLabel, IReadOnlyList<ChartSeries> series,
        (double min, double max)? xRange = null, (double min, double max)? yRange = null, bool diagonal = false,
        double width = 310, double height = 290, bool integerX = false)
    {
        var (x0, x1) = xRange ?? Range(series.SelectMany(s => s.X));
        var (y0, y1) = yRange ?? Range(series.SelectMany(s => s.Y), includeZero: true);
        double pw = width - Left - Right, ph = height - Top - Bottom;
        double Sx(double v) => Left + (v - x0) / (x1 - x0) * pw;
        double Sy(double v) => Top + ph - (v - y0) / (y1 - y0) * ph;

        // The plot keeps its size; a legend longer than one row (two entries) makes the canvas taller.
        // As many legend columns as the longest name allows (about 5.6 px a character at 10 px), at least two.
        int legendCount = series.Count(s => s.InLegend);
        int longest = series.Where(s => s.InLegend).Select(s => s.Name.Length).DefaultIfEmpty(10).Max();
        int legendColumns = Math.Clamp((int)(pw / (24 + 5.6 * Math.Min(longest, 40))), 2, 4);
        int legendChars = Math.Max(8, (int)((pw / legendColumns - 24) / 5.6));
        double canvas = height + Math.Max(0, (legendCount + legendColumns - 1) / legendColumns - 1) * 14;
        var svg = Svg(width, canvas, title);
        svg.Add(Text(width / 2, 16, title, anchor: "middle", size: 12, bold: true));
        svg.Add(new XElement("rect", A("x", Left), A("y", Top), A("width", pw), A("height", ph), new XAttribute("fill", "#fff"), new XAttribute("stroke", "#888")));
        foreach (var t in Ticks(x0, x1, integerX))
        {
            svg.Add(Line(Sx(t), Top + ph, Sx(t), Top + ph + 4, "#888"));
            svg.Add(Text(Sx(t), Top + ph + 15, Tick(t), anchor: "middle", size: 10));
        }
        foreach (var t in Ticks(y0, y1))
        {
            svg.Add(Line(Left - 4, Sy(t), Left, Sy(t), "#888"));
            svg.Add(Line(Left, Sy(t), Left + pw, Sy(t), "#eee"));
            svg.Add(Text(Left - 6, Sy(t) + 3, Tick(t), anchor: "end", size: 10));
        }
        svg.Add(Text(Left + pw / 2, Top + ph + 30, xLabel, anchor: "middle", size: 11));
        svg.Add(new XElement("text", A("x", 12), A("y", Top + ph / 2), new XAttribute("text-anchor", "middle"), new XAttribute("font-size", "11"),
            new XAttribute("transform", $"rotate(-90 12 {F(Top + ph / 2)})"), yLabel));
        if (diagonal)
            svg.Add(new XElement("line", A("x1", Sx(x0)), A("y1", Sy(y0)), A("x2", Sx(x1)), A("y2", Sy(y1)),
                new XAttribute("stroke", "#aaa"), new XAttribute("stroke-dasharray", "4 3")));
        for (int i = 0, legend = 0; i < series.Count; i++)
        {
            var s = series[i];
            var pts = Enumerable.Range(0, Math.Min(s.X.Count, s.Y.Count))
                .Where(k => double.IsFinite(s.X[k]) && double.IsFinite(s.Y[k]))
                .Select(k => $"{F(Sx(Math.Clamp(s.X[k], x0, x1)))},{F(Sy(Math.Clamp(s.Y[k], y0, y1)))}").ToList();
            if (pts.Count > 0)
            {
                var line = new XElement("polyline", new XAttribute("points", string.Join(" ", pts)), new XAttribute("fill", "none"),
                    new XAttribute("stroke", s.Color), new XAttribute("stroke-width", "2"), new XElement("title", s.Name));
                if (s.Dash is { } dash) line.Add(new XAttribute("stroke-dasharray", dash));
                svg.Add(line);
                if (pts.Count == 1)
                {
                    var xy = pts[0].Split(',');
                    svg.Add(new XElement("circle", new XAttribute("cx", xy[0]), new XAttribute("cy", xy[1]), new XAttribute("r", "3"), new XAttribute("fill", s.Color)));
                }
            }
            if (!s.InLegend) continue;
            double ly = Top + ph + 44 + (legend / legendColumns) * 14, lx = Left + (legend % legendColumns) * (pw / legendColumns);
            legend++;
            svg.Add(new XElement("line", A("x1", lx), A("y1", ly - 4), A("x2", lx + 16), A("y2", ly - 4), new XAttribute("stroke", s.Color),
                new XAttribute("stroke-width", "2"), s.Dash is { } d ? new XAttribute("stroke-dasharray", d) : null));
            svg.Add(Text(lx + 20, ly, Shorten(s.Name, legendChars), size: 10, tooltip: s.Name));
        }
        return svg;
    }

    /// <summary>
    /// Parallel coordinates: one vertical axis per parameter (plus the metric, usually last), one line per run through
    /// its value on each axis, coloured by the caller (e.g. by the metric), with the run in its tooltip. A run without a
    /// value on an axis breaks its line there.
    /// </summary>
    public static XElement ParallelCoordinates(string title, IReadOnlyList<ParallelAxis> axes, IReadOnlyList<ParallelLine> lines, double height = 320)
    {
        foreach (var l in lines)
            if (l.Positions.Count != axes.Count) throw new ArgumentException($"a line has {l.Positions.Count} positions for {axes.Count} axes", nameof(lines));
        double gap = 190, left = 110, top = 44, bottom = 24;
        double width = left + Math.Max(1, axes.Count - 1) * gap + 90, ph = height - top - bottom;
        double X(int a) => left + a * gap;
        double Y(double p) => top + ph - Math.Clamp(p, 0, 1) * ph;
        var svg = Svg(width, height, title);
        svg.Add(Text(width / 2, 16, title, anchor: "middle", size: 12, bold: true));
        foreach (var line in lines)
        {
            var segments = new List<List<string>> { new() };
            for (int a = 0; a < axes.Count; a++)
            {
                if (line.Positions[a] is { } p && double.IsFinite(p)) segments[^1].Add($"{F(X(a))},{F(Y(p))}");
                else if (segments[^1].Count > 0) segments.Add([]);
            }
            foreach (var seg in segments.Where(s => s.Count > 0))
                svg.Add(new XElement("polyline", new XAttribute("points", string.Join(" ", seg)), new XAttribute("fill", "none"), new XAttribute("stroke", line.Color),
                    new XAttribute("stroke-width", "2"), new XAttribute("stroke-opacity", "0.8"), new XElement("title", line.Tooltip)));
        }
        for (int a = 0; a < axes.Count; a++)
        {
            svg.Add(Line(X(a), top, X(a), top + ph, "#444"));
            svg.Add(Text(X(a), top - 10, Shorten(axes[a].Name, 26), anchor: "middle", size: 11, bold: true, tooltip: axes[a].Name));
            // Labels left of every axis but the last, so they sit outside the fan of lines that leaves each axis to the right.
            bool last = a == axes.Count - 1 && axes.Count > 1;
            foreach (var (p, label) in axes[a].Ticks)
            {
                svg.Add(Line(X(a) - 4, Y(p), X(a) + 4, Y(p), "#444"));
                svg.Add(Text(last ? X(a) + 7 : X(a) - 7, Y(p) + 4, Shorten(label, 18), anchor: last ? "start" : "end", size: 10, tooltip: label));
            }
        }
        return svg;
    }

    /// <summary>
    /// Estimates with intervals per category: a dot and a whisker from lower to upper (a dot alone without bounds), a
    /// tooltip on each; e.g. the mean metric per value of one swept parameter.
    /// </summary>
    public static XElement IntervalChart(string title, string yLabel, IReadOnlyList<IntervalPoint> points, (double min, double max)? yRange = null, double height = 250)
    {
        var finite = points.SelectMany(p => new[] { p.Value, p.Lower, p.Upper }).Where(v => v is { } d && double.IsFinite(d)).Select(v => v!.Value).ToList();
        var (y0, y1) = yRange ?? Range(finite);
        if (yRange is null && y1 > y0) { double pad = (y1 - y0) * 0.08; (y0, y1) = (y0 - pad, y1 + pad); }
        double slot = 88, pw = Math.Max(160, points.Count * slot), width = Left + pw + Right, ph = height - Top - Bottom;
        double Sy(double v) => Top + ph - (Math.Clamp(v, y0, y1) - y0) / (y1 - y0) * ph;
        var svg = Frame(title, yLabel, width, height, pw, ph, y0, y1, Sy);
        double step = pw / Math.Max(1, points.Count);
        for (int i = 0; i < points.Count; i++)
        {
            var p = points[i];
            double x = Left + i * step + step / 2;
            svg.Add(Text(x, Top + ph + 15, Shorten(p.Category, 15), anchor: "middle", size: 10, tooltip: p.Category));
            if (p.Value is not { } v || !double.IsFinite(v)) continue;
            var group = new XElement("g", new XElement("title", p.Tooltip));
            if (p.Lower is { } lo && p.Upper is { } hi && double.IsFinite(lo) && double.IsFinite(hi))
            {
                group.Add(Line(x, Sy(lo), x, Sy(hi), Palette[0]));
                group.Add(Line(x - 6, Sy(lo), x + 6, Sy(lo), Palette[0]));
                group.Add(Line(x - 6, Sy(hi), x + 6, Sy(hi), Palette[0]));
            }
            group.Add(new XElement("circle", A("cx", x), A("cy", Sy(v)), new XAttribute("r", "4"), new XAttribute("fill", Palette[0])));
            svg.Add(group);
        }
        return svg;
    }

    /// <summary>
    /// A grouped bar chart: one group per category (e.g. lead), one bar per series (e.g. model and baseline), a zero line,
    /// a tooltip on every bar and "n/a" where a value is missing or not finite. Bars start at 0 (or at the range's edge).
    /// </summary>
    public static XElement BarChart(string title, string yLabel, IReadOnlyList<string> categories, IReadOnlyList<BarSeries> series,
        (double min, double max)? yRange = null, double height = 290)
    {
        foreach (var s in series)
            if (s.Values.Count != categories.Count || s.Tooltips.Count != categories.Count)
                throw new ArgumentException($"bar series '{s.Name}' has {s.Values.Count} values and {s.Tooltips.Count} tooltips for {categories.Count} categories", nameof(series));
        var finite = series.SelectMany(s => s.Values).Where(v => v is { } d && double.IsFinite(d)).Select(v => v!.Value).ToList();
        var (y0, y1) = yRange ?? Range(finite, includeZero: true);
        double bar = 12, gap = 10, group = Math.Max(1, series.Count) * bar + gap;
        double pw = Math.Max(200, categories.Count * group), width = Left + pw + Right, ph = height - Top - Bottom;
        double Sy(double v) => Top + ph - (Math.Clamp(v, y0, y1) - y0) / (y1 - y0) * ph;

        var svg = Frame(title, yLabel, width, height, pw, ph, y0, y1, Sy);
        double zero = Sy(Math.Clamp(0, y0, y1));
        double slot = pw / Math.Max(1, categories.Count);
        for (int c = 0; c < categories.Count; c++)
        {
            double x = Left + c * slot + (slot - series.Count * bar) / 2;
            svg.Add(Text(Left + c * slot + slot / 2, Top + ph + 15, Shorten(categories[c], 8), anchor: "middle", size: 10));
            for (int s = 0; s < series.Count; s++)
            {
                var v = series[s].Values[c];
                double bx = x + s * bar;
                if (v is { } d && double.IsFinite(d))
                {
                    double top = Math.Min(Sy(d), zero), h = Math.Max(Math.Abs(Sy(d) - zero), 0.5);
                    svg.Add(new XElement("rect", A("x", bx), A("y", top), A("width", bar - 2), A("height", h), new XAttribute("fill", series[s].Color),
                        new XElement("title", series[s].Tooltips[c])));
                }
                else
                {
                    svg.Add(new XElement("text", A("x", bx + (bar - 2) / 2), A("y", zero - 3), new XAttribute("text-anchor", "middle"),
                        new XAttribute("font-size", "8"), new XAttribute("fill", "#888"), "n/a", new XElement("title", series[s].Tooltips[c])));
                }
            }
        }
        svg.Add(Line(Left, zero, Left + pw, zero, "#444"));
        for (int s = 0; s < series.Count; s++)
        {
            double ly = Top + ph + 44 + (s / 2) * 14, lx = Left + (s % 2) * (pw / 2);
            svg.Add(new XElement("rect", A("x", lx), A("y", ly - 9), A("width", 12), A("height", 10), new XAttribute("fill", series[s].Color)));
            svg.Add(Text(lx + 16, ly, Shorten(series[s].Name, 40), size: 10));
        }
        return svg;
    }

    /// <summary>A confusion matrix as a grid coloured by row-normalised share, each cell showing its count.</summary>
    public static XElement ConfusionGrid(string title, IReadOnlyList<string> classNames, IReadOnlyList<IReadOnlyList<long>> counts)
    {
        int k = classNames.Count;
        double cell = Math.Clamp(200.0 / Math.Max(k, 1), 22, 60), left = 90, top = 44;
        double width = left + k * cell + 16, height = top + k * cell + 40;
        var svg = Svg(width, height, title);
        svg.Add(Text(width / 2, 16, title, anchor: "middle", size: 12, bold: true));
        svg.Add(Text(left + k * cell / 2, 34, "predicted", anchor: "middle", size: 10));
        for (int i = 0; i < k; i++)
        {
            long rowTotal = counts[i].Sum();
            svg.Add(Text(left - 6, top + i * cell + cell / 2 + 4, Shorten(classNames[i], 12), anchor: "end", size: 10));
            svg.Add(Text(left + i * cell + cell / 2, top + k * cell + 14, Shorten(classNames[i], 8), anchor: "middle", size: 10));
            for (int j = 0; j < k; j++)
            {
                double share = rowTotal == 0 ? 0 : (double)counts[i][j] / rowTotal;
                svg.Add(new XElement("rect", A("x", left + j * cell), A("y", top + i * cell), A("width", cell), A("height", cell),
                    new XAttribute("fill", Blue(share)), new XAttribute("stroke", "#fff"),
                    new XElement("title", $"true {classNames[i]}, predicted {classNames[j]}: {counts[i][j]} ({share:P1} of the row)")));
                svg.Add(Text(left + j * cell + cell / 2, top + i * cell + cell / 2 + 4, counts[i][j].ToString(CultureInfo.InvariantCulture),
                    anchor: "middle", size: 11, color: share > 0.5 ? "#fff" : "#111"));
            }
        }
        svg.Add(Text(left + k * cell / 2, top + k * cell + 30, "rows: true class", anchor: "middle", size: 10));
        return svg;
    }

    /// <summary>
    /// A heat-map of <paramref name="values"/>[row][column] (null = no run), each cell labelled with its text; the darkest
    /// cell is the best: the largest value, or the smallest with <paramref name="lowerIsBetter"/> (errors, losses).
    /// </summary>
    public static XElement Heatmap(string title, IReadOnlyList<string> rows, IReadOnlyList<string> columns,
        IReadOnlyList<IReadOnlyList<double?>> values, IReadOnlyList<IReadOnlyList<string>> labels, IReadOnlyList<IReadOnlyList<string>> tooltips,
        bool lowerIsBetter = false)
    {
        double cw = 120, ch = 40, left = 130, top = 50;
        double width = left + columns.Count * cw + 16, height = top + rows.Count * ch + 30;
        var finite = values.SelectMany(r => r).Where(v => v is { } d && double.IsFinite(d)).Select(v => v!.Value).ToList();
        double lo = finite.Count > 0 ? finite.Min() : 0, hi = finite.Count > 0 ? finite.Max() : 1;
        var svg = Svg(width, height, title);
        svg.Add(Text(width / 2, 16, title, anchor: "middle", size: 12, bold: true));
        svg.Add(Text(left + columns.Count * cw / 2, 34, "architecture (model.type)", anchor: "middle", size: 10));
        for (int j = 0; j < columns.Count; j++)
            svg.Add(Text(left + j * cw + cw / 2, top - 4, Shorten(columns[j], 16), anchor: "middle", size: 11, bold: true));
        for (int i = 0; i < rows.Count; i++)
        {
            svg.Add(Text(left - 6, top + i * ch + ch / 2 + 4, Shorten(rows[i], 18), anchor: "end", size: 11, bold: true));
            for (int j = 0; j < columns.Count; j++)
            {
                var v = values[i][j];
                double share = v is { } d && double.IsFinite(d) ? (hi > lo ? (d - lo) / (hi - lo) : 1) : -1;
                if (lowerIsBetter && share >= 0 && hi > lo) share = 1 - share;
                svg.Add(new XElement("rect", A("x", left + j * cw), A("y", top + i * ch), A("width", cw), A("height", ch),
                    new XAttribute("fill", share < 0 ? "#f3f3f3" : Green(share)), new XAttribute("stroke", "#fff"),
                    new XElement("title", tooltips[i][j])));
                svg.Add(Text(left + j * cw + cw / 2, top + i * ch + ch / 2 + 4, labels[i][j], anchor: "middle", size: 11, color: share > 0.6 ? "#fff" : "#111"));
            }
        }
        svg.Add(Text(8, top + rows.Count * ch + 20, "rows: training.imbalance.strategy", size: 10));
        return svg;
    }

    /// <summary>The frame of a chart with a value axis: title, plot area, y ticks with grid lines and the rotated y label.</summary>
    private static XElement Frame(string title, string yLabel, double width, double height, double pw, double ph, double y0, double y1, Func<double, double> sy)
    {
        var svg = Svg(width, height, title);
        svg.Add(Text(width / 2, 16, title, anchor: "middle", size: 12, bold: true));
        svg.Add(new XElement("rect", A("x", Left), A("y", Top), A("width", pw), A("height", ph), new XAttribute("fill", "#fff"), new XAttribute("stroke", "#888")));
        foreach (var t in Ticks(y0, y1))
        {
            svg.Add(Line(Left - 4, sy(t), Left, sy(t), "#888"));
            svg.Add(Line(Left, sy(t), Left + pw, sy(t), "#eee"));
            svg.Add(Text(Left - 6, sy(t) + 3, Tick(t), anchor: "end", size: 10));
        }
        svg.Add(new XElement("text", A("x", 12), A("y", Top + ph / 2), new XAttribute("text-anchor", "middle"), new XAttribute("font-size", "11"),
            new XAttribute("transform", $"rotate(-90 12 {F(Top + ph / 2)})"), yLabel));
        return svg;
    }

    private static XElement Svg(double width, double height, string label) =>
        new("svg", A("width", width), A("height", height), new XAttribute("viewBox", $"0 0 {F(width)} {F(height)}"),
            new XAttribute("role", "img"), new XAttribute("aria-label", label), new XAttribute("font-family", "sans-serif"));

    private static XElement Text(double x, double y, string text, string anchor = "start", int size = 11, bool bold = false, string color = "#111", string? tooltip = null) =>
        new("text", A("x", x), A("y", y), new XAttribute("text-anchor", anchor), new XAttribute("font-size", size.ToString(CultureInfo.InvariantCulture)),
            new XAttribute("fill", color), bold ? new XAttribute("font-weight", "bold") : null, text,
            tooltip is not null && tooltip != text ? new XElement("title", tooltip) : null);

    private static XElement Line(double x1, double y1, double x2, double y2, string color) =>
        new("line", A("x1", x1), A("y1", y1), A("x2", x2), A("y2", y2), new XAttribute("stroke", color));

    private static XAttribute A(string name, double value) => new(name, F(value));

    internal static string F(double v) => Math.Round(v, 2).ToString("0.##", CultureInfo.InvariantCulture);

    private static string Tick(double v) => Math.Round(v, 6).ToString("0.###", CultureInfo.InvariantCulture);

    private static string Shorten(string s, int max) => s.Length <= max ? s : s[..(max - 1)] + "…";

    private static (double, double) Range(IEnumerable<double> values, bool includeZero = false)
    {
        var v = values.Where(double.IsFinite).ToList();
        if (v.Count == 0) return (0, 1);
        double lo = includeZero ? Math.Min(0, v.Min()) : v.Min(), hi = v.Max();
        if (hi <= lo) hi = lo + 1;
        return (lo, hi + (includeZero ? (hi - lo) * 0.05 : 0));
    }

    private static IEnumerable<double> Ticks(double lo, double hi, bool integer = false)
    {
        double raw = (hi - lo) / 4, mag = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = new[] { 1, 2, 2.5, 5, 10 }.Select(m => m * mag).First(s => s >= raw);
        if (integer) step = Math.Max(1, Math.Ceiling(step));   // epochs: no 1.5
        for (double t = Math.Ceiling(lo / step) * step; t <= hi + step * 1e-9; t += step) yield return t;
    }

    internal static string Blue(double share) => Mix(share, (239, 243, 255), (8, 69, 148));
    private static string Green(double share) => Mix(share, (229, 245, 224), (0, 109, 44));

    private static string Mix(double t, (int r, int g, int b) a, (int r, int g, int b) b)
    {
        int C(int x, int y) => (int)Math.Round(x + (y - x) * Math.Clamp(t, 0, 1));
        return $"#{C(a.r, b.r):x2}{C(a.g, b.g):x2}{C(a.b, b.b):x2}";
    }
}
