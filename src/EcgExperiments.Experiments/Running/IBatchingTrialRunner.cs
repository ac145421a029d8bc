namespace EcgExperiments.Experiments.Running;

/// <summary>
/// A trial runner that starts trials in batches, such as a cluster job array: <see cref="ITrialRunner.RunAsync"/> only
/// queues a trial (its task completes when the trial has ended), and <see cref="SubmitQueued"/> starts everything queued
/// since the last call as one batch. The sweep engine calls <see cref="SubmitQueued"/> each time it has taken every
/// trial its tuner offers for now (a whole grid, a rung of successive halving, an ASHA promotion), before it waits.
/// </summary>
public interface IBatchingTrialRunner : ITrialRunner
{
    /// <summary>Starts the queued trials as one batch (nothing when none are queued). Throws when the batch cannot be started.</summary>
    void SubmitQueued(CancellationToken cancel);
}
