using EcgExperiments.Core;
using EcgExperiments.Data.Text;

namespace EcgExperiments.Data.Tests.Datasets;

public sealed class TextParserTests
{
    [Theory]
    [InlineData("{'NORM': 100.0, 'LVOLT': 0.0, 'SR': 0.0}", "NORM=100;LVOLT=0;SR=0")]
    [InlineData("{}", "")]
    [InlineData("  { \"IMI\" :15.0,'ABQRS':0,}  ", "IMI=15;ABQRS=0")]
    [InlineData("{'LAO/LAE': 1e2, 'it\\'s': -5.5}", "LAO/LAE=100;it's=-5.5")]
    public void Python_dict_literals_parse(string text, string expected)
    {
        var d = PythonDictLiteral.ParseStringToNumber(text);
        Assert.Equal(expected, string.Join(";", d.Select(kv => $"{kv.Key}={kv.Value}")));
    }

    [Theory]
    [InlineData("{'NORM': 100.0", "expected ',' or '}'")]
    [InlineData("{NORM: 100}", "expected a quoted key at position 1")]
    [InlineData("{'NORM': x}", "expected a number at position 9")]
    [InlineData("{'A': 1, 'A': 2}", "key 'A' appears twice")]
    [InlineData("{'A': 1} extra", "unexpected text after the closing")]
    [InlineData("['A']", "expected '{' at position 0")]
    public void Malformed_dict_literals_say_where(string text, string problem)
    {
        var ex = Assert.Throws<FormatException>(() => PythonDictLiteral.ParseStringToNumber(text));
        Assert.Contains(problem, ex.Message);
    }

    [Fact]
    public void Csv_handles_quotes_doubled_quotes_line_breaks_and_crlf()
    {
        var t = CsvTable.Parse("a,b,c\r\n1,\"x, y\",\"say \"\"hi\"\"\"\r\n2,\"two\nlines\",\r\n\r\n3,,z", "t.csv");
        Assert.Equal(["a", "b", "c"], t.Header);
        Assert.Equal(3, t.Rows.Count);
        Assert.Equal(["1", "x, y", "say \"hi\""], t.Rows[0].Fields);
        Assert.Equal(["2", "two\nlines", ""], t.Rows[1].Fields);
        Assert.Equal(["3", "", "z"], t.Rows[2].Fields);
        Assert.Equal([2, 3, 6], t.Rows.Select(r => r.Line));
        Assert.Equal(1, t.Column("b"));
    }

    [Theory]
    [InlineData("a,b\n1,2\n3,4,5\n", 3, "row has 3 fields but the header has 2")]
    [InlineData("a,b\n1,\"open\n2,3\n", 2, "quoted field 2 is never closed")]
    [InlineData("a,b\n1,\"x\"y\n", 2, "unexpected character 'y' after a closing quote")]
    public void Malformed_csv_names_file_and_line(string text, int line, string problem)
    {
        var ex = Assert.Throws<EcgDataException>(() => CsvTable.Parse(text, "/d/t.csv"));
        Assert.StartsWith($"/d/t.csv:{line}: ", ex.Message);
        Assert.Contains(problem, ex.Message);
        var missing = Assert.Throws<EcgDataException>(() => CsvTable.Parse("a,b\n1,2\n", "/d/t.csv").Column("scp_codes"));
        Assert.Contains("required column 'scp_codes' is missing (columns: a, b)", missing.Message);
    }
}
