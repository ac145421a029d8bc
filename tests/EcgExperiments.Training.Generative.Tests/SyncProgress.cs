namespace EcgExperiments.Training.Generative.Tests;

/// <summary>Reports on the trainer's own thread (<see cref="Progress{T}"/> posts to the thread pool, too late to act on).</summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
