// Non-overlapping max pooling on the CPU: the case every pooling layer of the seed CNNs uses
// (kernel == stride, no padding, no dilation, floor mode; e.g. (2, 4) on 12×1000 leads, 2×2 on spectrograms).
//
// libtorch 1.13's generic NCHW kernel works one output at a time, re-deriving the window bounds for each, and
// spends about 4 ns per input element; this one walks each plane row by row, which is 4-6x faster.
// It is a drop-in replacement, bit for bit:
//  * the same values and the same argmax indices as at::max_pool2d_with_indices, including its rules for
//    ties (the first maximum in row-major window order wins) and NaN (a NaN replaces the running maximum,
//    so the last NaN of a window wins);
//  * the backward pass writes what at::max_pool2d_with_indices_backward writes: zeros, then each
//    output's gradient added at its index (windows do not overlap, so every element receives at most one
//    gradient, and 0 + g is computed as such so that -0 becomes +0 as it does there).
// Anything else (other dtypes, devices, layouts, overlapping windows) goes to libtorch unchanged.
#include "pool_kernels.h"

#include <ATen/Parallel.h>
#include <torch/csrc/autograd/custom_function.h>

#include <cmath>
#include <limits>

#if defined(__SSE2__)
#include <emmintrin.h>
#include <xmmintrin.h>
#endif

namespace ecg {
namespace {

// The pooled dimensions of x: `planes` H×W planes (NCHW), or for channels-last N images of H×W pixels of C channels.
struct Plane {
    int64_t planes, height, width, kh, kw, out_h, out_w;
    bool channels_last = false;
    int64_t images = 0, channels = 0;
};

Plane plane_of(at::IntArrayRef shape, bool channels_last, int64_t kh, int64_t kw) {
    const int64_t h = shape[shape.size() - 2], w = shape[shape.size() - 1];
    int64_t n = 1;
    for (auto d : shape) n *= d;
    Plane g{n / (h * w), h, w, kh, kw, h / kh, w / kw};
    if (channels_last) g.channels_last = true, g.images = shape[0], g.channels = shape[1];
    return g;
}

// libtorch gives the result (and the gradient) the input's suggested memory format; so do we.
at::MemoryFormat format_of(const at::Tensor& x) { return x.suggest_memory_format(); }

// One output row of one plane, outputs [from, out_w): every output starts at -inf with its window's first index (as
// libtorch's do), then the window rows are scanned in order and, within a row, its columns in order.
inline void pool_row_scalar(const float* ip, float* orow, int64_t* xrow, int64_t h0, int64_t kh, int64_t kw, int64_t width,
                            int64_t from, int64_t out_w) {
    for (int64_t ow = from; ow < out_w; ++ow) {
        float m = -std::numeric_limits<float>::infinity();
        int64_t mi = h0 * width + ow * kw;
        for (int64_t i = 0; i < kh; ++i) {
            const int64_t row = (h0 + i) * width + ow * kw;
            for (int64_t j = 0; j < kw; ++j) {
                const float v = ip[row + j];
                if (v > m || std::isnan(v)) { m = v; mi = row + j; }  // libtorch's rule, verbatim
            }
        }
        orow[ow] = m;
        if (xrow) xrow[ow] = mi;
    }
}

#if defined(__SSE2__)
// Four outputs at once, one per SIMD lane, for window widths 2 and 4: a window row of four neighbouring outputs is
// 8 or 16 consecutive floats, transposed so that lane l holds output l's element j. Selects are masks, not branches:
// on ReLU outputs "v > m" is a coin flip, and mispredicted branches are what made the one-output-at-a-time kernel
// slow. The lane's argmax is kept as its position in the window and turned into libtorch's flat index at the end.
inline __m128 select(__m128 mask, __m128 a, __m128 b) { return _mm_or_ps(_mm_and_ps(mask, a), _mm_andnot_ps(mask, b)); }

template <int KW>
inline void pool_row(const float* ip, float* orow, int64_t* xrow, int64_t h0, int64_t kh, int64_t width, int64_t out_w) {
    int64_t ow = 0;
    for (; ow + 4 <= out_w; ow += 4) {
        __m128 m = _mm_set1_ps(-std::numeric_limits<float>::infinity());
        __m128 pos = _mm_setzero_ps();  // int32 window positions, carried in float registers for the selects
        for (int64_t i = 0; i < kh; ++i) {
            const float* r = ip + (h0 + i) * width + ow * KW;
            __m128 v[KW];
            if constexpr (KW == 4) {
                v[0] = _mm_loadu_ps(r), v[1] = _mm_loadu_ps(r + 4), v[2] = _mm_loadu_ps(r + 8), v[3] = _mm_loadu_ps(r + 12);
                _MM_TRANSPOSE4_PS(v[0], v[1], v[2], v[3]);
            } else {
                const __m128 a = _mm_loadu_ps(r), b = _mm_loadu_ps(r + 4);
                v[0] = _mm_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0));
                v[1] = _mm_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1));
            }
            for (int j = 0; j < KW; ++j) {
                // libtorch: (val > maxval) || isnan(val)
                const __m128 take = _mm_or_ps(_mm_cmpgt_ps(v[j], m), _mm_cmpunord_ps(v[j], v[j]));
                m = select(take, v[j], m);
                pos = select(take, _mm_castsi128_ps(_mm_set1_epi32(static_cast<int>(i * KW + j))), pos);
            }
        }
        _mm_storeu_ps(orow + ow, m);
        if (xrow) {
            alignas(16) int32_t p[4];
            _mm_store_si128(reinterpret_cast<__m128i*>(p), _mm_castps_si128(pos));
            for (int l = 0; l < 4; ++l) xrow[ow + l] = (h0 + p[l] / KW) * width + (ow + l) * KW + p[l] % KW;
        }
    }
    pool_row_scalar(ip, orow, xrow, h0, kh, KW, width, ow, out_w);
}
#endif

void pool_plane_row(const float* ip, float* orow, int64_t* xrow, int64_t h0, const Plane& g) {
#if defined(__SSE2__)
    if (g.kw == 4) return pool_row<4>(ip, orow, xrow, h0, g.kh, g.width, g.out_w);
    if (g.kw == 2) return pool_row<2>(ip, orow, xrow, h0, g.kh, g.width, g.out_w);
#endif
    pool_row_scalar(ip, orow, xrow, h0, g.kh, g.kw, g.width, 0, g.out_w);
}

// Channels-last (N, H, W, C in memory): the C channels of a pixel are consecutive, so four channels go in the four
// lanes and the window is walked pixel by pixel. The lane's argmax is carried as its flat index h * W + w (the
// value libtorch stores), as int32 in the selects: applies() sends planes of 2^31 elements or more to libtorch.
void forward_kernel_cl(const float* in, float* out, int64_t* idx, const Plane& g) {
    const int64_t C = g.channels, pixels = g.images * g.out_h * g.out_w;
    const int64_t grain = std::max<int64_t>(1, at::internal::GRAIN_SIZE / std::max<int64_t>(1, C * g.kh * g.kw));
    at::parallel_for(0, pixels, grain, [&](int64_t begin, int64_t end) {
        for (int64_t q = begin; q < end; ++q) {
            const int64_t n = q / (g.out_h * g.out_w), oh = q / g.out_w % g.out_h, ow = q % g.out_w;
            const int64_t h0 = oh * g.kh, w0 = ow * g.kw;
            const float* image = in + n * g.height * g.width * C;
            float* o = out + q * C;
            int64_t* x = idx ? idx + q * C : nullptr;
            int64_t c = 0;
#if defined(__SSE2__)
            for (; c + 4 <= C; c += 4) {
                __m128 m = _mm_set1_ps(-std::numeric_limits<float>::infinity());
                __m128 at = _mm_castsi128_ps(_mm_set1_epi32(static_cast<int32_t>(h0 * g.width + w0)));
                for (int64_t i = 0; i < g.kh; ++i)
                    for (int64_t j = 0; j < g.kw; ++j) {
                        const int64_t flat = (h0 + i) * g.width + w0 + j;
                        const __m128 v = _mm_loadu_ps(image + flat * C + c);
                        const __m128 take = _mm_or_ps(_mm_cmpgt_ps(v, m), _mm_cmpunord_ps(v, v));
                        m = select(take, v, m);
                        at = select(take, _mm_castsi128_ps(_mm_set1_epi32(static_cast<int32_t>(flat))), at);
                    }
                _mm_storeu_ps(o + c, m);
                if (x) {
                    alignas(16) int32_t a[4];
                    _mm_store_si128(reinterpret_cast<__m128i*>(a), _mm_castps_si128(at));
                    for (int l = 0; l < 4; ++l) x[c + l] = a[l];
                }
            }
#endif
            for (; c < C; ++c) {
                float m = -std::numeric_limits<float>::infinity();
                int64_t mi = h0 * g.width + w0;
                for (int64_t i = 0; i < g.kh; ++i)
                    for (int64_t j = 0; j < g.kw; ++j) {
                        const int64_t flat = (h0 + i) * g.width + w0 + j;
                        const float v = image[flat * C + c];
                        if (v > m || std::isnan(v)) { m = v; mi = flat; }
                    }
                o[c] = m;
                if (x) x[c] = mi;
            }
        }
    });
}

void backward_kernel_cl(const float* grad_out, const int64_t* idx, float* grad_in, const Plane& g) {
    const int64_t C = g.channels, image_in = g.height * g.width * C, image_out = g.out_h * g.out_w * C;
    at::parallel_for(0, g.images, 1, [&](int64_t begin, int64_t end) {
        for (int64_t n = begin; n < end; ++n) {
            float* gi = grad_in + n * image_in;
            std::fill(gi, gi + image_in, 0.0f);
            const float* go = grad_out + n * image_out;
            const int64_t* xp = idx + n * image_out;
            for (int64_t e = 0; e < image_out; e += C)
                for (int64_t c = 0; c < C; ++c) gi[xp[e + c] * C + c] += go[e + c];
        }
    });
}

void forward_kernel(const float* in, float* out, int64_t* idx, const Plane& g) {
    const int64_t in_plane = g.height * g.width, out_plane = g.out_h * g.out_w;
    const int64_t grain = std::max<int64_t>(1, at::internal::GRAIN_SIZE / std::max<int64_t>(1, in_plane));
    at::parallel_for(0, g.planes, grain, [&](int64_t begin, int64_t end) {
        for (int64_t p = begin; p < end; ++p)
            for (int64_t oh = 0; oh < g.out_h; ++oh)
                pool_plane_row(in + p * in_plane, out + p * out_plane + oh * g.out_w,
                               idx ? idx + p * out_plane + oh * g.out_w : nullptr, oh * g.kh, g);
    });
}

void backward_kernel(const float* grad_out, const int64_t* idx, float* grad_in, const Plane& g) {
    const int64_t in_plane = g.height * g.width, out_plane = g.out_h * g.out_w;
    const int64_t grain = std::max<int64_t>(1, at::internal::GRAIN_SIZE / std::max<int64_t>(1, in_plane));
    at::parallel_for(0, g.planes, grain, [&](int64_t begin, int64_t end) {
        for (int64_t p = begin; p < end; ++p) {
            float* gi = grad_in + p * in_plane;
            std::fill(gi, gi + in_plane, 0.0f);
            const float* go = grad_out + p * out_plane;
            const int64_t* xp = idx + p * out_plane;
            for (int64_t o = 0; o < out_plane; ++o) gi[xp[o]] += go[o];
        }
    });
}

std::vector<int64_t> out_shape(at::IntArrayRef shape, const Plane& g) {
    auto s = shape.vec();
    s[s.size() - 2] = g.out_h;
    s[s.size() - 1] = g.out_w;
    return s;
}

void run_forward(const at::Tensor& x, const at::Tensor& out, const at::Tensor* idx, const Plane& g) {
    int64_t* ip = idx ? idx->data_ptr<int64_t>() : nullptr;
    if (g.channels_last) forward_kernel_cl(x.data_ptr<float>(), out.data_ptr<float>(), ip, g);
    else forward_kernel(x.data_ptr<float>(), out.data_ptr<float>(), ip, g);
}

struct NonOverlappingMaxPool : public torch::autograd::Function<NonOverlappingMaxPool> {
    static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& x, int64_t kh, int64_t kw) {
        const auto format = format_of(x);
        const Plane g = plane_of(x.sizes(), format == at::MemoryFormat::ChannelsLast, kh, kw);
        auto out = at::empty(out_shape(x.sizes(), g), x.options().memory_format(format));
        auto idx = at::empty(out_shape(x.sizes(), g), x.options().dtype(at::kLong).memory_format(format));
        run_forward(x, out, &idx, g);
        ctx->save_for_backward({idx});
        ctx->saved_data["shape"] = x.sizes().vec();
        ctx->saved_data["channels_last"] = g.channels_last;
        ctx->saved_data["kh"] = kh;
        ctx->saved_data["kw"] = kw;
        return out;
    }

    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx, torch::autograd::variable_list grads) {
        const auto idx = ctx->get_saved_variables()[0];
        const auto shape = ctx->saved_data["shape"].toIntVector();
        const bool cl = ctx->saved_data["channels_last"].toBool();
        const auto format = cl ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous;
        auto grad_in = at::empty(shape, grads[0].options().memory_format(format));
        const Plane g = plane_of(shape, cl, ctx->saved_data["kh"].toInt(), ctx->saved_data["kw"].toInt());
        const auto go = grads[0].contiguous(format);
        if (cl) backward_kernel_cl(go.data_ptr<float>(), idx.data_ptr<int64_t>(), grad_in.data_ptr<float>(), g);
        else backward_kernel(go.data_ptr<float>(), idx.data_ptr<int64_t>(), grad_in.data_ptr<float>(), g);
        return {grad_in, torch::autograd::Variable(), torch::autograd::Variable()};
    }
};

}  // namespace

bool non_overlapping_max_pool_applies(const at::Tensor& x, int nd, const int64_t* k, const int64_t* s, const int64_t* p,
                                      const int64_t* d, bool ceil) {
    if (!x.device().is_cpu() || x.scalar_type() != at::kFloat || ceil || x.numel() == 0) return false;
    if (x.dim() != nd + 1 && x.dim() != nd + 2) return false;
    for (int i = 0; i < nd; ++i)
        if (k[i] < 1 || s[i] != k[i] || p[i] != 0 || d[i] != 1 || x.size(x.dim() - nd + i) < k[i]) return false;
    const auto format = format_of(x);
    if (format == at::MemoryFormat::ChannelsLast)
        return nd == 2 && x.dim() == 4 && x.is_contiguous(at::MemoryFormat::ChannelsLast) &&
               x.size(2) * x.size(3) < (int64_t{1} << 31);
    return format == at::MemoryFormat::Contiguous && x.is_contiguous();
}

at::Tensor non_overlapping_max_pool(const at::Tensor& x, int nd, const int64_t* k) {
    const int64_t kh = nd == 2 ? k[0] : 1, kw = nd == 2 ? k[1] : k[0];
    // A 1-d input N×C×L is a 2-d one of height 1 (libtorch's max_pool1d does the same).
    const at::Tensor in = nd == 1 ? x.unsqueeze(-2) : x;
    at::Tensor out;
    if (at::GradMode::is_enabled() && x.requires_grad()) {
        out = NonOverlappingMaxPool::apply(in, kh, kw);
    } else {
        const auto format = format_of(in);
        const Plane g = plane_of(in.sizes(), format == at::MemoryFormat::ChannelsLast, kh, kw);
        out = at::empty(out_shape(in.sizes(), g), in.options().memory_format(format));
        run_forward(in, out, nullptr, g);
    }
    return nd == 1 ? out.squeeze(-2) : out;
}

}  // namespace ecg
