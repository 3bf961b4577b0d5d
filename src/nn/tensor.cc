#include "edgepipe/nn/tensor.h"

#include <cstring>

namespace edgepipe::nn {

size_t DTypeSize(DType dtype) {
  switch (dtype) {
    case DType::kF32: return 4;
    case DType::kS8: return 1;
    case DType::kU8: return 1;
    case DType::kS32: return 4;
    case DType::kS64: return 8;
  }
  return 0;
}

std::string_view DTypeName(DType dtype) {
  switch (dtype) {
    case DType::kF32: return "f32";
    case DType::kS8: return "s8";
    case DType::kU8: return "u8";
    case DType::kS32: return "s32";
    case DType::kS64: return "s64";
  }
  return "?";
}

int64_t NumElements(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) return -1;
    if (d != 0 && n > INT64_MAX / d) return -1;
    n *= d;
  }
  return n;
}

bool IsStatic(const Shape& shape) {
  for (int64_t d : shape) {
    if (d < 0) return false;
  }
  return true;
}

std::string ShapeToString(const Shape& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ",";
    s += shape[i] < 0 ? std::string("?") : std::to_string(shape[i]);
  }
  return s + "]";
}

Result<Tensor> Tensor::Make(DType dtype, Shape shape) {
  const int64_t n = NumElements(shape);
  if (n < 0) {
    return Status::InvalidArgument("tensor shape " + ShapeToString(shape) +
                                   " is dynamic, negative or overflows");
  }
  if (static_cast<uint64_t>(n) > kMaxTensorBytes / DTypeSize(dtype)) {
    return Status::OutOfMemory("tensor of shape " + ShapeToString(shape) + " and type " +
                               std::string(DTypeName(dtype)) + " exceeds the 16 GiB limit");
  }
  Tensor t;
  t.dtype_ = dtype;
  t.shape_ = std::move(shape);
  t.num_elements_ = n;
  // At least one byte so data() is never null for an empty tensor.
  ASSIGN_OR_RETURN(t.buffer_, Buffer::AllocateZeroed(std::max<size_t>(t.nbytes(), 1)));
  return t;
}

Result<Tensor> Tensor::FromData(DType dtype, Shape shape, const void* data, size_t bytes) {
  ASSIGN_OR_RETURN(Tensor t, Make(dtype, std::move(shape)));
  if (bytes != t.nbytes()) {
    return Status::InvalidArgument("tensor of shape " + ShapeToString(t.shape()) + " needs " +
                                   std::to_string(t.nbytes()) + " bytes, got " + std::to_string(bytes));
  }
  if (bytes) std::memcpy(t.mutable_data(), data, bytes);
  return t;
}

Result<Tensor> Tensor::FromFloats(Shape shape, const std::vector<float>& values) {
  return FromData(DType::kF32, std::move(shape), values.data(), values.size() * sizeof(float));
}

Result<Tensor> Tensor::Reshaped(Shape shape) const {
  if (NumElements(shape) != num_elements_) {
    return Status::InvalidArgument("cannot reshape " + ShapeToString(shape_) + " to " +
                                   ShapeToString(shape));
  }
  Tensor t = *this;
  t.shape_ = std::move(shape);
  return t;
}

Result<Tensor> Tensor::Clone() const { return FromData(dtype_, shape_, data(), nbytes()); }

}  // namespace edgepipe::nn
