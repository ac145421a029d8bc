namespace EcgExperiments.Experiments.Running.Workers;

/// <summary>
/// The numbered places of a worker plan (0 to workers − 1): a trial takes the lowest free one while it runs, so each
/// running worker has a stable number — the key to its GPU in a round-robin assignment.
/// </summary>
public sealed class WorkerSlots(int count)
{
    private readonly bool[] _busy = new bool[Math.Max(1, count)];
    private readonly Lock _lock = new();

    /// <summary>Takes the lowest free slot (the engine never runs more trials than slots); dispose to give it back.</summary>
    public Slot Take()
    {
        lock (_lock)
        {
            int i = Array.IndexOf(_busy, false);
            if (i < 0) throw new InvalidOperationException($"all {_busy.Length} worker slots are taken");
            _busy[i] = true;
            return new Slot(this, i);
        }
    }

    private void Release(int index)
    {
        lock (_lock) _busy[index] = false;
    }

    /// <summary>A taken slot.</summary>
    public sealed class Slot(WorkerSlots owner, int index) : IDisposable
    {
        public int Index { get; } = index;
        public void Dispose() => owner.Release(Index);
    }
}
