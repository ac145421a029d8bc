using System.Globalization;
using System.Text;

namespace EcgExperiments.Data.Text;

/// <summary>
/// Parses the Python dict literals PTB-XL stores in <c>scp_codes</c>, e.g. <c>{'NORM': 100.0, 'SR': 0.0}</c>:
/// string keys in single or double quotes (with backslash escapes), numeric values (including <c>nan</c>,
/// <c>inf</c>), optional trailing comma, any whitespace. Errors throw <see cref="FormatException"/> with the position.
/// </summary>
internal static class PythonDictLiteral
{
    public static IReadOnlyDictionary<string, double> ParseStringToNumber(string text)
    {
        int p = 0;
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        SkipSpace(text, ref p);
        Expect(text, ref p, '{');
        SkipSpace(text, ref p);
        if (Peek(text, p) == '}') { p++; }
        else
        {
            while (true)
            {
                SkipSpace(text, ref p);
                if (Peek(text, p) == '}') { p++; break; } // trailing comma
                var key = ReadString(text, ref p);
                SkipSpace(text, ref p);
                Expect(text, ref p, ':');
                SkipSpace(text, ref p);
                var value = ReadNumber(text, ref p);
                if (!result.TryAdd(key, value)) throw new FormatException($"key '{key}' appears twice");
                SkipSpace(text, ref p);
                char c = Peek(text, p);
                if (c == ',') { p++; continue; }
                if (c == '}') { p++; break; }
                throw new FormatException($"expected ',' or '}}' at position {p}, found {Describe(text, p)}");
            }
        }
        SkipSpace(text, ref p);
        if (p != text.Length) throw new FormatException($"unexpected text after the closing '}}' at position {p}");
        return result;
    }

    private static char Peek(string s, int p) => p < s.Length ? s[p] : '\0';

    private static string Describe(string s, int p) => p < s.Length ? $"'{s[p]}'" : "the end of the text";

    private static void SkipSpace(string s, ref int p)
    {
        while (p < s.Length && char.IsWhiteSpace(s[p])) p++;
    }

    private static void Expect(string s, ref int p, char c)
    {
        if (Peek(s, p) != c) throw new FormatException($"expected '{c}' at position {p}, found {Describe(s, p)}");
        p++;
    }

    private static string ReadString(string s, ref int p)
    {
        char quote = Peek(s, p);
        if (quote is not ('\'' or '"')) throw new FormatException($"expected a quoted key at position {p}, found {Describe(s, p)}");
        int start = p++;
        var sb = new StringBuilder();
        while (p < s.Length && s[p] != quote)
        {
            if (s[p] == '\\' && p + 1 < s.Length)
            {
                char e = s[p + 1];
                sb.Append(e switch { 'n' => '\n', 't' => '\t', 'r' => '\r', _ => e });
                p += 2;
                continue;
            }
            sb.Append(s[p++]);
        }
        if (p >= s.Length) throw new FormatException($"string starting at position {start} is never closed");
        p++;
        return sb.ToString();
    }

    private static double ReadNumber(string s, ref int p)
    {
        int start = p;
        while (p < s.Length && (char.IsAsciiLetterOrDigit(s[p]) || s[p] is '.' or '+' or '-')) p++;
        var token = s[start..p];
        switch (token)
        {
            case "nan": return double.NaN;
            case "inf": return double.PositiveInfinity;
            case "-inf": return double.NegativeInfinity;
        }
        if (token.Length == 0 || !double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
            throw new FormatException($"expected a number at position {start}, found '{(token.Length > 0 ? token : Describe(s, start))}'");
        return v;
    }
}
