#include "edgepipe/compute/elementwise.h"

#include <limits>
#include <string>
#include <type_traits>

#include "compute/kernel_util_internal.h"

// Highway compiles elementwise-inl.h once per SIMD target; HWY_DYNAMIC_DISPATCH
// picks the best one the CPU supports, once per call (per chunk), never per
// element.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "compute/elementwise-inl.h"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include "compute/elementwise-inl.h"

#if HWY_ONCE
namespace edgepipe::compute {

HWY_EXPORT(ArithF64);
HWY_EXPORT(ArithF32);
HWY_EXPORT(ArithI32);
HWY_EXPORT(ArithI64);
HWY_EXPORT(MulAddF64);
HWY_EXPORT(MulAddF32);
HWY_EXPORT(TargetName);

namespace {

using internal::ForEachChunk;

template <typename T>
void CallArith(int op, const T* a, const T* b, T scalar, bool scalar_b, T* out, size_t n, bool stream) {
  if constexpr (std::is_same_v<T, double>) {
    HWY_DYNAMIC_DISPATCH(ArithF64)(op, a, b, scalar, scalar_b, out, n, stream);
  } else if constexpr (std::is_same_v<T, float>) {
    HWY_DYNAMIC_DISPATCH(ArithF32)(op, a, b, scalar, scalar_b, out, n, stream);
  } else if constexpr (std::is_same_v<T, int32_t>) {
    HWY_DYNAMIC_DISPATCH(ArithI32)(op, a, b, scalar, scalar_b, out, n, stream);
  } else {
    HWY_DYNAMIC_DISPATCH(ArithI64)(op, a, b, scalar, scalar_b, out, n, stream);
  }
}

// int64 multiply (no SIMD Mul for 64-bit lanes in Highway 1.0): a plain
// loop, wrapping through unsigned arithmetic (signed overflow is UB).
void MultiplyInt64(const int64_t* a, const int64_t* b, int64_t scalar, bool scalar_b, int64_t* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const uint64_t rhs = static_cast<uint64_t>(scalar_b ? scalar : b[i]);
    out[i] = static_cast<int64_t>(static_cast<uint64_t>(a[i]) * rhs);
  }
}

// Integer division, truncating; rows that are null in `validity` (bit
// validity_offset + i) are skipped and set to 0. Reports the first zero
// divisor of a valid row.
template <typename T>
Status DivideInt(const T* a, const T* b, T scalar, bool scalar_b, T* out, int64_t n, const uint8_t* validity,
                 int64_t validity_offset) {
  for (int64_t i = 0; i < n; ++i) {
    if (validity != nullptr && !bit_util::GetBit(validity, validity_offset + i)) {
      out[i] = 0;
      continue;
    }
    const T rhs = scalar_b ? scalar : b[i];
    if (rhs == 0) return Status::InvalidArgument("integer division by zero at row " + std::to_string(i));
    // INT_MIN / -1 overflows (UB in C++): wrap to INT_MIN as the hardware
    // two's complement result would be.
    out[i] = (rhs == -1) ? static_cast<T>(0 - static_cast<std::make_unsigned_t<T>>(a[i])) : static_cast<T>(a[i] / rhs);
  }
  return Status::OK();
}

template <typename T>
Status ArithmeticImpl(ArithOp op, const T* a, const T* b, T scalar, bool scalar_b, T* out, int64_t n,
                      const uint8_t* validity = nullptr, int64_t validity_offset = 0) {
  if (n <= 0) return Status::OK();
  if constexpr (!std::is_floating_point_v<T>) {
    if (op == ArithOp::kDivide) return DivideInt(a, b, scalar, scalar_b, out, n, validity, validity_offset);
    if constexpr (sizeof(T) == 8) {
      if (op == ArithOp::kMultiply) {
        ForEachChunk(n, [&](int64_t begin, int64_t end) {
          MultiplyInt64(a + begin, scalar_b ? b : b + begin, scalar, scalar_b, out + begin, end - begin);
        });
        return Status::OK();
      }
    }
  }
  const bool stream = n * static_cast<int64_t>(sizeof(T)) >= internal::kStreamMinBytes;
  ForEachChunk(n, [&](int64_t begin, int64_t end) {
    CallArith<T>(static_cast<int>(op), a + begin, scalar_b ? b : b + begin, scalar, scalar_b, out + begin,
                 static_cast<size_t>(end - begin), stream);
  });
  return Status::OK();
}

template <typename T>
Result<Column> ArithmeticColumn(ArithOp op, const Column& a, const Column& b) {
  const int64_t n = a.length();
  ASSIGN_OR_RETURN(auto validity, internal::CombineValidity(a, b));
  ASSIGN_OR_RETURN(auto values, internal::AllocateValues(n, sizeof(T)));
  const uint8_t* vbits = validity ? validity->data() : nullptr;
  if (n == 0) return Column(a.type(), 0, std::move(values));
  RETURN_NOT_OK(ArithmeticImpl<T>(op, a.values<T>(), b.values<T>(), T{}, false, values->mutable_data_as<T>(), n,
                                  vbits, 0));
  return Column(a.type(), n, std::move(values), std::move(validity));
}

template <typename T>
Result<Column> ArithmeticScalarColumn(ArithOp op, const Column& a, double scalar) {
  ASSIGN_OR_RETURN(const T s, internal::ConvertScalar<T>(scalar));
  const int64_t n = a.length();
  ASSIGN_OR_RETURN(auto validity, internal::CopyValidity(a));
  ASSIGN_OR_RETURN(auto values, internal::AllocateValues(n, sizeof(T)));
  const uint8_t* vbits = validity ? validity->data() : nullptr;
  if (n == 0) return Column(a.type(), 0, std::move(values));
  RETURN_NOT_OK(ArithmeticImpl<T>(op, a.values<T>(), nullptr, s, true, values->mutable_data_as<T>(), n, vbits, 0));
  return Column(a.type(), n, std::move(values), std::move(validity));
}

Status CheckSameShape(const Column& a, const Column& b, const char* what) {
  if (a.type() != b.type()) {
    return Status::InvalidArgument(std::string(what) + ": column types differ (" + std::string(TypeName(a.type())) +
                                   " vs " + std::string(TypeName(b.type())) + ")");
  }
  if (a.length() != b.length()) {
    return Status::InvalidArgument(std::string(what) + ": column lengths differ (" + std::to_string(a.length()) +
                                   " vs " + std::to_string(b.length()) + ")");
  }
  return Status::OK();
}

Status UnsupportedType(const char* what, Type type) {
  return Status::NotSupported(std::string(what) + " is not supported for " + std::string(TypeName(type)) +
                              " columns (int32, int64, float32, float64 are)");
}

}  // namespace

std::string_view ArithOpName(ArithOp op) {
  switch (op) {
    case ArithOp::kAdd: return "add";
    case ArithOp::kSubtract: return "subtract";
    case ArithOp::kMultiply: return "multiply";
    case ArithOp::kDivide: return "divide";
  }
  return "?";
}

void MultiplyInto(const double* a, const double* b, double* out, int64_t n) {
  (void)ArithmeticImpl<double>(ArithOp::kMultiply, a, b, 0.0, false, out, n);
}
void MultiplyInto(const float* a, const float* b, float* out, int64_t n) {
  (void)ArithmeticImpl<float>(ArithOp::kMultiply, a, b, 0.0f, false, out, n);
}

Status ArithmeticInto(ArithOp op, const double* a, const double* b, double* out, int64_t n) {
  return ArithmeticImpl<double>(op, a, b, 0.0, false, out, n);
}
Status ArithmeticInto(ArithOp op, const float* a, const float* b, float* out, int64_t n) {
  return ArithmeticImpl<float>(op, a, b, 0.0f, false, out, n);
}
Status ArithmeticInto(ArithOp op, const int32_t* a, const int32_t* b, int32_t* out, int64_t n) {
  return ArithmeticImpl<int32_t>(op, a, b, 0, false, out, n);
}
Status ArithmeticInto(ArithOp op, const int64_t* a, const int64_t* b, int64_t* out, int64_t n) {
  return ArithmeticImpl<int64_t>(op, a, b, 0, false, out, n);
}

Status ArithmeticScalarInto(ArithOp op, const double* a, double scalar, double* out, int64_t n) {
  return ArithmeticImpl<double>(op, a, nullptr, scalar, true, out, n);
}
Status ArithmeticScalarInto(ArithOp op, const float* a, float scalar, float* out, int64_t n) {
  return ArithmeticImpl<float>(op, a, nullptr, scalar, true, out, n);
}
Status ArithmeticScalarInto(ArithOp op, const int32_t* a, int32_t scalar, int32_t* out, int64_t n) {
  return ArithmeticImpl<int32_t>(op, a, nullptr, scalar, true, out, n);
}
Status ArithmeticScalarInto(ArithOp op, const int64_t* a, int64_t scalar, int64_t* out, int64_t n) {
  return ArithmeticImpl<int64_t>(op, a, nullptr, scalar, true, out, n);
}

void MultiplyAddInto(const double* a, const double* b, const double* c, double* out, int64_t n) {
  ForEachChunk(n, [&](int64_t begin, int64_t end) {
    HWY_DYNAMIC_DISPATCH(MulAddF64)(a + begin, b + begin, c + begin, out + begin, static_cast<size_t>(end - begin));
  });
}
void MultiplyAddInto(const float* a, const float* b, const float* c, float* out, int64_t n) {
  ForEachChunk(n, [&](int64_t begin, int64_t end) {
    HWY_DYNAMIC_DISPATCH(MulAddF32)(a + begin, b + begin, c + begin, out + begin, static_cast<size_t>(end - begin));
  });
}

Result<Column> Arithmetic(ArithOp op, const Column& a, const Column& b) {
  RETURN_NOT_OK(CheckSameShape(a, b, ArithOpName(op).data()));
  switch (a.type()) {
    case Type::kFloat64: return ArithmeticColumn<double>(op, a, b);
    case Type::kFloat32: return ArithmeticColumn<float>(op, a, b);
    case Type::kInt32: return ArithmeticColumn<int32_t>(op, a, b);
    case Type::kInt64: return ArithmeticColumn<int64_t>(op, a, b);
    default: return UnsupportedType(ArithOpName(op).data(), a.type());
  }
}

Result<Column> ArithmeticScalar(ArithOp op, const Column& a, double scalar) {
  switch (a.type()) {
    case Type::kFloat64: return ArithmeticScalarColumn<double>(op, a, scalar);
    case Type::kFloat32: return ArithmeticScalarColumn<float>(op, a, scalar);
    case Type::kInt32: return ArithmeticScalarColumn<int32_t>(op, a, scalar);
    case Type::kInt64: return ArithmeticScalarColumn<int64_t>(op, a, scalar);
    default: return UnsupportedType(ArithOpName(op).data(), a.type());
  }
}

Result<Column> MultiplyAdd(const Column& a, const Column& b, const Column& c) {
  RETURN_NOT_OK(CheckSameShape(a, b, "multiply-add"));
  RETURN_NOT_OK(CheckSameShape(a, c, "multiply-add"));
  if (!IsFloating(a.type())) return UnsupportedType("multiply-add", a.type());
  const int64_t n = a.length();
  ASSIGN_OR_RETURN(auto ab_validity, internal::CombineValidity(a, b));
  std::shared_ptr<Buffer> validity = ab_validity;
  if (c.null_count() > 0 && c.validity_bits() != nullptr) {
    ASSIGN_OR_RETURN(auto c_validity, internal::CopyValidity(c));
    if (validity == nullptr) {
      validity = c_validity;
    } else {
      for (int64_t i = 0; i < bit_util::BytesForBits(n); ++i) validity->mutable_data()[i] &= c_validity->data()[i];
    }
  }
  if (n == 0) {
    ASSIGN_OR_RETURN(auto values, internal::AllocateValues(0, 8));
    return Column(a.type(), 0, std::move(values));
  }
  if (a.type() == Type::kFloat64) {
    ASSIGN_OR_RETURN(auto values, internal::AllocateValues(n, 8));
    MultiplyAddInto(a.values<double>(), b.values<double>(), c.values<double>(), values->mutable_data_as<double>(), n);
    return Column(a.type(), n, std::move(values), std::move(validity));
  }
  ASSIGN_OR_RETURN(auto values, internal::AllocateValues(n, 4));
  MultiplyAddInto(a.values<float>(), b.values<float>(), c.values<float>(), values->mutable_data_as<float>(), n);
  return Column(a.type(), n, std::move(values), std::move(validity));
}

std::string_view KernelTargetName() { return HWY_DYNAMIC_DISPATCH(TargetName)(); }

}  // namespace edgepipe::compute
#endif  // HWY_ONCE
