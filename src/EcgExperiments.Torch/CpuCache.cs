using static EcgExperiments.Torch.Native.NativeMethods;

namespace EcgExperiments.Torch;

public static unsafe partial class torch
{
    /// <summary>
    /// The bridge's CPU block cache. libtorch's own CPU allocator gives every released block back to malloc, which
    /// returns large ones to the kernel, so each training step page-faults its activations in again; the bridge keeps
    /// released blocks of 64 KiB and more (up to <c>ECG_CPU_CACHE_MB</c>, default 4096; 0 switches the cache off) and
    /// reuses them for the next request of that size.
    /// </summary>
    public static class cpu
    {
        /// <summary>Returns the idle cached blocks to the system (like <c>torch.cuda.empty_cache()</c>).</summary>
        public static void empty_cache() => ecg_cpu_cache_empty();

        /// <summary>Idle bytes held, the bound, and how many large requests were served from the cache or newly allocated; null when the cache is off.</summary>
        public static CpuCacheStats? memory_stats()
        {
            long* s = stackalloc long[4];
            return ecg_cpu_cache_stats(s) < 0 ? null : new CpuCacheStats(s[0], s[1], s[2], s[3]);
        }
    }
}

/// <summary>State of the bridge's CPU block cache (<see cref="torch.cpu.memory_stats"/>).</summary>
public sealed record CpuCacheStats(long IdleBytes, long LimitBytes, long Hits, long Misses);
