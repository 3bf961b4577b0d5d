#include "edgepipe/compute/compare.h"

#include <string>
#include <type_traits>

#include "compute/kernel_util_internal.h"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "compute/compare-inl.h"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include "compute/compare-inl.h"

#if HWY_ONCE
namespace edgepipe::compute {

HWY_EXPORT(CompareF64);
HWY_EXPORT(CompareF32);
HWY_EXPORT(CompareI32);
HWY_EXPORT(CompareI64);

namespace {

template <typename T>
void CompareImpl(CompareOp op, const T* a, const T* b, T scalar, bool scalar_b, uint8_t* out, int64_t n) {
  // Chunks start at multiples of 512 rows, so each task owns whole bytes
  // (and whole 64-bit words) of the output.
  internal::ForEachChunk(n, [&](int64_t begin, int64_t end) {
    const int o = static_cast<int>(op);
    const T* pb = scalar_b ? b : b + begin;
    uint8_t* pout = out + begin / 8;
    const size_t len = static_cast<size_t>(end - begin);
    if constexpr (std::is_same_v<T, double>) {
      HWY_DYNAMIC_DISPATCH(CompareF64)(o, a + begin, pb, scalar, scalar_b, pout, len);
    } else if constexpr (std::is_same_v<T, float>) {
      HWY_DYNAMIC_DISPATCH(CompareF32)(o, a + begin, pb, scalar, scalar_b, pout, len);
    } else if constexpr (std::is_same_v<T, int32_t>) {
      HWY_DYNAMIC_DISPATCH(CompareI32)(o, a + begin, pb, scalar, scalar_b, pout, len);
    } else {
      HWY_DYNAMIC_DISPATCH(CompareI64)(o, a + begin, pb, scalar, scalar_b, pout, len);
    }
  });
}

template <typename T>
Result<Column> CompareColumn(CompareOp op, const Column& a, const Column* b, double scalar) {
  const int64_t n = a.length();
  T s{};
  if (b == nullptr) {
    ASSIGN_OR_RETURN(s, internal::ConvertScalar<T>(scalar));
  }
  std::shared_ptr<Buffer> validity;
  if (b != nullptr) {
    ASSIGN_OR_RETURN(validity, internal::CombineValidity(a, *b));
  } else {
    ASSIGN_OR_RETURN(validity, internal::CopyValidity(a));
  }
  ASSIGN_OR_RETURN(auto bits, internal::AllocateValues(n, 0));
  if (n > 0) CompareImpl<T>(op, a.values<T>(), b ? b->values<T>() : nullptr, s, b == nullptr, bits->mutable_data(), n);
  return Column(Type::kBool, n, std::move(bits), std::move(validity));
}

Result<Column> CompareDispatch(CompareOp op, const Column& a, const Column* b, double scalar) {
  switch (a.type()) {
    case Type::kFloat64: return CompareColumn<double>(op, a, b, scalar);
    case Type::kFloat32: return CompareColumn<float>(op, a, b, scalar);
    case Type::kInt32: return CompareColumn<int32_t>(op, a, b, scalar);
    case Type::kInt64:
    case Type::kTimestamp: return CompareColumn<int64_t>(op, a, b, scalar);
    default:
      return Status::NotSupported("comparison '" + std::string(CompareOpName(op)) + "' is not supported for " +
                                  std::string(TypeName(a.type())) + " columns");
  }
}

}  // namespace

std::string_view CompareOpName(CompareOp op) {
  switch (op) {
    case CompareOp::kEqual: return "==";
    case CompareOp::kNotEqual: return "!=";
    case CompareOp::kLess: return "<";
    case CompareOp::kLessEqual: return "<=";
    case CompareOp::kGreater: return ">";
    case CompareOp::kGreaterEqual: return ">=";
  }
  return "?";
}

void CompareInto(CompareOp op, const double* a, const double* b, uint8_t* out, int64_t n) { CompareImpl<double>(op, a, b, 0, false, out, n); }
void CompareInto(CompareOp op, const float* a, const float* b, uint8_t* out, int64_t n) { CompareImpl<float>(op, a, b, 0, false, out, n); }
void CompareInto(CompareOp op, const int32_t* a, const int32_t* b, uint8_t* out, int64_t n) { CompareImpl<int32_t>(op, a, b, 0, false, out, n); }
void CompareInto(CompareOp op, const int64_t* a, const int64_t* b, uint8_t* out, int64_t n) { CompareImpl<int64_t>(op, a, b, 0, false, out, n); }
void CompareScalarInto(CompareOp op, const double* a, double s, uint8_t* out, int64_t n) { CompareImpl<double>(op, a, nullptr, s, true, out, n); }
void CompareScalarInto(CompareOp op, const float* a, float s, uint8_t* out, int64_t n) { CompareImpl<float>(op, a, nullptr, s, true, out, n); }
void CompareScalarInto(CompareOp op, const int32_t* a, int32_t s, uint8_t* out, int64_t n) { CompareImpl<int32_t>(op, a, nullptr, s, true, out, n); }
void CompareScalarInto(CompareOp op, const int64_t* a, int64_t s, uint8_t* out, int64_t n) { CompareImpl<int64_t>(op, a, nullptr, s, true, out, n); }

Result<Column> Compare(CompareOp op, const Column& a, const Column& b) {
  if (a.type() != b.type()) {
    return Status::InvalidArgument("compare: column types differ (" + std::string(TypeName(a.type())) + " vs " +
                                   std::string(TypeName(b.type())) + ")");
  }
  if (a.length() != b.length()) {
    return Status::InvalidArgument("compare: column lengths differ (" + std::to_string(a.length()) + " vs " +
                                   std::to_string(b.length()) + ")");
  }
  return CompareDispatch(op, a, &b, 0);
}

Result<Column> CompareScalar(CompareOp op, const Column& a, double scalar) { return CompareDispatch(op, a, nullptr, scalar); }

}  // namespace edgepipe::compute
#endif  // HWY_ONCE
