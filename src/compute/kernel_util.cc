#include "compute/kernel_util_internal.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <string>

namespace edgepipe::compute::internal {

Result<std::shared_ptr<Buffer>> AllocateValues(int64_t n, int byte_width) {
  const int64_t bytes = byte_width == 0 ? bit_util::BytesForBits(n) : n * byte_width;
  // One spare word so word-at-a-time bitmap writers may store 8 bytes.
  return Buffer::Allocate(static_cast<size_t>(bytes) + 8);
}

Result<std::shared_ptr<Buffer>> CopyValidity(const Column& a) {
  if (a.null_count() == 0 || a.validity_bits() == nullptr) return std::shared_ptr<Buffer>();
  ASSIGN_OR_RETURN(auto buf, AllocateValues(a.length(), 0));
  bit_util::CopyBitmap(a.validity_bits(), a.offset(), a.length(), buf->mutable_data(), 0);
  return buf;
}

Result<std::shared_ptr<Buffer>> CombineValidity(const Column& a, const Column& b) {
  const bool a_nulls = a.null_count() > 0 && a.validity_bits() != nullptr;
  const bool b_nulls = b.null_count() > 0 && b.validity_bits() != nullptr;
  if (!a_nulls) return CopyValidity(b);
  if (!b_nulls) return CopyValidity(a);
  ASSIGN_OR_RETURN(auto out, CopyValidity(a));
  ASSIGN_OR_RETURN(auto other, CopyValidity(b));
  uint8_t* dst = out->mutable_data();
  const uint8_t* src = other->data();
  const int64_t bytes = bit_util::BytesForBits(a.length());
  for (int64_t i = 0; i < bytes; ++i) dst[i] &= src[i];
  return out;
}

template <typename T>
Result<T> ConvertScalar(double scalar) {
  if constexpr (std::is_floating_point_v<T>) {
    return static_cast<T>(scalar);
  } else {
    // Range check in double: the limits of int32 are exact; for int64 the
    // upper bound 2^63 itself is excluded.
    constexpr double kLo = static_cast<double>(std::numeric_limits<T>::min());
    constexpr double kHi = -kLo;  // 2^31 or 2^63, exactly
    if (!(scalar >= kLo && scalar < kHi) || std::trunc(scalar) != scalar) {
      return Status::InvalidArgument("scalar " + std::to_string(scalar) + " is not a " +
                                     (sizeof(T) == 4 ? "int32" : "int64") + " value");
    }
    return static_cast<T>(scalar);
  }
}

template Result<float> ConvertScalar<float>(double);
template Result<double> ConvertScalar<double>(double);
template Result<int32_t> ConvertScalar<int32_t>(double);
template Result<int64_t> ConvertScalar<int64_t>(double);

}  // namespace edgepipe::compute::internal
