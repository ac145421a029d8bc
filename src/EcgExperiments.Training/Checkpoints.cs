using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using EcgExperiments.Core;
using EcgExperiments.Torch;

namespace EcgExperiments.Training;

/// <summary>
/// Where a fit keeps its resumable state and how often it writes it. A fit given these options writes a checkpoint at
/// the end of an epoch when <paramref name="Interval"/> has passed since the last one, and a fit that finds a checkpoint
/// of the same <paramref name="Key"/> continues after its epoch: same weights, optimiser moments, minibatch order and
/// random streams, so the resumed run ends where an uninterrupted one would (bit for bit on a CPU).
/// </summary>
/// <param name="Path">The checkpoint file; each write replaces it atomically.</param>
/// <param name="Key">What the state belongs to (the trial key); a checkpoint with another key is not resumed.</param>
/// <param name="Interval">Least time between writes; <see cref="TimeSpan.Zero"/> writes after every epoch.</param>
public sealed record CheckpointOptions(string Path, string Key, TimeSpan Interval)
{
    /// <summary>When this sitting of the trial began (before its data were loaded); a checkpoint adds the time since to the wall time of the earlier sittings.</summary>
    public DateTime SittingStartedUtc { get; init; } = DateTime.UtcNow;
}

/// <summary>
/// What a fit continued from: the checkpoint's epoch and what the sittings before it spent. A sitting is one process
/// that trained the fit, from its start to its last checkpoint; a run stopped and resumed twice has three.
/// </summary>
/// <param name="AfterEpoch">The checkpoint's epoch; training continued with the next.</param>
/// <param name="Sittings">How many sittings wrote the checkpoint's state.</param>
/// <param name="WallSeconds">Their wall time up to the checkpoint (training time only, for a checkpoint written before wall time was recorded).</param>
/// <param name="PeakMemoryBytes">The largest peak resident memory among them, when recorded.</param>
public sealed record ResumedFit(int AfterEpoch, int Sittings, double WallSeconds, long? PeakMemoryBytes);

/// <summary>What a checkpoint file holds, read without loading its tensors (for messages before a run).</summary>
/// <param name="Key">The trial key the state belongs to.</param>
/// <param name="Epoch">The last finished epoch.</param>
/// <param name="Epochs">The fit's planned epochs.</param>
/// <param name="WrittenUtc">When it was written.</param>
/// <param name="Sittings">How many sittings (processes) trained it so far.</param>
/// <param name="WallSeconds">Their wall time (their training time, for a checkpoint written before wall time was recorded).</param>
public sealed record CheckpointInfo(string Key, int Epoch, int Epochs, DateTime WrittenUtc, int Sittings, double WallSeconds)
{
    /// <summary>"checkpoint after epoch 33 of 100 (2026-12-07 15:37 UTC; 2 sittings, 2 h 05 min so far)": where the next run resumes.</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"checkpoint after epoch {Epoch} of {Epochs} ({WrittenUtc:yyyy-MM-dd HH:mm} UTC; {Sittings} sitting{(Sittings == 1 ? "" : "s")}, {DurationText.Of(WallSeconds)} so far)");
}

/// <summary>
/// A fit's whole state at the end of an epoch, in the project's state-file format (<see cref="StateFile"/>): the model's
/// parameters and buffers, the best epoch's weights, each optimiser's state, libtorch's CPU generator, the minibatch
/// generator, the history so far and the trainer's own counters. Written by <see cref="EcgTrainerBase{TModel, TPredictor}"/>
/// only; a transient file, deleted when its trial completes.
/// </summary>
public sealed class TrainingCheckpoint : IDisposable
{
    private const string Format = "ecg-training-checkpoint";
    private const int FormatVersion = 1;

    private static readonly JsonSerializerOptions Json = new()
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public required string Key { get; init; }
    /// <summary>The last finished epoch; training continues with the next.</summary>
    public required int Epoch { get; init; }
    /// <summary>The fit's planned epochs (a checkpoint of a shorter or longer plan is not this fit's).</summary>
    public required int Epochs { get; init; }
    public required double? Best { get; init; }
    public required int BestEpoch { get; init; }
    public required int SinceBest { get; init; }
    /// <summary>Training seconds spent before the checkpoint (across every earlier resume).</summary>
    public required double Seconds { get; init; }
    public required IReadOnlyList<EpochRecord> History { get; init; }
    public required SplitMix64.Position Rng { get; init; }
    public required IReadOnlyDictionary<string, string> Items { get; init; }
    public required IReadOnlyDictionary<string, Tensor> Model { get; init; }
    public required IReadOnlyDictionary<string, Tensor>? BestModel { get; init; }
    public required IReadOnlyList<Tensor> Optimizers { get; init; }
    public required Tensor TorchRng { get; init; }
    public DateTime WrittenUtc { get; init; } = DateTime.UtcNow;
    /// <summary>How many sittings (processes) trained the state so far; 1 for a checkpoint that predates the count.</summary>
    public int Sittings { get; init; } = 1;
    /// <summary>Wall time of those sittings, each from its start to its last checkpoint; read from an older file that lacks it, its training time.</summary>
    public required double WallSeconds { get; init; }
    /// <summary>The largest peak resident memory of those sittings' processes; null when not recorded (older files).</summary>
    public long? PeakMemoryBytes { get; init; }

    /// <summary>What a fit continuing from this checkpoint carries over from the sittings that wrote it.</summary>
    public ResumedFit Resumed => new(Epoch, Sittings, WallSeconds, PeakMemoryBytes);

    /// <summary>Writes the checkpoint to <paramref name="path"/> atomically (a crash mid-write leaves the previous one).</summary>
    public void Save(string path)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        var meta = new Dictionary<string, string>
        {
            ["format"] = Format,
            ["version"] = FormatVersion.ToString(CultureInfo.InvariantCulture),
            ["key"] = Key,
            ["epoch"] = Epoch.ToString(CultureInfo.InvariantCulture),
            ["epochs"] = Epochs.ToString(CultureInfo.InvariantCulture),
            ["best"] = Best is { } b ? b.ToString("R", CultureInfo.InvariantCulture) : "",
            ["best_epoch"] = BestEpoch.ToString(CultureInfo.InvariantCulture),
            ["since_best"] = SinceBest.ToString(CultureInfo.InvariantCulture),
            ["seconds"] = Seconds.ToString("R", CultureInfo.InvariantCulture),
            ["history"] = JsonSerializer.Serialize(History, Json),
            ["rng"] = JsonSerializer.Serialize(Rng, Json),
            ["items"] = JsonSerializer.Serialize(Items, Json),
            ["written_utc"] = WrittenUtc.ToString("O", CultureInfo.InvariantCulture),
            ["sittings"] = Sittings.ToString(CultureInfo.InvariantCulture),
            ["wall_seconds"] = WallSeconds.ToString("R", CultureInfo.InvariantCulture),
        };
        if (PeakMemoryBytes is { } peak) meta["peak_memory_bytes"] = peak.ToString(CultureInfo.InvariantCulture);
        var tensors = new List<KeyValuePair<string, Tensor>>();
        tensors.AddRange(Model.Select(p => KeyValuePair.Create("model." + p.Key, p.Value)));
        if (BestModel is not null) tensors.AddRange(BestModel.Select(p => KeyValuePair.Create("best." + p.Key, p.Value)));
        tensors.AddRange(Optimizers.Select((t, i) => KeyValuePair.Create($"optimizer.{i}", t)));
        tensors.Add(KeyValuePair.Create("torch_rng", TorchRng));
        StateFile.Save(path, tensors, meta);
    }

    /// <summary>The checkpoint's key and epoch without its tensors; null when <paramref name="path"/> does not exist.</summary>
    /// <exception cref="EcgDataException">The file is not a readable checkpoint (names the file).</exception>
    public static CheckpointInfo? Peek(string path) => File.Exists(path) ? Header(StateFile.ReadMetadata(path), path) : null;

    /// <summary>The key, epochs and time of a checkpoint's metadata, after checking its format and version.</summary>
    private static CheckpointInfo Header(IReadOnlyDictionary<string, string> meta, string path)
    {
        string Get(string k) => meta.TryGetValue(k, out var v) ? v : throw new EcgDataException($"checkpoint has no '{k}' entry", path);
        try
        {
            if (Get("format") != Format) throw new EcgDataException($"not a training checkpoint (format '{Get("format")}')", path);
            int version = int.Parse(Get("version"), CultureInfo.InvariantCulture);
            if (version > FormatVersion)
                throw new EcgDataException($"training checkpoint version {version} is newer than this build reads (≤ {FormatVersion}); update EcgExperiments", path);
            // "sittings" and "wall_seconds" came after format version 1 was first written: older checkpoints lack them.
            return new CheckpointInfo(Get("key"), int.Parse(Get("epoch"), CultureInfo.InvariantCulture), int.Parse(Get("epochs"), CultureInfo.InvariantCulture),
                DateTime.Parse(Get("written_utc"), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
                meta.TryGetValue("sittings", out var sittings) ? int.Parse(sittings, CultureInfo.InvariantCulture) : 1,
                double.Parse(meta.TryGetValue("wall_seconds", out var wall) ? wall : Get("seconds"), CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            throw new EcgDataException($"unreadable training checkpoint ({e.Message})", path, inner: e);
        }
    }

    /// <summary>Reads a checkpoint written by <see cref="Save"/>.</summary>
    /// <exception cref="EcgDataException">The file is not a readable checkpoint of this format (names the file).</exception>
    public static TrainingCheckpoint Load(string path)
    {
        var (tensors, meta) = StateFile.Load(path);
        try
        {
            var header = Header(meta, path);
            string Get(string k) => meta.TryGetValue(k, out var v) ? v : throw new EcgDataException($"checkpoint has no '{k}' entry", path);
            Dictionary<string, Tensor> Prefixed(string prefix) => tensors.Where(p => p.Key.StartsWith(prefix, StringComparison.Ordinal))
                .ToDictionary(p => p.Key[prefix.Length..], p => p.Value);
            var optimizers = tensors.Where(p => p.Key.StartsWith("optimizer.", StringComparison.Ordinal))
                .OrderBy(p => int.Parse(p.Key["optimizer.".Length..], CultureInfo.InvariantCulture)).Select(p => p.Value).ToList();
            var best = Prefixed("best.");
            return new TrainingCheckpoint
            {
                Key = header.Key,
                Epoch = header.Epoch,
                Epochs = header.Epochs,
                Best = Get("best") is { Length: > 0 } b ? double.Parse(b, CultureInfo.InvariantCulture) : null,
                BestEpoch = int.Parse(Get("best_epoch"), CultureInfo.InvariantCulture),
                SinceBest = int.Parse(Get("since_best"), CultureInfo.InvariantCulture),
                Seconds = double.Parse(Get("seconds"), CultureInfo.InvariantCulture),
                History = JsonSerializer.Deserialize<List<EpochRecord>>(Get("history"), Json) ?? [],
                Rng = JsonSerializer.Deserialize<SplitMix64.Position>(Get("rng"), Json),
                Items = JsonSerializer.Deserialize<Dictionary<string, string>>(Get("items"), Json) ?? [],
                Model = Prefixed("model."),
                BestModel = best.Count > 0 ? best : null,
                Optimizers = optimizers,
                TorchRng = tensors.TryGetValue("torch_rng", out var rng) ? rng : throw new EcgDataException("checkpoint has no 'torch_rng' tensor", path),
                WrittenUtc = header.WrittenUtc,
                Sittings = header.Sittings,
                WallSeconds = header.WallSeconds,
                // Added after format version 1 was first written: absent from older checkpoints.
                PeakMemoryBytes = meta.TryGetValue("peak_memory_bytes", out var peak) ? long.Parse(peak, CultureInfo.InvariantCulture) : null,
            };
        }
        catch (Exception e) when (e is FormatException or JsonException or OverflowException)
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw new EcgDataException($"unreadable training checkpoint ({e.Message})", path, inner: e);
        }
        catch
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        foreach (var t in Model.Values) t.Dispose();
        if (BestModel is not null) foreach (var t in BestModel.Values) t.Dispose();
        foreach (var t in Optimizers) t.Dispose();
        TorchRng.Dispose();
    }
}
