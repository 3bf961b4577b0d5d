#pragma once
// Element types, shapes and a dense tensor for the inference runtime.
// A Tensor is C-order (row-major), 64-byte aligned, and shares its buffer on
// copy: treat a shared tensor as immutable (as with core Buffer).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "edgepipe/core/buffer.h"
#include "edgepipe/core/status.h"

namespace edgepipe::nn {

// kS64 exists for shape tensors (Reshape's second input) and ONNX int64
// constants; kernels compute in f32, s8, u8 and s32.
enum class DType : uint8_t { kF32 = 0, kS8, kU8, kS32, kS64 };

size_t DTypeSize(DType dtype);
std::string_view DTypeName(DType dtype);  // "f32", "s8", "u8", "s32", "s64"

// Dimensions; -1 is a dimension not known before run time (a dynamic batch).
using Shape = std::vector<int64_t>;

// Product of the dimensions (1 for a scalar); -1 if any is unknown or the
// product overflows int64.
int64_t NumElements(const Shape& shape);
bool IsStatic(const Shape& shape);
std::string ShapeToString(const Shape& shape);  // "[1,3,224,224]", "[?,10]"

// Tensors larger than this are refused (an importer or a shape computation
// asking for more is corrupt or hostile, not a model we run).
inline constexpr size_t kMaxTensorBytes = size_t{1} << 34;  // 16 GiB

class Tensor {
 public:
  Tensor() = default;

  // A zero-filled tensor. InvalidArgument for a dynamic or negative shape,
  // OutOfMemory above kMaxTensorBytes.
  static Result<Tensor> Make(DType dtype, Shape shape);
  // A copy of `bytes` bytes at `data`; `bytes` must equal the tensor's size.
  static Result<Tensor> FromData(DType dtype, Shape shape, const void* data, size_t bytes);
  static Result<Tensor> FromFloats(Shape shape, const std::vector<float>& values);

  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  int64_t num_elements() const { return num_elements_; }
  size_t nbytes() const { return static_cast<size_t>(num_elements_) * DTypeSize(dtype_); }
  bool empty_tensor() const { return buffer_ == nullptr; }  // default-constructed

  const void* data() const { return buffer_ ? buffer_->data() : nullptr; }
  void* mutable_data() { return buffer_ ? buffer_->mutable_data() : nullptr; }
  template <typename T>
  const T* data_as() const { return reinterpret_cast<const T*>(data()); }
  template <typename T>
  T* mutable_data_as() { return reinterpret_cast<T*>(mutable_data()); }

  // Same data, new shape with the same element count (InvalidArgument otherwise).
  Result<Tensor> Reshaped(Shape shape) const;
  // A deep copy (for a tensor about to be modified while shared).
  Result<Tensor> Clone() const;

 private:
  DType dtype_ = DType::kF32;
  Shape shape_;
  int64_t num_elements_ = 0;
  std::shared_ptr<Buffer> buffer_;
};

}  // namespace edgepipe::nn
