// Convolutions that libtorch 1.13's CPU defaults run slowly, routed to kernels it runs fast (measured on the 1-D
// BeatGAN's generator and discriminator, batch 64, one thread, forward + backward):
//
//  * A convolution whose kernel covers its whole unpadded input (the GAN encoders' last layer: 512 channels × 10
//    samples → 50 latents, or 7×7 in 2-D) is a matrix product. oneDNN runs it as a convolution with one output
//    position, 22 ms; as N×5120 · 5120×50 it takes 3 ms.
//  * A transposed convolution of a single input position (the decoders' first layer, latent → 512 × 10) is the
//    product N×50 · 50×5120: 1.3 ms instead of 14 ms.
//  * Every other float32 transposed convolution goes through slow_conv_transpose2d in libtorch 1.13 (im2col, one GEMM
//    and one col2im per batch item). A transposed convolution is the input gradient of the convolution it transposes,
//    and its gradients are that convolution's forward pass (input) and weight gradient with the roles of input and
//    output swapped. Those three are oneDNN kernels: the decoder's four (4, 2, 1) layers take 47 ms instead of 111 ms.
//
// The sums are the same, in another order: results agree with libtorch's to float32 rounding (the tests check values
// and gradients against libtorch's own kernels), and a model that uses them computes slightly different numbers than
// before, so its registration's revision says so.
#include "conv_kernels.h"

#include <ATen/autocast_mode.h>
#include <torch/csrc/autograd/custom_function.h>

#include <vector>

namespace ecg {
namespace {

std::vector<int64_t> vec(const int64_t* p, int n) { return std::vector<int64_t>(p, p + n); }

bool all_equal(const int64_t* p, int n, int64_t v) {
    for (int i = 0; i < n; ++i)
        if (p[i] != v) return false;
    return true;
}

// Batched input on the CPU, outside autocast (which would cast inside at::conv* but not inside our products).
bool plain_cpu(const at::Tensor& x, const at::Tensor& w, int nd) {
    return x.device().is_cpu() && w.device().is_cpu() && x.dim() == nd + 2 && w.dim() == nd + 2 && x.numel() > 0 &&
           x.scalar_type() == w.scalar_type() && at::isFloatingType(x.scalar_type()) && !at::autocast::is_cpu_enabled();
}

// y = conv_transpose(x, w) computed as the input gradient of conv(y, w); see the file comment.
struct ConvTransposeViaConvBackward : public torch::autograd::Function<ConvTransposeViaConvBackward> {
    static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& x, const at::Tensor& w,
                              std::vector<int64_t> stride, std::vector<int64_t> padding, std::vector<int64_t> output_padding,
                              std::vector<int64_t> dilation, int64_t groups) {
        ctx->save_for_backward({x, w});
        ctx->saved_data["stride"] = stride;
        ctx->saved_data["padding"] = padding;
        ctx->saved_data["dilation"] = dilation;
        ctx->saved_data["groups"] = groups;
        return run(x, w, stride, padding, output_padding, dilation, groups);
    }

    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx, torch::autograd::variable_list grads) {
        const auto saved = ctx->get_saved_variables();
        const auto &x = saved[0], &w = saved[1];
        const auto stride = ctx->saved_data["stride"].toIntVector();
        const auto padding = ctx->saved_data["padding"].toIntVector();
        const auto dilation = ctx->saved_data["dilation"].toIntVector();
        const auto groups = ctx->saved_data["groups"].toInt();
        const std::vector<int64_t> no_output_padding(stride.size(), 0);
        const auto& g = grads[0];
        at::Tensor gx, gw;
        // The transposed convolution's input gradient is the plain convolution of its output gradient.
        if (ctx->needs_input_grad(0))
            gx = at::convolution(g, w, c10::nullopt, stride, padding, dilation, false, no_output_padding, groups);
        // Its weight gradient is the plain convolution's weight gradient for input g and output gradient x.
        if (ctx->needs_input_grad(1))
            gw = std::get<1>(at::convolution_backward(x, g, w, c10::nullopt, stride, padding, dilation, false, no_output_padding,
                                                      groups, {false, true, false}));
        return {gx, gw, at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor()};
    }

    static at::Tensor run(const at::Tensor& x, const at::Tensor& w, at::IntArrayRef stride, at::IntArrayRef padding,
                          at::IntArrayRef output_padding, at::IntArrayRef dilation, int64_t groups) {
        const auto nd = static_cast<int64_t>(stride.size());
        std::vector<int64_t> out{x.size(0), w.size(1) * groups};
        for (int64_t i = 0; i < nd; ++i)
            out.push_back((x.size(2 + i) - 1) * stride[i] - 2 * padding[i] + dilation[i] * (w.size(2 + i) - 1) + output_padding[i] + 1);
        // Only the shape (and memory format) of the convolution's input is read for its input gradient.
        const auto shape_only = at::empty(out, x.options().memory_format(x.suggest_memory_format()));
        const std::vector<int64_t> no_output_padding(nd, 0);
        return std::get<0>(at::convolution_backward(x, shape_only, w, c10::nullopt, stride, padding, dilation, false,
                                                    no_output_padding, groups, {true, false, false}));
    }
};

at::Tensor add_bias(at::Tensor y, const c10::optional<at::Tensor>& b, int nd) {
    if (!b.has_value() || !b->defined()) return y;
    std::vector<int64_t> shape{1, -1};
    for (int i = 0; i < nd; ++i) shape.push_back(1);
    return y + b->view(shape);
}

}  // namespace

bool conv_as_matmul_applies(const at::Tensor& x, const at::Tensor& w, int nd, const int64_t* stride, const int64_t* padding,
                            const int64_t* dilation, int64_t groups) {
    if (!plain_cpu(x, w, nd) || groups != 1 || !all_equal(padding, nd, 0) || !all_equal(dilation, nd, 1)) return false;
    if (x.size(1) != w.size(1)) return false;  // let libtorch report the mismatch
    for (int i = 0; i < nd; ++i)
        if (x.size(2 + i) != w.size(2 + i)) return false;
    return true;
}

at::Tensor conv_as_matmul(const at::Tensor& x, const at::Tensor& w, const c10::optional<at::Tensor>& b, int nd) {
    const auto n = x.size(0), o = w.size(0);
    const auto flat_x = x.reshape({n, -1});
    const auto flat_w = w.reshape({o, -1}).t();
    auto y = b.has_value() && b->defined() ? at::addmm(*b, flat_x, flat_w) : at::mm(flat_x, flat_w);
    std::vector<int64_t> shape{n, o};
    for (int i = 0; i < nd; ++i) shape.push_back(1);
    return y.view(shape);
}

bool conv_transpose_as_matmul_applies(const at::Tensor& x, const at::Tensor& w, int nd, const int64_t* padding,
                                      const int64_t* output_padding, const int64_t* dilation, int64_t groups) {
    if (!plain_cpu(x, w, nd) || groups != 1 || !all_equal(padding, nd, 0) || !all_equal(output_padding, nd, 0) ||
        !all_equal(dilation, nd, 1) || x.size(1) != w.size(0))
        return false;
    for (int i = 0; i < nd; ++i)
        if (x.size(2 + i) != 1) return false;
    return true;
}

at::Tensor conv_transpose_as_matmul(const at::Tensor& x, const at::Tensor& w, const c10::optional<at::Tensor>& b, int nd) {
    const auto n = x.size(0), c = w.size(0);
    auto y = at::mm(x.reshape({n, c}), w.reshape({c, -1}));
    std::vector<int64_t> shape{n};
    for (int64_t i = 1; i < w.dim(); ++i) shape.push_back(w.size(i));
    return add_bias(y.view(shape), b, nd);
}

bool conv_transpose_via_conv_backward_applies(const at::Tensor& x, const at::Tensor& w, int nd, const int64_t* stride,
                                              const int64_t* output_padding, const int64_t* dilation) {
    if (!plain_cpu(x, w, nd) || x.scalar_type() != at::kFloat || !at::globalContext().userEnabledMkldnn() || x.size(1) != w.size(0))
        return false;
    // An output padding libtorch refuses (not below stride or dilation) goes to libtorch, which says so.
    for (int i = 0; i < nd; ++i)
        if (output_padding[i] < 0 || (output_padding[i] >= stride[i] && output_padding[i] >= dilation[i])) return false;
    return true;
}

at::Tensor conv_transpose_via_conv_backward(const at::Tensor& x, const at::Tensor& w, const c10::optional<at::Tensor>& b,
                                            int nd, const int64_t* stride, const int64_t* padding,
                                            const int64_t* output_padding, const int64_t* dilation, int64_t groups) {
    at::Tensor y;
    if (at::GradMode::is_enabled() && (x.requires_grad() || w.requires_grad()))
        y = ConvTransposeViaConvBackward::apply(x, w, vec(stride, nd), vec(padding, nd), vec(output_padding, nd),
                                                vec(dilation, nd), groups);
    else
        y = ConvTransposeViaConvBackward::run(x, w, at::IntArrayRef(stride, nd), at::IntArrayRef(padding, nd),
                                              at::IntArrayRef(output_padding, nd), at::IntArrayRef(dilation, nd), groups);
    return add_bias(y, b, nd);
}

}  // namespace ecg
