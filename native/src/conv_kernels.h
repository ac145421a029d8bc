// Routings of CPU convolutions the bridge uses in place of libtorch's default algorithm where that one is slow. Unlike
// pool_kernels they compute the same sums in another order, so results agree to float32 rounding, not bit for bit.
#pragma once
#include <ATen/ATen.h>

namespace ecg {

// True when the kernel covers the whole (unpadded) input of a plain convolution: each output is one dot product of
// the input with a filter, computed as a matrix product of the N × (C·k…) input with the filters.
bool conv_as_matmul_applies(const at::Tensor& x, const at::Tensor& w, int nd, const int64_t* stride, const int64_t* padding,
                            const int64_t* dilation, int64_t groups);
at::Tensor conv_as_matmul(const at::Tensor& x, const at::Tensor& w, const c10::optional<at::Tensor>& b, int nd);

// True when a transposed convolution reads one input position (spatial size 1, no padding): each output is the
// input vector times a filter, computed as a matrix product of the N × C input with the C × (O·k…) weights.
bool conv_transpose_as_matmul_applies(const at::Tensor& x, const at::Tensor& w, int nd, const int64_t* padding,
                                      const int64_t* output_padding, const int64_t* dilation, int64_t groups);
at::Tensor conv_transpose_as_matmul(const at::Tensor& x, const at::Tensor& w, const c10::optional<at::Tensor>& b, int nd);

// True for a float32 CPU transposed convolution outside autocast: it runs as the input gradient of the convolution it
// transposes, which libtorch computes with oneDNN, instead of libtorch 1.13's im2col kernel (slow_conv_transpose2d,
// one GEMM and col2im per batch item).
bool conv_transpose_via_conv_backward_applies(const at::Tensor& x, const at::Tensor& w, int nd, const int64_t* stride,
                                              const int64_t* output_padding, const int64_t* dilation);
at::Tensor conv_transpose_via_conv_backward(const at::Tensor& x, const at::Tensor& w, const c10::optional<at::Tensor>& b,
                                            int nd, const int64_t* stride, const int64_t* padding,
                                            const int64_t* output_padding, const int64_t* dilation, int64_t groups);

}  // namespace ecg
