// ecgtorch: the project's thin C ABI over libtorch.
//
// Conventions (the C# side in src/EcgExperiments.Torch/Native relies on them):
//  * A tensor crosses the boundary as an owning `at::Tensor*` (opaque handle); ecg_free releases it.
//  * Every function catches every C++ exception. Functions returning a handle return nullptr on
//    failure, functions returning int return -1; the message is kept per thread and read with
//    ecg_last_error(). No exception ever unwinds into managed code.
//  * Optional tensor arguments are nullptr when absent.
//  * dtype codes are at::ScalarType values; device is (type: 0 cpu, 1 cuda; index).
//  * Ops that only make sense under autograd rules honour the calling thread's grad mode.
#include <torch/torch.h>
#include <torch/cuda.h>
#include <c10/core/CPUAllocator.h>
#include <torch/version.h>
#include <ATen/Parallel.h>
#include <ATen/autocast_mode.h>

// libtorch's (legacy) op profiler: present in 1.13 and 2.x; a build without it answers with an error.
#if __has_include(<torch/csrc/autograd/profiler_legacy.h>)
#include <torch/csrc/autograd/profiler_legacy.h>
#define ECG_HAVE_PROFILER 1
#endif

#ifdef ECG_WITH_CUDA
#include <ATen/cuda/CUDAContext.h>
#include <cuda_runtime_api.h>
#endif

#include <dlfcn.h>

#include "conv_kernels.h"
#include "pool_kernels.h"

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#define ECG_API extern "C" __attribute__((visibility("default")))

namespace {

thread_local std::string g_last_error;

void set_error(const char* what) { g_last_error = what ? what : "unknown native error"; }

using T = at::Tensor;

T* wrap(T t) { return new T(std::move(t)); }

// Absent optional tensors arrive as nullptr and become undefined tensors.
T opt(const T* p) { return p ? *p : T(); }

c10::optional<T> opt_o(const T* p) { return p ? c10::optional<T>(*p) : c10::nullopt; }

at::IntArrayRef dims(const int64_t* p, int n) { return at::IntArrayRef(p, static_cast<size_t>(n)); }

std::vector<T> tensor_list(T** items, int n) {
    std::vector<T> v;
    v.reserve(n);
    for (int i = 0; i < n; ++i) v.push_back(*items[i]);
    return v;
}

at::Device make_device(int type, int index) {
    if (type == 1) {
        if (!torch::cuda::is_available())
            throw std::runtime_error(
                "device 'cuda' was requested but no CUDA device is available to libtorch "
                "(this bridge was built against a CPU-only libtorch, or no GPU/driver is present); use device 'cpu' or 'auto'");
        return at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(index < 0 ? 0 : index));
    }
    return at::Device(at::kCPU);
}

at::TensorOptions make_options(int dtype, int dev_type, int dev_index, bool requires_grad = false) {
    return at::TensorOptions()
        .dtype(static_cast<at::ScalarType>(dtype))
        .device(make_device(dev_type, dev_index))
        .requires_grad(requires_grad);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Caching CPU allocator. libtorch's default CPU allocator returns every block to malloc, and glibc
// hands large blocks (activations, gradients: megabytes each) back to the kernel, so every training
// step page-faults its whole working set in again: measured on the SPEC 2.2 step, fill_ and
// threshold_backward ran 2-4x slower than their arithmetic needs. Blocks of 64 KiB and more are kept
// here after release and handed out again for requests of the same size class (a step repeats its
// shapes exactly). The cache is bounded (ECG_CPU_CACHE_MB, default 4096; 0 keeps libtorch's allocator);
// over the bound the largest idle blocks go back to the system. Small blocks go straight to malloc.
// Keeps the raw interface (context == data), which oneDNN's buffers (ideep) allocate through.
// ---------------------------------------------------------------------------------------------

namespace {

class CpuBlockCache {
public:
    static constexpr size_t kMinCached = 64 * 1024;
    static constexpr size_t kAlignment = 64;

    explicit CpuBlockCache(size_t limit) : limit_(limit) {}

    void* get(size_t n) {
        if (n == 0) return nullptr;
        if (n < kMinCached) return fresh(n);
        size_t size = (n + 4095) & ~static_cast<size_t>(4095);
        {
            std::lock_guard<std::mutex> lock(mutex_);
            auto it = idle_.lower_bound(size);
            // Reuse a block at most a quarter larger than asked for.
            if (it != idle_.end() && it->first <= size + size / 4) {
                void* p = it->second;
                idle_bytes_ -= it->first;
                idle_.erase(it);
                hits_++;
                return p;
            }
            misses_++;
        }
        void* p = fresh(size);
        std::lock_guard<std::mutex> lock(mutex_);
        capacity_[p] = size;
        return p;
    }

    void put(void* p) {
        if (p == nullptr) return;
        std::unique_lock<std::mutex> lock(mutex_);
        auto it = capacity_.find(p);
        if (it == capacity_.end()) { lock.unlock(); std::free(p); return; }
        size_t size = it->second;
        std::vector<void*> release;
        while (idle_bytes_ + size > limit_ && !idle_.empty()) {
            auto largest = std::prev(idle_.end());
            idle_bytes_ -= largest->first;
            capacity_.erase(largest->second);
            release.push_back(largest->second);
            idle_.erase(largest);
        }
        if (idle_bytes_ + size <= limit_) {
            idle_.emplace(size, p);
            idle_bytes_ += size;
        } else {
            capacity_.erase(it);
            release.push_back(p);
        }
        lock.unlock();
        for (void* q : release) std::free(q);
    }

    void empty() {
        std::vector<void*> release;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            for (auto& [size, p] : idle_) { capacity_.erase(p); release.push_back(p); }
            idle_.clear();
            idle_bytes_ = 0;
        }
        for (void* q : release) std::free(q);
    }

    void stats(int64_t* out) {
        std::lock_guard<std::mutex> lock(mutex_);
        out[0] = static_cast<int64_t>(idle_bytes_);
        out[1] = static_cast<int64_t>(limit_);
        out[2] = static_cast<int64_t>(hits_);
        out[3] = static_cast<int64_t>(misses_);
    }

private:
    static void* fresh(size_t n) {
        void* p = nullptr;
        if (posix_memalign(&p, kAlignment, n) != 0 || p == nullptr)
            throw std::runtime_error("CPU allocator: out of memory allocating " + std::to_string(n) + " bytes");
        return p;
    }

    std::mutex mutex_;
    std::multimap<size_t, void*> idle_;             // cached blocks by capacity
    std::unordered_map<void*, size_t> capacity_;    // every block of kMinCached or more this cache made, live or idle
    size_t idle_bytes_ = 0;
    size_t limit_;
    uint64_t hits_ = 0, misses_ = 0;
};

// Never destroyed: tensors released during process exit still find it.
CpuBlockCache* g_cpu_cache = nullptr;

void cpu_cache_release(void* p) { g_cpu_cache->put(p); }

// libtorch 2.3 made allocate non-const and added copy_data.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 3)
#define ECG_ALLOCATE_CONST
#define ECG_ALLOCATOR_COPY_DATA 1
#else
#define ECG_ALLOCATE_CONST const
#endif

struct CachingCpuAllocator final : public c10::Allocator {
    c10::DataPtr allocate(size_t n) ECG_ALLOCATE_CONST override {
        void* p = g_cpu_cache->get(n);
        return {p, p, &cpu_cache_release, c10::Device(c10::DeviceType::CPU)};
    }
    c10::DeleterFnPtr raw_deleter() const override { return &cpu_cache_release; }
#ifdef ECG_ALLOCATOR_COPY_DATA
    void copy_data(void* dest, const void* src, std::size_t count) const override { default_copy_data(dest, src, count); }
#endif
};

bool install_cpu_cache() {
    const char* env = std::getenv("ECG_CPU_CACHE_MB");
    long long mb = env && *env ? std::atoll(env) : 4096;
    if (mb <= 0) return false;
    g_cpu_cache = new CpuBlockCache(static_cast<size_t>(mb) << 20);
    static CachingCpuAllocator* allocator = new CachingCpuAllocator();
    c10::SetCPUAllocator(allocator, /*priority=*/1);
    return true;
}

// Installed when the bridge is loaded, before any tensor of ours exists.
const bool g_cpu_cache_installed = install_cpu_cache();

// The bridge's own CPU kernels and convolution routes (pool_kernels.cpp, conv_kernels.cpp) in place of libtorch's
// defaults; off only to compare the two.
std::atomic<bool> g_native_kernels{true};

}  // namespace

#define TRY_PTR(body)                                               \
    try { body }                                                    \
    catch (const c10::Error& e) { set_error(e.what_without_backtrace()); } \
    catch (const std::exception& e) { set_error(e.what()); }        \
    catch (...) { set_error("unknown native error"); }              \
    return nullptr;

#define TRY_INT(body)                                               \
    try { body }                                                    \
    catch (const c10::Error& e) { set_error(e.what_without_backtrace()); } \
    catch (const std::exception& e) { set_error(e.what()); }        \
    catch (...) { set_error("unknown native error"); }              \
    return -1;

// ---------------------------------------------------------------------------------------------
// Library, errors, global state
// ---------------------------------------------------------------------------------------------

ECG_API const char* ecg_last_error() { return g_last_error.c_str(); }

// Bumped whenever an exported function is added or changes; the C# side refuses a bridge of another version.
ECG_API int ecg_abi_version() { return 5; }

ECG_API const char* ecg_torch_version() {
    static std::string v = std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR) + "." +
                           std::to_string(TORCH_VERSION_PATCH);
    return v.c_str();
}

ECG_API const char* ecg_build_info() {
    static std::string info;
    if (info.empty()) {
        try { info = at::show_config(); } catch (...) { info = "unavailable"; }
    }
    return info.c_str();
}

ECG_API int ecg_manual_seed(uint64_t seed) { TRY_INT(torch::manual_seed(seed); return 0;) }

// The default CPU generator's state (a uint8 tensor), for resumable training: dropout and re-initialisation draw from it,
// so a resumed run continues the same random stream. (A CUDA build's own generators are not included.)
ECG_API T* ecg_rng_state_get() {
    TRY_PTR(auto gen = at::detail::getDefaultCPUGenerator();
            std::lock_guard<std::mutex> lock(gen.mutex());
            return wrap(gen.get_state());)
}
ECG_API int ecg_rng_state_set(T* state) {
    TRY_INT(auto gen = at::detail::getDefaultCPUGenerator();
            std::lock_guard<std::mutex> lock(gen.mutex());
            gen.set_state(*state);
            return 0;)
}

// OpenBLAS (which libtorch calls for matrix products) keeps its own thread pool of every core: a "1 thread" run
// still ran its GEMMs on all cores, and parallel sweep workers oversubscribed the machine. Its thread count
// follows libtorch's when the loaded BLAS is OpenBLAS (looked up at run time; other BLAS builds are left alone).
ECG_API int ecg_set_num_threads(int n) {
    TRY_INT(at::set_num_threads(n);
            using SetThreads = void (*)(int);
            if (auto set_blas = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) set_blas(n);
            return 0;)
}
ECG_API int ecg_get_num_threads() { return at::get_num_threads(); }
ECG_API int ecg_set_num_interop_threads(int n) { TRY_INT(at::set_num_interop_threads(n); return 0;) }

ECG_API int ecg_cuda_is_available() { try { return torch::cuda::is_available() ? 1 : 0; } catch (...) { return 0; } }
ECG_API int ecg_cuda_device_count() { try { return static_cast<int>(torch::cuda::device_count()); } catch (...) { return 0; } }
ECG_API int ecg_cudnn_is_available() { try { return torch::cuda::cudnn_is_available() ? 1 : 0; } catch (...) { return 0; } }
ECG_API int ecg_cuda_synchronize(int index) {
    TRY_INT(if (torch::cuda::is_available()) torch::cuda::synchronize(index); return 0;)
}

// GPU facts for run records. Empty / 0 on a CPU-only build.
ECG_API const char* ecg_cuda_device_name(int index) {
    thread_local std::string name;
    name.clear();
#ifdef ECG_WITH_CUDA
    try { if (torch::cuda::is_available()) name = at::cuda::getDeviceProperties(index)->name; } catch (...) { name.clear(); }
#endif
    return name.c_str();
}
ECG_API int64_t ecg_cuda_total_memory(int index) {
#ifdef ECG_WITH_CUDA
    try { if (torch::cuda::is_available()) return static_cast<int64_t>(at::cuda::getDeviceProperties(index)->totalGlobalMem); } catch (...) {}
#endif
    return 0;
}
ECG_API int ecg_cuda_driver_version() {
    int v = 0;
#ifdef ECG_WITH_CUDA
    if (cudaDriverGetVersion(&v) != cudaSuccess) v = 0;
#endif
    return v;
}
ECG_API int ecg_cuda_runtime_version() {
    int v = 0;
#ifdef ECG_WITH_CUDA
    if (cudaRuntimeGetVersion(&v) != cudaSuccess) v = 0;
#endif
    return v;
}
ECG_API int64_t ecg_cudnn_version() {
    try { return at::detail::getCUDAHooks().versionCuDNN(); } catch (...) { return 0; }
}
// Bytes currently held by libtorch's CUDA caching allocator (peak since the last reset), for run records.
ECG_API int64_t ecg_cuda_max_memory_allocated(int index) {
#ifdef ECG_WITH_CUDA
    try { return static_cast<int64_t>(c10::cuda::CUDACachingAllocator::getDeviceStats(index).allocated_bytes[0].peak); } catch (...) {}
#endif
    return 0;
}

ECG_API int ecg_set_cudnn_flags(int deterministic, int benchmark) {
    TRY_INT(at::globalContext().setDeterministicCuDNN(deterministic != 0);
            at::globalContext().setBenchmarkCuDNN(benchmark != 0); return 0;)
}
// TF32 tensor-core math for matmul/conv on Ampere and later GPUs (PyTorch enables it for cuDNN convs by default).
ECG_API int ecg_set_allow_tf32(int on) {
    TRY_INT(at::globalContext().setAllowTF32CuBLAS(on != 0); at::globalContext().setAllowTF32CuDNN(on != 0); return 0;)
}
ECG_API int ecg_get_allow_tf32() { return at::globalContext().allowTF32CuDNN() ? 1 : 0; }
// oneDNN (mkldnn) for CPU convolutions; off routes them through libtorch's own im2col + BLAS kernels.
ECG_API void ecg_set_mkldnn_enabled(int on) { at::globalContext().setUserEnabledMkldnn(on != 0); }
ECG_API int ecg_get_mkldnn_enabled() { return at::globalContext().userEnabledMkldnn() ? 1 : 0; }
ECG_API void ecg_set_native_kernels(int on) { g_native_kernels = on != 0; }
ECG_API int ecg_get_native_kernels() { return g_native_kernels ? 1 : 0; }
ECG_API int ecg_get_cudnn_deterministic() { return at::globalContext().deterministicCuDNN() ? 1 : 0; }

// CPU block cache: out = {idle bytes, limit bytes, hits, misses}; returns 0, or -1 when the cache is off.
ECG_API int ecg_cpu_cache_stats(int64_t* out) {
    if (!g_cpu_cache_installed) return -1;
    g_cpu_cache->stats(out);
    return 0;
}
ECG_API void ecg_cpu_cache_empty() { if (g_cpu_cache_installed) g_cpu_cache->empty(); }

ECG_API int ecg_grad_enabled() { return at::GradMode::is_enabled() ? 1 : 0; }
ECG_API void ecg_set_grad_enabled(int on) { at::GradMode::set_enabled(on != 0); }

// ---------------------------------------------------------------------------------------------
// Autocast (mixed precision), the state torch.autocast(device, dtype) saves and restores.
// libtorch 2.4 replaced the per-device functions with ones taking the device type.
// ---------------------------------------------------------------------------------------------

namespace {
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
bool autocast_enabled(int dev) { return at::autocast::is_autocast_enabled(dev == 1 ? at::kCUDA : at::kCPU); }
void set_autocast_enabled(int dev, bool on) { at::autocast::set_autocast_enabled(dev == 1 ? at::kCUDA : at::kCPU, on); }
at::ScalarType autocast_dtype(int dev) { return at::autocast::get_autocast_dtype(dev == 1 ? at::kCUDA : at::kCPU); }
void set_autocast_dtype(int dev, at::ScalarType t) { at::autocast::set_autocast_dtype(dev == 1 ? at::kCUDA : at::kCPU, t); }
#else
bool autocast_enabled(int dev) { return dev == 1 ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled(); }
void set_autocast_enabled(int dev, bool on) { if (dev == 1) at::autocast::set_enabled(on); else at::autocast::set_cpu_enabled(on); }
at::ScalarType autocast_dtype(int dev) { return dev == 1 ? at::autocast::get_autocast_gpu_dtype() : at::autocast::get_autocast_cpu_dtype(); }
void set_autocast_dtype(int dev, at::ScalarType t) { if (dev == 1) at::autocast::set_autocast_gpu_dtype(t); else at::autocast::set_autocast_cpu_dtype(t); }
#endif
}  // namespace

// Enters an autocast region on this thread for device type `dev` (0 cpu, 1 cuda) computing in `dtype`.
// Writes the state to restore into prev_enabled / prev_dtype (pass them to ecg_autocast_exit).
ECG_API int ecg_autocast_enter(int dev, int dtype, int enabled, int* prev_enabled, int* prev_dtype) {
    TRY_INT(*prev_enabled = autocast_enabled(dev) ? 1 : 0;
            *prev_dtype = static_cast<int>(autocast_dtype(dev));
            set_autocast_dtype(dev, static_cast<at::ScalarType>(dtype));
            set_autocast_enabled(dev, enabled != 0);
            at::autocast::increment_nesting();
            return 0;)
}

// Leaves the region: the outermost exit drops the cache of casted weights, then the saved state returns.
ECG_API int ecg_autocast_exit(int dev, int prev_enabled, int prev_dtype) {
    TRY_INT(if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
            set_autocast_enabled(dev, prev_enabled != 0);
            set_autocast_dtype(dev, static_cast<at::ScalarType>(prev_dtype));
            return 0;)
}

ECG_API int ecg_autocast_is_enabled(int dev) { try { return autocast_enabled(dev) ? 1 : 0; } catch (...) { return 0; } }

// ---------------------------------------------------------------------------------------------
// Op profiler: libtorch records every operator (forward and autograd backward) on this thread
// and the threads it hands work to; stop aggregates per op name.
// ---------------------------------------------------------------------------------------------

ECG_API int ecg_profiler_start() {
#ifdef ECG_HAVE_PROFILER
    TRY_INT(torch::autograd::profiler::enableProfilerLegacy(
                torch::profiler::impl::ProfilerConfig(torch::profiler::impl::ProfilerState::CPU));
            return 0;)
#else
    set_error("this libtorch build has no op profiler");
    return -1;
#endif
}

// Stops the profiler; returns one line per op name: "name\tcalls\ttotal_us\tself_us" (self excludes nested ops).
ECG_API const char* ecg_profiler_stop() {
    thread_local std::string text;
#ifdef ECG_HAVE_PROFILER
    try {
        namespace prof = torch::autograd::profiler;
        auto lists = prof::disableProfilerLegacy();
        struct Totals { int64_t calls = 0; double total = 0, self = 0; };
        std::map<std::string, Totals> by_name;
        for (auto& list : lists) {
            // Ranges nest per thread; a pop closes the push with the same handle.
            struct Open { const prof::LegacyEvent* push; double nested; };
            std::vector<Open> open;
            for (auto& e : list) {
                if (e.kind() == prof::EventKind::PushRange) {
                    open.push_back({&e, 0.0});
                } else if (e.kind() == prof::EventKind::PopRange) {
                    auto it = open.end();
                    while (it != open.begin()) { --it; if (it->push->handle() == e.handle()) break; }
                    if (it == open.end() || it->push->handle() != e.handle()) continue;
                    double d = it->push->cpuElapsedUs(e);
                    auto& t = by_name[it->push->name()];
                    t.calls++; t.total += d; t.self += d - it->nested;
                    open.erase(it, open.end());
                    if (!open.empty()) open.back().nested += d;
                }
            }
        }
        std::ostringstream out;
        for (auto& [name, t] : by_name) out << name << '\t' << t.calls << '\t' << t.total << '\t' << t.self << '\n';
        text = out.str();
        return text.c_str();
    }
    catch (const c10::Error& e) { set_error(e.what_without_backtrace()); }
    catch (const std::exception& e) { set_error(e.what()); }
#else
    set_error("this libtorch build has no op profiler");
#endif
    return nullptr;
}

// ---------------------------------------------------------------------------------------------
// Tensor lifetime, metadata, data transfer
// ---------------------------------------------------------------------------------------------

ECG_API void ecg_free(T* t) { delete t; }

ECG_API int ecg_dim(const T* t) { TRY_INT(return static_cast<int>(t->dim());) }

ECG_API int ecg_shape(const T* t, int64_t* out, int capacity) {
    TRY_INT(int d = static_cast<int>(t->dim());
            for (int i = 0; i < d && i < capacity; ++i) out[i] = t->size(i);
            return d;)
}

ECG_API int64_t ecg_numel(const T* t) { try { return t->numel(); } catch (...) { return -1; } }
ECG_API int ecg_dtype(const T* t) { TRY_INT(return static_cast<int>(t->scalar_type());) }
ECG_API int ecg_device_type(const T* t) { TRY_INT(return t->device().is_cuda() ? 1 : 0;) }
ECG_API int ecg_device_index(const T* t) { TRY_INT(return t->device().has_index() ? t->device().index() : 0;) }
ECG_API int ecg_defined(const T* t) { return t && t->defined() ? 1 : 0; }
ECG_API int ecg_requires_grad(const T* t) { TRY_INT(return t->requires_grad() ? 1 : 0;) }
ECG_API int ecg_set_requires_grad(T* t, int on) { TRY_INT(t->set_requires_grad(on != 0); return 0;) }
ECG_API int ecg_is_leaf(const T* t) { TRY_INT(return t->is_leaf() ? 1 : 0;) }

// Copies `nbytes` from host memory into a new CPU tensor of the given shape and dtype, then moves it.
ECG_API T* ecg_from_blob(const void* data, const int64_t* shape, int ndim, int dtype, int dev_type, int dev_index) {
    TRY_PTR(auto cpu = at::empty(dims(shape, ndim), at::TensorOptions().dtype(static_cast<at::ScalarType>(dtype)));
            if (cpu.numel() > 0) std::memcpy(cpu.data_ptr(), data, cpu.nbytes());
            if (dev_type == 1) return wrap(cpu.to(make_device(dev_type, dev_index)));
            return wrap(std::move(cpu));)
}

// Copies the tensor's values (any device, any strides) into host memory of exactly `nbytes`.
ECG_API int ecg_copy_to_host(const T* t, void* dst, int64_t nbytes) {
    TRY_INT(auto c = t->detach().to(at::kCPU).contiguous();
            if (static_cast<int64_t>(c.nbytes()) != nbytes)
                throw std::runtime_error("copy_to_host: destination holds " + std::to_string(nbytes) +
                                         " bytes, tensor has " + std::to_string(c.nbytes()));
            if (nbytes > 0) std::memcpy(dst, c.data_ptr(), nbytes);
            return 0;)
}

ECG_API double ecg_item(const T* t, int* ok) {
    try { *ok = 1; return t->item<double>(); }
    catch (const c10::Error& e) { set_error(e.what_without_backtrace()); }
    catch (const std::exception& e) { set_error(e.what()); }
    *ok = 0;
    return 0;
}

ECG_API T* ecg_empty(const int64_t* shape, int ndim, int dtype, int dt, int di, int rg) {
    TRY_PTR(return wrap(torch::empty(dims(shape, ndim), make_options(dtype, dt, di, rg)));)
}
ECG_API T* ecg_full(const int64_t* shape, int ndim, double value, int dtype, int dt, int di, int rg) {
    TRY_PTR(return wrap(torch::full(dims(shape, ndim), value, make_options(dtype, dt, di, rg)));)
}
ECG_API T* ecg_rand(const int64_t* shape, int ndim, int dtype, int dt, int di, int rg) {
    TRY_PTR(return wrap(torch::rand(dims(shape, ndim), make_options(dtype, dt, di, rg)));)
}
ECG_API T* ecg_randn(const int64_t* shape, int ndim, int dtype, int dt, int di, int rg) {
    TRY_PTR(return wrap(torch::randn(dims(shape, ndim), make_options(dtype, dt, di, rg)));)
}
ECG_API T* ecg_randint(int64_t low, int64_t high, const int64_t* shape, int ndim, int dt, int di) {
    TRY_PTR(return wrap(at::randint(low, high, dims(shape, ndim), make_options((int)at::kLong, dt, di)));)
}
ECG_API T* ecg_randperm(int64_t n, int dt, int di) {
    TRY_PTR(return wrap(at::randperm(n, make_options((int)at::kLong, dt, di)));)
}
ECG_API T* ecg_arange(double start, double end, double step, int dtype, int dt, int di) {
    TRY_PTR(return wrap(at::arange(start, end, step, make_options(dtype, dt, di)));)
}
ECG_API T* ecg_linspace(double start, double end, int64_t steps, int dtype, int dt, int di) {
    TRY_PTR(return wrap(at::linspace(start, end, steps, make_options(dtype, dt, di)));)
}

ECG_API T* ecg_to(const T* t, int dtype, int dt, int di, int copy) {
    TRY_PTR(auto target = make_device(dt, di);
            return wrap(t->to(target, static_cast<at::ScalarType>(dtype), /*non_blocking=*/false, copy != 0));)
}
ECG_API T* ecg_contiguous(const T* t) { TRY_PTR(return wrap(t->contiguous());) }
ECG_API T* ecg_clone(const T* t) { TRY_PTR(return wrap(t->clone());) }
ECG_API T* ecg_detach(const T* t) { TRY_PTR(return wrap(t->detach());) }
ECG_API T* ecg_alias(const T* t) { TRY_PTR(return wrap(*t);) }

// Memory layout: 0 contiguous (NCHW), 1 channels-last (NHWC; NLC-like for 3-d via NHWC of the 4-d view is not offered).
ECG_API T* ecg_contiguous_as(const T* t, int format) {
    TRY_PTR(return wrap(t->contiguous(format == 1 ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous));)
}
ECG_API int ecg_is_contiguous_as(const T* t, int format) {
    TRY_INT(return t->is_contiguous(format == 1 ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous) ? 1 : 0;)
}

// The first element of a contiguous CPU tensor, for filling a freshly made batch without a staging copy.
ECG_API void* ecg_data_ptr(T* t) {
    try {
        if (!t->device().is_cpu()) throw std::runtime_error("data_ptr: the tensor is on " + t->device().str() + "; only CPU memory can be written directly");
        if (!t->is_contiguous()) throw std::runtime_error("data_ptr: the tensor is not contiguous");
        return t->data_ptr();
    }
    catch (const c10::Error& e) { set_error(e.what_without_backtrace()); }
    catch (const std::exception& e) { set_error(e.what()); }
    return nullptr;
}

// ---------------------------------------------------------------------------------------------
// Element-wise ops (codes are mirrored in C# UnaryOp / BinaryOp enums)
// ---------------------------------------------------------------------------------------------

ECG_API T* ecg_unary(const T* a, int op, double p) {
    TRY_PTR(const T& x = *a;
    switch (op) {
        case 0: return wrap(-x);
        case 1: return wrap(x.abs());
        case 2: return wrap(x.exp());
        case 3: return wrap(x.log());
        case 4: return wrap(x.sqrt());
        case 5: return wrap(x.relu());
        case 6: return wrap(x.sigmoid());
        case 7: return wrap(x.tanh());
        case 8: return wrap(x.sign());
        case 9: return wrap(x.square());
        case 10: return wrap(at::leaky_relu(x, p));
        case 11: return wrap(x.log1p());
        case 12: return wrap(x.rsqrt());
        case 13: return wrap(x.reciprocal());
        case 14: return wrap(x.floor());
        case 15: return wrap(x.round());
        case 16: return wrap(x.logical_not());
        case 17: return wrap(x.isnan());
        case 18: return wrap(at::gelu(x));
        case 19: return wrap(x.sin());
        case 20: return wrap(x.cos());
        case 21: return wrap(at::log_sigmoid(x));
        case 22: return wrap(x.ceil());
        case 23: return wrap(x.isfinite());
        default: throw std::runtime_error("unknown unary op code " + std::to_string(op));
    })
}

ECG_API T* ecg_binary(const T* a, const T* b, int op) {
    TRY_PTR(const T& x = *a; const T& y = *b;
    switch (op) {
        case 0: return wrap(x + y);
        case 1: return wrap(x - y);
        case 2: return wrap(x * y);
        case 3: return wrap(x / y);
        case 4: return wrap(x.pow(y));
        case 5: return wrap(at::maximum(x, y));
        case 6: return wrap(at::minimum(x, y));
        case 7: return wrap(x.eq(y));
        case 8: return wrap(x.ne(y));
        case 9: return wrap(x.lt(y));
        case 10: return wrap(x.le(y));
        case 11: return wrap(x.gt(y));
        case 12: return wrap(x.ge(y));
        case 13: return wrap(x.logical_and(y));
        case 14: return wrap(x.logical_or(y));
        case 15: return wrap(at::atan2(x, y));
        case 16: return wrap(x.remainder(y));
        default: throw std::runtime_error("unknown binary op code " + std::to_string(op));
    })
}

// PyTorch semantics: an integral tensor combined with an integral-valued scalar stays integral.
static at::Scalar scalar_for(const T& x, double s) {
    if (at::isIntegralType(x.scalar_type(), /*includeBool=*/false) && std::floor(s) == s && std::abs(s) < 9.0e15)
        return at::Scalar(static_cast<int64_t>(s));
    return at::Scalar(s);
}

ECG_API T* ecg_binary_scalar(const T* a, double sv, int op) {
    TRY_PTR(const T& x = *a; const at::Scalar s = scalar_for(x, sv);
    switch (op) {
        case 0: return wrap(x + s);
        case 1: return wrap(x - s);
        case 2: return wrap(x * s);
        case 3: return wrap(x / s);
        case 4: return wrap(x.pow(s));
        case 5: return wrap(x.clamp_min(s));
        case 6: return wrap(x.clamp_max(s));
        case 7: return wrap(x.eq(s));
        case 8: return wrap(x.ne(s));
        case 9: return wrap(x.lt(s));
        case 10: return wrap(x.le(s));
        case 11: return wrap(x.gt(s));
        case 12: return wrap(x.ge(s));
        case 16: return wrap(x.remainder(s));
        case 17: return wrap(at::rsub(x, s));   // reversed subtraction: scalar - tensor
        case 18: return wrap(x.reciprocal() * s);   // reversed division
        default: throw std::runtime_error("unknown scalar op code " + std::to_string(op));
    })
}

ECG_API T* ecg_clamp(const T* a, double lo, double hi) { TRY_PTR(return wrap(a->clamp(lo, hi));) }
ECG_API T* ecg_where(const T* cond, const T* a, const T* b) { TRY_PTR(return wrap(at::where(*cond, *a, *b));) }
ECG_API T* ecg_masked_fill(const T* a, const T* mask, double v) { TRY_PTR(return wrap(a->masked_fill(*mask, v));) }

// In-place updates (used by initialisers and optimisers under no-grad).
ECG_API int ecg_inplace(T* a, const T* b, double s, int op) {
    TRY_INT(switch (op) {
        case 0: a->add_(*b, s); break;           // a += s*b
        case 1: a->copy_(*b); break;
        case 2: a->mul_(s); break;
        case 3: a->fill_(s); break;
        case 4: a->zero_(); break;
        case 5: a->uniform_(s, b ? b->item<double>() : 1.0); break;
        case 6: a->mul_(*b); break;
        case 7: a->clamp_(-s, s); break;
        default: throw std::runtime_error("unknown in-place op code " + std::to_string(op));
    } return 0;)
}
ECG_API int ecg_uniform_(T* a, double lo, double hi) { TRY_INT(a->uniform_(lo, hi); return 0;) }
ECG_API int ecg_normal_(T* a, double mean, double std) { TRY_INT(a->normal_(mean, std); return 0;) }

// ---------------------------------------------------------------------------------------------
// Reductions
// ---------------------------------------------------------------------------------------------

// op: 0 sum, 1 mean, 2 max(values), 3 min(values), 4 argmax, 5 argmin, 6 var(unbiased), 7 std(unbiased),
//     8 prod, 9 any, 10 all, 11 logsumexp, 12 var(biased), 13 std(biased)
ECG_API T* ecg_reduce(const T* a, int op, const int64_t* dimv, int ndims, int keepdim) {
    TRY_PTR(const T& x = *a; bool kd = keepdim != 0; bool all = ndims == 0;
    at::IntArrayRef d = dims(dimv, ndims);
    auto single = [&]() -> int64_t {
        if (ndims != 1) throw std::runtime_error("this reduction takes exactly one dimension");
        return dimv[0];
    };
    switch (op) {
        case 0: return wrap(all ? x.sum() : x.sum(d, kd));
        case 1: return wrap(all ? x.mean() : x.mean(d, kd));
        case 2: return wrap(all ? x.max() : std::get<0>(x.max(single(), kd)));
        case 3: return wrap(all ? x.min() : std::get<0>(x.min(single(), kd)));
        case 4: return wrap(all ? x.argmax() : x.argmax(single(), kd));
        case 5: return wrap(all ? x.argmin() : x.argmin(single(), kd));
        case 6: return wrap(all ? x.var() : x.var(d, true, kd));
        case 7: return wrap(all ? x.std() : x.std(d, true, kd));
        case 8: return wrap(all ? x.prod() : x.prod(single(), kd));
        case 9: return wrap(all ? x.any() : x.any(single(), kd));
        case 10: return wrap(all ? x.all() : x.all(single(), kd));
        case 11: return wrap(x.logsumexp(d, kd));
        case 12: return wrap(all ? x.var(false) : x.var(d, false, kd));
        case 13: return wrap(all ? x.std(false) : x.std(d, false, kd));
        default: throw std::runtime_error("unknown reduction code " + std::to_string(op));
    })
}

// ---------------------------------------------------------------------------------------------
// Shapes and indexing
// ---------------------------------------------------------------------------------------------

ECG_API T* ecg_reshape(const T* a, const int64_t* s, int n) { TRY_PTR(return wrap(a->reshape(dims(s, n)));) }
ECG_API T* ecg_view(const T* a, const int64_t* s, int n) { TRY_PTR(return wrap(a->view(dims(s, n)));) }
ECG_API T* ecg_permute(const T* a, const int64_t* s, int n) { TRY_PTR(return wrap(a->permute(dims(s, n)));) }
ECG_API T* ecg_expand(const T* a, const int64_t* s, int n) { TRY_PTR(return wrap(a->expand(dims(s, n)));) }
ECG_API T* ecg_repeat(const T* a, const int64_t* s, int n) { TRY_PTR(return wrap(a->repeat(dims(s, n)));) }
ECG_API T* ecg_transpose(const T* a, int64_t d0, int64_t d1) { TRY_PTR(return wrap(a->transpose(d0, d1));) }
ECG_API T* ecg_squeeze(const T* a, int64_t d, int all) { TRY_PTR(return wrap(all ? a->squeeze() : a->squeeze(d));) }
ECG_API T* ecg_unsqueeze(const T* a, int64_t d) { TRY_PTR(return wrap(a->unsqueeze(d));) }
ECG_API T* ecg_flatten(const T* a, int64_t s, int64_t e) { TRY_PTR(return wrap(a->flatten(s, e));) }
ECG_API T* ecg_narrow(const T* a, int64_t d, int64_t start, int64_t len) { TRY_PTR(return wrap(a->narrow(d, start, len));) }
ECG_API T* ecg_slice(const T* a, int64_t d, int64_t start, int64_t end, int64_t step) {
    TRY_PTR(return wrap(a->slice(d, start, end, step));)
}
ECG_API T* ecg_select(const T* a, int64_t d, int64_t i) { TRY_PTR(return wrap(a->select(d, i));) }
ECG_API T* ecg_index_select(const T* a, int64_t d, const T* idx) { TRY_PTR(return wrap(a->index_select(d, *idx));) }
ECG_API T* ecg_gather(const T* a, int64_t d, const T* idx) { TRY_PTR(return wrap(a->gather(d, *idx));) }
ECG_API T* ecg_masked_select(const T* a, const T* m) { TRY_PTR(return wrap(a->masked_select(*m));) }
ECG_API T* ecg_cat(T** items, int n, int64_t d) { TRY_PTR(return wrap(at::cat(tensor_list(items, n), d));) }
ECG_API T* ecg_stack(T** items, int n, int64_t d) { TRY_PTR(return wrap(at::stack(tensor_list(items, n), d));) }
ECG_API T* ecg_one_hot(const T* a, int64_t classes) { TRY_PTR(return wrap(at::one_hot(*a, classes));) }
ECG_API T* ecg_flip(const T* a, const int64_t* s, int n) { TRY_PTR(return wrap(a->flip(dims(s, n)));) }

// ---------------------------------------------------------------------------------------------
// Linear algebra and neural-network functions
// ---------------------------------------------------------------------------------------------

ECG_API T* ecg_matmul(const T* a, const T* b) { TRY_PTR(return wrap(at::matmul(*a, *b));) }
ECG_API T* ecg_bmm(const T* a, const T* b) { TRY_PTR(return wrap(at::bmm(*a, *b));) }
ECG_API T* ecg_linear(const T* x, const T* w, const T* b) { TRY_PTR(return wrap(at::linear(*x, *w, opt_o(b)));) }

// Convolutions whose libtorch 1.13 CPU default is slow take the routes of conv_kernels.cpp (same sums, another order);
// torch.backends.native_kernels.enabled = false sends them to libtorch's default (the tests compare the two).
ECG_API T* ecg_conv(const T* x, const T* w, const T* b, int nd, const int64_t* stride, const int64_t* padding,
                    const int64_t* dilation, int64_t groups) {
    TRY_PTR(if (g_native_kernels && (nd == 1 || nd == 2) && ecg::conv_as_matmul_applies(*x, *w, nd, stride, padding, dilation, groups))
                return wrap(ecg::conv_as_matmul(*x, *w, opt_o(b), nd));
            if (nd == 1) return wrap(at::conv1d(*x, *w, opt_o(b), dims(stride, 1), dims(padding, 1), dims(dilation, 1), groups));
            if (nd == 2) return wrap(at::conv2d(*x, *w, opt_o(b), dims(stride, 2), dims(padding, 2), dims(dilation, 2), groups));
            throw std::runtime_error("conv: only 1-d and 2-d are supported");)
}

ECG_API T* ecg_conv_transpose(const T* x, const T* w, const T* b, int nd, const int64_t* stride, const int64_t* padding,
                              const int64_t* output_padding, const int64_t* dilation, int64_t groups) {
    TRY_PTR(if (g_native_kernels && (nd == 1 || nd == 2)) {
                if (ecg::conv_transpose_as_matmul_applies(*x, *w, nd, padding, output_padding, dilation, groups))
                    return wrap(ecg::conv_transpose_as_matmul(*x, *w, opt_o(b), nd));
                if (ecg::conv_transpose_via_conv_backward_applies(*x, *w, nd, stride, output_padding, dilation))
                    return wrap(ecg::conv_transpose_via_conv_backward(*x, *w, opt_o(b), nd, stride, padding, output_padding,
                                                                      dilation, groups));
            }
            if (nd == 1)
                return wrap(at::conv_transpose1d(*x, *w, opt_o(b), dims(stride, 1), dims(padding, 1), dims(output_padding, 1),
                                                 groups, dims(dilation, 1)));
            if (nd == 2)
                return wrap(at::conv_transpose2d(*x, *w, opt_o(b), dims(stride, 2), dims(padding, 2), dims(output_padding, 2),
                                                 groups, dims(dilation, 2)));
            throw std::runtime_error("conv_transpose: only 1-d and 2-d are supported");)
}

ECG_API T* ecg_batch_norm(const T* x, const T* w, const T* b, T* rm, T* rv, int training, double momentum, double eps) {
    TRY_PTR(return wrap(at::batch_norm(*x, opt_o(w), opt_o(b), opt_o(rm), opt_o(rv), training != 0, momentum, eps,
                                       at::globalContext().userEnabledCuDNN()));)
}

// Under bf16 autocast the input arrives in bf16 while the affine parameters are float32; libtorch 1.13's CPU
// kernel refuses mixed types, so normalise in the parameters' type (later libtorch autocasts layer_norm to fp32).
ECG_API T* ecg_layer_norm(const T* x, const int64_t* shape, int n, const T* w, const T* b, double eps) {
    TRY_PTR(const T& in = (w && x->scalar_type() != w->scalar_type()) ? x->to(w->scalar_type()) : *x;
            return wrap(at::layer_norm(in, dims(shape, n), opt_o(w), opt_o(b), eps));)
}

// Non-overlapping windows on float32 CPU tensors take the bridge's own kernel (pool_kernels.cpp): same results, faster.
// torch.backends.native_kernels.enabled = false sends them to libtorch too (the tests compare the two).
ECG_API T* ecg_max_pool(const T* x, int nd, const int64_t* k, const int64_t* s, const int64_t* p, const int64_t* d, int ceil) {
    TRY_PTR(if (g_native_kernels && ecg::non_overlapping_max_pool_applies(*x, nd, k, s, p, d, ceil != 0))
                return wrap(ecg::non_overlapping_max_pool(*x, nd, k));
            if (nd == 1) return wrap(at::max_pool1d(*x, dims(k, 1), dims(s, 1), dims(p, 1), dims(d, 1), ceil != 0));
            if (nd == 2) return wrap(at::max_pool2d(*x, dims(k, 2), dims(s, 2), dims(p, 2), dims(d, 2), ceil != 0));
            throw std::runtime_error("max_pool: only 1-d and 2-d are supported");)
}

ECG_API T* ecg_avg_pool(const T* x, int nd, const int64_t* k, const int64_t* s, const int64_t* p) {
    TRY_PTR(if (nd == 1) return wrap(at::avg_pool1d(*x, dims(k, 1), dims(s, 1), dims(p, 1)));
            if (nd == 2) return wrap(at::avg_pool2d(*x, dims(k, 2), dims(s, 2), dims(p, 2)));
            throw std::runtime_error("avg_pool: only 1-d and 2-d are supported");)
}

ECG_API T* ecg_adaptive_avg_pool(const T* x, int nd, const int64_t* out) {
    TRY_PTR(if (nd == 1) return wrap(at::adaptive_avg_pool1d(*x, dims(out, 1)));
            if (nd == 2) return wrap(at::adaptive_avg_pool2d(*x, dims(out, 2)));
            throw std::runtime_error("adaptive_avg_pool: only 1-d and 2-d are supported");)
}

ECG_API T* ecg_dropout(const T* x, double p, int training) { TRY_PTR(return wrap(at::dropout(*x, p, training != 0));) }
ECG_API T* ecg_softmax(const T* x, int64_t d) { TRY_PTR(return wrap(at::softmax(*x, d));) }
ECG_API T* ecg_log_softmax(const T* x, int64_t d) { TRY_PTR(return wrap(at::log_softmax(*x, d));) }

ECG_API T* ecg_interpolate(const T* x, const int64_t* size, int n, int mode) {
    // mode 0: bilinear (align_corners=false), 1: nearest, 2: area (adaptive average pooling)
    TRY_PTR(if (mode == 0) return wrap(at::upsample_bilinear2d(*x, dims(size, n), false));
            if (mode == 1) return wrap(at::upsample_nearest2d(*x, dims(size, n)));
            if (mode == 2) return wrap(at::adaptive_avg_pool2d(*x, dims(size, n)));
            throw std::runtime_error("interpolate: unknown mode");)
}

// LSTM over a flat parameter list in PyTorch's order: per layer, per direction: w_ih, w_hh, b_ih, b_hh.
// h0/c0 may be null (zeros). Outputs: output, h_n, c_n.
ECG_API int ecg_lstm(const T* x, const T* h0, const T* c0, T** params, int nparams, int has_biases, int64_t layers,
                     double dropout, int train, int bidirectional, int batch_first, T** out, T** hn, T** cn) {
    TRY_INT(auto ps = tensor_list(params, nparams);
            int64_t dirs = bidirectional ? 2 : 1;
            int64_t hidden = ps[1].size(1);
            int64_t batch = batch_first ? x->size(0) : x->size(1);
            if (x->dim() != 3)
                throw std::runtime_error("lstm: expected a 3-d input (batch, time, features), got " + std::to_string(x->dim()) + "-d");
            T h = h0 ? *h0 : at::zeros({layers * dirs, batch, hidden}, x->options());
            T c = c0 ? *c0 : at::zeros({layers * dirs, batch, hidden}, x->options());
            auto r = at::lstm(*x, {h, c}, ps, has_biases != 0, layers, dropout, train != 0, bidirectional != 0, batch_first != 0);
            *out = wrap(std::get<0>(r)); *hn = wrap(std::get<1>(r)); *cn = wrap(std::get<2>(r));
            return 0;)
}

// ---------------------------------------------------------------------------------------------
// Losses (reduction: 0 none, 1 mean, 2 sum — at::Reduction values)
// ---------------------------------------------------------------------------------------------

ECG_API T* ecg_bce(const T* p, const T* y, const T* w, int red) {
    TRY_PTR(return wrap(at::binary_cross_entropy(*p, *y, opt_o(w), red));)
}
ECG_API T* ecg_bce_logits(const T* z, const T* y, const T* w, const T* pos_weight, int red) {
    TRY_PTR(return wrap(at::binary_cross_entropy_with_logits(*z, *y, opt_o(w), opt_o(pos_weight), red));)
}
ECG_API T* ecg_cross_entropy(const T* z, const T* y, const T* w, int red, double label_smoothing) {
    TRY_PTR(return wrap(at::cross_entropy_loss(*z, *y, opt_o(w), red, -100, label_smoothing));)
}
ECG_API T* ecg_nll(const T* z, const T* y, const T* w, int red) {
    TRY_PTR(return wrap(at::nll_loss(*z, *y, opt_o(w), red, -100));)
}
ECG_API T* ecg_mse(const T* a, const T* b, int red) { TRY_PTR(return wrap(at::mse_loss(*a, *b, red));) }
ECG_API T* ecg_l1(const T* a, const T* b, int red) { TRY_PTR(return wrap(at::l1_loss(*a, *b, red));) }

// ---------------------------------------------------------------------------------------------
// Autograd
// ---------------------------------------------------------------------------------------------

ECG_API int ecg_backward(const T* t, const T* grad, int retain_graph) {
    TRY_INT(t->backward(opt(grad), retain_graph != 0 ? c10::optional<bool>(true) : c10::nullopt); return 0;)
}

// Returns the gradient (an alias) or nullptr with an empty error when there is none yet.
ECG_API T* ecg_grad(const T* t) {
    try {
        const T& g = t->grad();
        g_last_error.clear();
        return g.defined() ? wrap(g) : nullptr;
    }
    catch (const c10::Error& e) { set_error(e.what_without_backtrace()); }
    catch (const std::exception& e) { set_error(e.what()); }
    return nullptr;
}

ECG_API int ecg_zero_grad(T** ps, int n) {
    TRY_INT(for (int i = 0; i < n; ++i) { auto& g = ps[i]->mutable_grad(); if (g.defined()) g.reset(); } return 0;)
}

// Rescales gradients in place so that their joint L2 norm is at most max_norm; returns the norm before clipping.
ECG_API double ecg_clip_grad_norm(T** ps, int n, double max_norm, int* ok) {
    try {
        *ok = 1;
        std::vector<T> params = tensor_list(ps, n);
        return torch::nn::utils::clip_grad_norm_(params, max_norm);
    }
    catch (const c10::Error& e) { set_error(e.what_without_backtrace()); }
    catch (const std::exception& e) { set_error(e.what()); }
    *ok = 0;
    return 0;
}

// Differentiates `output` with respect to `inputs`; used by finite-difference gradient checks.
ECG_API int ecg_autograd_grad(const T* output, T** inputs, int n, T** grads_out) {
    TRY_INT(auto ins = tensor_list(inputs, n);
            auto gs = torch::autograd::grad({*output}, ins, {}, c10::nullopt, false, true);
            for (int i = 0; i < n; ++i) grads_out[i] = gs[i].defined() ? wrap(gs[i]) : nullptr;
            return 0;)
}

// ---------------------------------------------------------------------------------------------
// Initialisers (in place, no autograd recording)
// ---------------------------------------------------------------------------------------------

// kind: 0 xavier_normal, 1 xavier_uniform, 2 kaiming_uniform(a), 3 kaiming_normal(a), 4 orthogonal
ECG_API int ecg_init(T* t, int kind, double a) {
    TRY_INT(torch::NoGradGuard ng;
    switch (kind) {
        case 0: torch::nn::init::xavier_normal_(*t, a); break;
        case 1: torch::nn::init::xavier_uniform_(*t, a); break;
        case 2: torch::nn::init::kaiming_uniform_(*t, a, torch::kFanIn, torch::kLeakyReLU); break;
        case 3: torch::nn::init::kaiming_normal_(*t, a, torch::kFanIn, torch::kLeakyReLU); break;
        case 4: torch::nn::init::orthogonal_(*t, a); break;
        default: throw std::runtime_error("unknown initialiser code " + std::to_string(kind));
    } return 0;)
}

// ---------------------------------------------------------------------------------------------
// Optimisers: libtorch's own implementations, so the update rules equal PyTorch's exactly.
// ---------------------------------------------------------------------------------------------

using Opt = torch::optim::Optimizer;

ECG_API Opt* ecg_adam(T** ps, int n, double lr, double b1, double b2, double eps, double wd, int amsgrad, int decoupled) {
    TRY_PTR(auto params = tensor_list(ps, n);
            if (decoupled)
                return new torch::optim::AdamW(params, torch::optim::AdamWOptions(lr).betas({b1, b2}).eps(eps).weight_decay(wd).amsgrad(amsgrad != 0));
            return new torch::optim::Adam(params, torch::optim::AdamOptions(lr).betas({b1, b2}).eps(eps).weight_decay(wd).amsgrad(amsgrad != 0));)
}
ECG_API Opt* ecg_sgd(T** ps, int n, double lr, double momentum, double dampening, double wd, int nesterov) {
    TRY_PTR(auto params = tensor_list(ps, n);
            return new torch::optim::SGD(params, torch::optim::SGDOptions(lr).momentum(momentum).dampening(dampening)
                                                     .weight_decay(wd).nesterov(nesterov != 0));)
}
ECG_API int ecg_opt_step(Opt* o) { TRY_INT(o->step(); return 0;) }
ECG_API int ecg_opt_zero_grad(Opt* o) { TRY_INT(o->zero_grad(); return 0;) }
ECG_API int ecg_opt_set_lr(Opt* o, double lr) {
    TRY_INT(for (auto& g : o->param_groups()) g.options().set_lr(lr); return 0;)
}
ECG_API double ecg_opt_get_lr(Opt* o) {
    try { return o->param_groups().at(0).options().get_lr(); } catch (...) { return -1; }
}
ECG_API void ecg_opt_free(Opt* o) { delete o; }

// An optimiser's state (per-parameter moments and step counts, parameter-group options) as bytes in libtorch's own
// archive format, for resumable training. The bytes are only read back by the same bridge into an optimiser of the same
// kind over the same parameter list; they are not a long-term file format.
ECG_API T* ecg_opt_state_save(Opt* o) {
    TRY_PTR(torch::serialize::OutputArchive archive;
            o->save(archive);
            std::ostringstream out;
            archive.save_to(out);
            auto bytes = out.str();
            auto t = torch::empty({static_cast<int64_t>(bytes.size())}, torch::kUInt8);
            std::memcpy(t.data_ptr(), bytes.data(), bytes.size());
            return wrap(t);)
}
ECG_API int ecg_opt_state_load(Opt* o, T* bytes) {
    TRY_INT(auto host = bytes->to(torch::kCPU).contiguous();
            if (host.scalar_type() != torch::kUInt8) throw std::runtime_error("optimiser state must be a uint8 tensor");
            c10::optional<c10::Device> device;
            if (!o->param_groups().empty() && !o->param_groups()[0].params().empty())
                device = o->param_groups()[0].params()[0].device();
            torch::serialize::InputArchive archive;
            archive.load_from(reinterpret_cast<const char*>(host.data_ptr()), static_cast<size_t>(host.numel()), device);
            o->load(archive);
            return 0;)
}
