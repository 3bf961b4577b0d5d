#pragma once
// A small, strict reader and writer for NumPy .npy files holding float32
// C-order arrays (format versions 1.0-3.0): what `edgepipe run` reads and
// writes. Anything else (other dtypes, Fortran order, big-endian, pickles,
// trailing bytes) is refused with a message saying what was found and where.

#include <string>
#include <string_view>

#include "edgepipe/nn/tensor.h"

namespace edgepipe::nn {

// Corruption (bad magic, header, truncated data; with byte offsets),
// NotSupported (valid .npy of another dtype/order).
Result<Tensor> ParseNpy(std::string_view bytes);
Result<Tensor> ReadNpy(const std::string& path);

// Version 1.0 header, '<f4', shape as the tensor's. InvalidArgument for a
// non-f32 tensor.
Result<std::string> SerializeNpy(const Tensor& tensor);
Status WriteNpy(const std::string& path, const Tensor& tensor);

}  // namespace edgepipe::nn
