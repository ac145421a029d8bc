using static EcgExperiments.Torch.Native.NativeMethods;

namespace EcgExperiments.Torch;

public static unsafe partial class torch
{
    /// <summary>
    /// CPU facilities: bf16 support and the bridge's block cache. libtorch's own CPU allocator gives every released block back to malloc, which
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

        /// <summary>
        /// Whether this processor computes bfloat16 natively (AVX512-BF16 or AMX-BF16 in /proc/cpuinfo), which CPU
        /// autocast needs to be worth it; elsewhere libtorch would emulate bf16 and run slower than float32.
        /// </summary>
        public static bool is_bf16_supported() => Bf16Supported.Value;

        private static readonly Lazy<bool> Bf16Supported = new(() =>
        {
            try
            {
                foreach (var line in File.ReadLines("/proc/cpuinfo"))
                    if (line.StartsWith("flags", StringComparison.Ordinal))
                        return line.Split(' ', '\t').Any(f => f is "avx512_bf16" or "amx_bf16");
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
            return false;
        });
    }
}

/// <summary>State of the bridge's CPU block cache (<see cref="torch.cpu.memory_stats"/>).</summary>
public sealed record CpuCacheStats(long IdleBytes, long LimitBytes, long Hits, long Misses);
