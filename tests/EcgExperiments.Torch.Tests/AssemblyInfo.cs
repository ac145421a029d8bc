// libtorch's RNG and thread pool are process-wide: tests that seed it or measure memory must not interleave.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
