using System.Reflection;
using System.Runtime.InteropServices;

namespace EcgExperiments.Torch.Native;

/// <summary>
/// Finds libecgtorch.so: <c>$ECG_NATIVE_LIB</c> (a file), next to the assemblies, or in
/// <c>native/build/</c> of the checkout. A failure becomes one actionable <see cref="TorchException"/>.
/// </summary>
internal static class NativeLibraryResolver
{
    public const string PathVariable = "ECG_NATIVE_LIB";
    private const string FileName = "libecgtorch.so";
    private static int _installed;

    public static void Install()
    {
        if (Interlocked.Exchange(ref _installed, 1) == 1) return;
        NativeLibrary.SetDllImportResolver(typeof(NativeLibraryResolver).Assembly, Resolve);
    }

    private static string? _loadedFrom;

    /// <summary>Refuses a bridge built from other sources (an old native/build after an update), with what to do.</summary>
    public static void CheckAbi(Func<int> abiVersion, int expected)
    {
        int found;
        try
        {
            found = abiVersion();
        }
        catch (EntryPointNotFoundException)
        {
            throw new TorchException($"{_loadedFrom ?? FileName} is not an EcgExperiments bridge of this version (no ecg_abi_version). Rebuild it with `./ecg setup`.");
        }
        if (found != expected)
            throw new TorchException($"{_loadedFrom ?? FileName} implements bridge ABI {found}, this build needs {expected}. Rebuild it with `./ecg setup`.");
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path)
    {
        if (name != NativeMethods.Lib) return IntPtr.Zero;
        var candidates = Candidates().ToList();
        var existing = candidates.FirstOrDefault(File.Exists);
        if (existing is null)
            throw new TorchException(
                $"the native bridge {FileName} was not found (looked at: {string.Join(", ", candidates)}). " +
                "Build it with `./ecg setup` from the repository root (installs libtorch-dev and compiles native/), " +
                $"or point {PathVariable} at a built {FileName}.");
        PreferPassiveOpenMpWaiting();
        try
        {
            var handle = NativeLibrary.Load(existing);
            _loadedFrom = existing;
            return handle;
        }
        catch (DllNotFoundException e)
        {
            var missingTorch = e.Message.Contains("libtorch", StringComparison.Ordinal) || e.Message.Contains("libc10", StringComparison.Ordinal);
            throw new TorchException(missingTorch
                ? $"{existing} needs libtorch, which is not installed or not on the loader path ({e.Message}). " +
                  "Install it with `./ecg setup` (Debian: apt-get install libtorch-dev libopenblas-dev), or for a CUDA libtorch " +
                  "add its lib folder to LD_LIBRARY_PATH."
                : $"{existing} could not be loaded: {e.Message}. Rebuild it with `./ecg setup`.", e);
        }
    }

    /// <summary>
    /// libgomp's default keeps an idle OpenMP thread spinning after every parallel region; when another process (a
    /// parallel sweep worker, another user) holds a core, the spinning thread and the one with work take turns and a
    /// 2-thread step ran 5-20× slower than a 1-thread one (measured on 2 shared cores: BeatGAN 1-D 7.6 s a step
    /// against 0.57 s with passive waiting). libgomp reads its wait policy once, when it is loaded with the bridge,
    /// so it is set in the native environment just before; a user's own OMP_WAIT_POLICY or GOMP_SPINCOUNT wins.
    /// </summary>
    private static void PreferPassiveOpenMpWaiting()
    {
        if (Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is not null || Environment.GetEnvironmentVariable("GOMP_SPINCOUNT") is not null) return;
        if (!OperatingSystem.IsLinux()) return;
        try { _ = setenv("OMP_WAIT_POLICY", "PASSIVE", 0); }
        catch (DllNotFoundException) { }
        catch (EntryPointNotFoundException) { }
    }

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int setenv([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);

    private static IEnumerable<string> Candidates()
    {
        var env = Environment.GetEnvironmentVariable(PathVariable);
        if (!string.IsNullOrWhiteSpace(env))
        {
            // An explicit choice is never silently replaced by another build.
            yield return Path.GetFullPath(env);
            yield break;
        }
        yield return Path.Combine(AppContext.BaseDirectory, FileName);
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            var p = Path.Combine(d.FullName, "native", "build", FileName);
            if (File.Exists(p) || File.Exists(Path.Combine(d.FullName, "EcgExperiments.sln"))) { yield return p; yield break; }
        }
    }
}
