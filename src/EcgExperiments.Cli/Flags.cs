using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using EcgExperiments.Torch;

namespace EcgExperiments.Cli;

/// <summary>
/// Command-line options whose values are checked while the command line is parsed, so a bad value fails before anything
/// runs with a message that names the flag as the user typed it (<c>--epochs: expected a whole number ≥ 1, got '-3'</c>).
/// </summary>
internal static class Flags
{
    /// <summary>A whole number in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static Option<int?> Count(string name, string description, int min = 1, int max = int.MaxValue) => new(name)
    {
        Description = description,
        CustomParser = r => ParseCount(r, name, min, max),
    };

    /// <summary>A whole number in [<paramref name="min"/>, <paramref name="max"/>] with a default.</summary>
    public static Option<int> Count(string name, string description, int min, int max, int defaultValue) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = r => ParseCount(r, name, min, max) ?? defaultValue,
    };

    private static int? ParseCount(ArgumentResult r, string name, int min, int max)
    {
        var text = r.Tokens.Count > 0 ? r.Tokens[^1].Value : "";
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            r.AddError($"{name}: expected a whole number, got '{text}'");
            return null;
        }
        if (value < min || value > max)
        {
            r.AddError(max == int.MaxValue ? $"{name}: must be ≥ {min}, got {value}" : $"{name}: must be in {min}..{max}, got {value}");
            return null;
        }
        return value;
    }

    /// <summary><c>auto</c> or a positive number of libtorch threads.</summary>
    public static Option<string?> Threads(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = r =>
        {
            var text = r.Tokens.Count > 0 ? r.Tokens[^1].Value : "";
            if (text.Equals("auto", StringComparison.OrdinalIgnoreCase)) return "auto";
            if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 1) return text;
            r.AddError($"{name}: expected 'auto' or a number of threads ≥ 1, got '{text}'");
            return null;
        },
    };

    /// <summary>A device: cpu, cuda, cuda:N or auto.</summary>
    public static Option<string?> Device(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = r =>
        {
            var text = r.Tokens.Count > 0 ? r.Tokens[^1].Value : "";
            try
            {
                EcgExperiments.Torch.Device.Parse(text);
                return text;
            }
            catch (ArgumentException e)
            {
                r.AddError($"{name}: {e.Message}");
                return null;
            }
        },
    };

    /// <summary>A floating-point precision: fp32 or bf16 (YAML's <c>training.precision</c> values), with fp32 the default.</summary>
    public static Option<EcgExperiments.Training.Precision> Precision(string name, string description) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => EcgExperiments.Training.Precision.Fp32,
        CustomParser = r =>
        {
            var text = r.Tokens.Count > 0 ? r.Tokens[^1].Value : "";
            if (text.Equals("fp32", StringComparison.OrdinalIgnoreCase)) return EcgExperiments.Training.Precision.Fp32;
            if (text.Equals("bf16", StringComparison.OrdinalIgnoreCase)) return EcgExperiments.Training.Precision.Bf16;
            r.AddError($"{name}: expected fp32 or bf16, got '{text}'");
            return EcgExperiments.Training.Precision.Fp32;
        },
    };

    /// <summary>A folder to write into: it may not exist yet, but must not be an existing file.</summary>
    public static Option<string?> Folder(string name, string description, params string[] aliases) => new(name, aliases)
    {
        Description = description,
        CustomParser = r => CheckPath(r, name, mustBeFolder: true),
    };

    /// <summary>A folder to write into, with a default.</summary>
    public static Option<string> Folder(string name, string description, string defaultValue, params string[] aliases) => new(name, aliases)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = r => CheckPath(r, name, mustBeFolder: true) ?? defaultValue,
    };

    /// <summary>A file to write: it may not exist yet, but must not be an existing folder.</summary>
    public static Option<string?> OutputFile(string name, string description, params string[] aliases) => new(name, aliases)
    {
        Description = description,
        CustomParser = r => CheckPath(r, name, mustBeFolder: false),
    };

    private static string? CheckPath(ArgumentResult r, string name, bool mustBeFolder)
    {
        var text = r.Tokens.Count > 0 ? r.Tokens[^1].Value : "";
        if (text.Length == 0)
        {
            r.AddError($"{name}: expected a path");
            return null;
        }
        if (mustBeFolder && File.Exists(text))
        {
            r.AddError($"{name}: {text} is an existing file; give a folder (it is created when missing)");
            return null;
        }
        if (!mustBeFolder && Directory.Exists(text))
        {
            r.AddError($"{name}: {text} is an existing folder; give a file name");
            return null;
        }
        // A path typed on the command line is relative to the current folder, as in every other tool (a spec's output.dir
        // stays relative to the repository).
        return Path.GetFullPath(text);
    }

    /// <summary>A warning when a thread count is above this machine's cores (libtorch then slows down rather than speeds up).</summary>
    public static string? ThreadsWarning(string name, string? threads) =>
        int.TryParse(threads, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > Environment.ProcessorCount
            ? $"warning: {name} {n}: this machine has {Environment.ProcessorCount} core(s); more threads than cores make libtorch slower, not faster"
            : null;

    /// <summary>
    /// System.CommandLine's own parse errors in plain words: "Cannot parse argument 'abc' for option '--min-count' as expected
    /// type 'System.Nullable`1[System.Int32]'." becomes "--min-count: expected a whole number, got 'abc'".
    /// </summary>
    internal static string Plain(string message)
    {
        var m = System.Text.RegularExpressions.Regex.Match(message, @"^Cannot parse argument '(?<value>.*)' for (?:option|argument) '(?<name>[^']+)' as expected type '(?<type>[^']+)'\.?$");
        if (!m.Success) return message;
        var type = m.Groups["type"].Value;
        var kind = type.Contains("Int", StringComparison.Ordinal) ? "a whole number"
            : type.Contains("Double", StringComparison.Ordinal) || type.Contains("Single", StringComparison.Ordinal) ? "a number"
            : type.Contains("Boolean", StringComparison.Ordinal) ? "true or false"
            : "a value of another form (see --help)";
        return $"{m.Groups["name"].Value}: expected {kind}, got '{m.Groups["value"].Value}'";
    }

    /// <summary>
    /// Parses and runs <paramref name="args"/>: parse errors print one <c>error:</c> line each (naming the flag) and exit
    /// <see cref="ExitCodes.InvalidSpecOrFlag"/>; everything the commands throw goes through <see cref="ErrorBoundary"/>.
    /// </summary>
    public static int Invoke(RootCommand root, string[] args)
    {
        var result = root.Parse(args);
        if (result.Errors.Count > 0 && result.Action is not System.CommandLine.Help.HelpAction)
        {
            foreach (var e in result.Errors) Console.Error.WriteLine($"error: {Plain(e.Message)}");
            var command = string.Join(' ', result.CommandResult.Command is RootCommand ? ["ecg"] : new[] { "ecg", result.CommandResult.Command.Name });
            Console.Error.WriteLine($"see `{command} --help` for the flags");
            return ExitCodes.InvalidSpecOrFlag;
        }
        // The boundary, not System.CommandLine's default handler (which prints stack traces), reports what the commands throw.
        return ErrorBoundary.Run(() => result.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false }));
    }
}
