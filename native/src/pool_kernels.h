// CPU kernels the bridge uses in place of libtorch's where they are faster and give identical results.
#pragma once
#include <ATen/ATen.h>

namespace ecg {

// True when max pooling of x has non-overlapping windows (kernel == stride, no padding, no dilation, floor mode)
// and x is a contiguous float32 CPU tensor: the case non_overlapping_max_pool handles.
bool non_overlapping_max_pool_applies(const at::Tensor& x, int nd, const int64_t* kernel, const int64_t* stride,
                                      const int64_t* padding, const int64_t* dilation, bool ceil);

// Max pooling over the last nd (1 or 2) dimensions; values, argmax and gradients identical to libtorch's.
at::Tensor non_overlapping_max_pool(const at::Tensor& x, int nd, const int64_t* kernel);

}  // namespace ecg
