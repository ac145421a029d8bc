using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace EcgExperiments.Experiments.Spec;

/// <summary>
/// Bounds on what an experiment file may make the loader do, checked on the YAML event stream before any node is built:
/// the file's size, and the number of nodes the document has once its aliases are expanded. An alias names a whole
/// subtree, so a few lines of nested aliases (a "billion laughs" document) expand to billions of nodes: the sweep
/// expander and the binder copy and print values, so such a file would grow memory without bound. Real experiment files
/// are a few kilobytes and a few hundred nodes.
/// </summary>
public static class YamlLimits
{
    /// <summary>Largest experiment file read: 1 MiB.</summary>
    public const long MaxFileBytes = 1 << 20;

    /// <summary>Most nodes a document may have with its aliases expanded.</summary>
    public const long MaxExpandedNodes = 100_000;

    /// <summary>
    /// Scans <paramref name="text"/> and throws <see cref="SpecException"/> at the alias that takes the document past
    /// <see cref="MaxExpandedNodes"/>, or at the true line:column of a syntax error.
    /// </summary>
    public static void Check(string text, string file)
    {
        var parser = new Parser(new StringReader(text));
        var sizes = new Dictionary<string, long>(StringComparer.Ordinal);
        // Open collections: their anchor (if any) and node count so far (each collection counts itself).
        var open = new Stack<(string? Anchor, long Count)>();
        long total = 0;
        var last = new Mark(0, 1, 1);
        try
        {
            while (parser.MoveNext())
            {
                var ev = parser.Current!;
                last = ev.Start;
                long added;
                switch (ev)
                {
                    case Scalar s:
                        added = 1;
                        if (!s.Anchor.IsEmpty) sizes[s.Anchor.Value] = 1;
                        break;
                    case SequenceStart q:
                        open.Push((q.Anchor.IsEmpty ? null : q.Anchor.Value, 1));
                        continue;
                    case MappingStart m:
                        open.Push((m.Anchor.IsEmpty ? null : m.Anchor.Value, 1));
                        continue;
                    case SequenceEnd or MappingEnd:
                        var (anchor, count) = open.Pop();
                        if (anchor is not null) sizes[anchor] = count;
                        added = count;
                        break;
                    case AnchorAlias alias:
                        // An alias of an anchor still open (a cycle) or unknown counts as one node; the loader rejects those itself.
                        added = sizes.GetValueOrDefault(alias.Value.Value, 1);
                        if (total + added > MaxExpandedNodes)
                            throw new SpecException(SourceRef.From(file, ev.Start, "(alias)"),
                                $"the alias *{alias.Value.Value} makes the document larger than {MaxExpandedNodes:N0} nodes once expanded " +
                                "(aliases nested inside aliases multiply); write the values out, or use fewer nested aliases");
                        total += added;
                        break;
                    default:
                        continue;
                }
                if (ev is Scalar && ++total > MaxExpandedNodes)
                    throw new SpecException(SourceRef.From(file, ev.Start, "(document)"), $"the document has more than {MaxExpandedNodes:N0} values; an experiment file has a few hundred");
                if (open.Count > 0)
                {
                    var (a, c) = open.Pop();
                    open.Push((a, c + added));
                }
            }
        }
        catch (YamlException e)
        {
            var at = Where(e);
            if ((e.InnerException?.Message ?? e.Message).Contains("tab", StringComparison.OrdinalIgnoreCase) && FirstTabIndent(text, (int)at.Line) is { } tab) at = tab;
            throw new SpecException(SourceRef.From(file, at, "(syntax)"), $"invalid YAML: {Describe(e, at, text)}");
        }
        catch (InvalidOperationException)
        {
            // The parser gives up without a position on some broken documents: the last event it read is where it broke.
            throw new SpecException(SourceRef.From(file, last, "(syntax)"),
                "invalid YAML: the document structure is broken after here (an unclosed [ or {, or inconsistent indentation?)");
        }
    }

    /// <summary>The first tab in a line's indentation at or after <paramref name="fromLine"/> (1-based), as a mark.</summary>
    private static Mark? FirstTabIndent(string text, int fromLine)
    {
        var lines = text.Split('\n');
        for (int i = Math.Max(0, fromLine - 1); i < lines.Length; i++)
        {
            int col = 0;
            while (col < lines[i].Length && lines[i][col] is ' ' or '\t')
            {
                if (lines[i][col] == '\t') return new Mark(0, i + 1, col + 1);
                col++;
            }
        }
        return null;
    }

    /// <summary>
    /// Where the problem is: the scanner's "while scanning X (started at Start), found Y" errors mark the construct's
    /// start and report what they found at End — a tab used as indentation is at End, not at the mapping's first key.
    /// </summary>
    public static Mark Where(YamlException e)
    {
        var inner = e.InnerException as YamlException ?? e;
        var found = inner.Message.Contains(" found ", StringComparison.Ordinal) || inner.Message.StartsWith("found ", StringComparison.OrdinalIgnoreCase);
        var mark = found && inner.End.Line >= inner.Start.Line ? inner.End : inner.Start;
        return mark.Line > 0 ? mark : e.Start;
    }

    /// <summary>The scanner's message, with a tab at <paramref name="at"/> named as the cause.</summary>
    private static string Describe(YamlException e, Mark at, string text)
    {
        var message = e.InnerException?.Message ?? e.Message;
        var line = (int)at.Line - 1;
        var lines = text.Split('\n');
        if (line >= 0 && line < lines.Length && (int)at.Column - 1 is var col and >= 0 && col < lines[line].Length && lines[line][col] == '\t')
            return $"{message} (a tab character: YAML indents with spaces only)";
        return message;
    }
}
