#pragma once
// Elementwise arithmetic on numeric columns and raw arrays:
//   out[i] = a[i] (+ - * /) b[i],  out[i] = a[i] (+ - * /) scalar,
//   out[i] = a[i] * b[i] + c[i]  (fused multiply-add where the CPU has FMA).
//
// The SIMD bodies are written once with Highway (src/compute/*-inl.h) and
// dispatched at run time to the best target of the CPU (AVX-512, AVX2, SSE4
// on x86; NEON/SVE on Arm). Inputs of at least kParallelMinElements values
// are split over the process-wide pool (core/parallel.h); smaller inputs run
// on the calling thread.
//
// Semantics (docs/kernels.md):
// - float32/float64 follow IEEE 754 exactly as the scalar operators do
//   (NaN propagates, x/0 = ±inf, -0.0 kept), so every SIMD target gives the
//   same bits as `a[i] * b[i]` in C++. The one exception is MultiplyAdd: a
//   target with FMA rounds once (std::fma), one without rounds twice
//   (a*b+c); both are accepted results.
// - int32/int64 add, subtract and multiply wrap around on overflow (two's
//   complement). Integer division truncates toward zero; dividing by zero is
//   InvalidArgument (naming the row) and INT_MIN / -1 wraps to INT_MIN.
// - Column functions: both inputs must have the same type and length; the
//   result is null where either input is null (the values under nulls are
//   unspecified). Supported types: int32, int64, float32, float64;
//   anything else is NotSupported.
//
// Raw-array kernels write into a caller buffer (as NumPy `out=` does), need
// no alignment beyond the element type's, and allow `out` to alias an input
// exactly (in place); other overlaps are undefined. Thread safety: all
// functions are reentrant.

#include <cstdint>
#include <string_view>

#include "edgepipe/core/column.h"
#include "edgepipe/core/status.h"

namespace edgepipe::compute {

enum class ArithOp : uint8_t { kAdd, kSubtract, kMultiply, kDivide };
// "add", "subtract", "multiply", "divide"
std::string_view ArithOpName(ArithOp op);

// Inputs at least this long are split over the thread pool.
inline constexpr int64_t kParallelMinElements = int64_t{1} << 17;

// ---- Raw-array kernels (hot paths) ----

void MultiplyInto(const double* a, const double* b, double* out, int64_t n);
void MultiplyInto(const float* a, const float* b, float* out, int64_t n);

// out = a op b. Floating types and int32/int64 (kDivide on integers: use the
// Column API, which reports division by zero; here it is InvalidArgument
// for integer types, computed nothing).
Status ArithmeticInto(ArithOp op, const double* a, const double* b, double* out, int64_t n);
Status ArithmeticInto(ArithOp op, const float* a, const float* b, float* out, int64_t n);
Status ArithmeticInto(ArithOp op, const int32_t* a, const int32_t* b, int32_t* out, int64_t n);
Status ArithmeticInto(ArithOp op, const int64_t* a, const int64_t* b, int64_t* out, int64_t n);

// out = a op scalar (same rules).
Status ArithmeticScalarInto(ArithOp op, const double* a, double scalar, double* out, int64_t n);
Status ArithmeticScalarInto(ArithOp op, const float* a, float scalar, float* out, int64_t n);
Status ArithmeticScalarInto(ArithOp op, const int32_t* a, int32_t scalar, int32_t* out, int64_t n);
Status ArithmeticScalarInto(ArithOp op, const int64_t* a, int64_t scalar, int64_t* out, int64_t n);

// out = a * b + c.
void MultiplyAddInto(const double* a, const double* b, const double* c, double* out, int64_t n);
void MultiplyAddInto(const float* a, const float* b, const float* c, float* out, int64_t n);

// ---- Column API ----

Result<Column> Arithmetic(ArithOp op, const Column& a, const Column& b);
inline Result<Column> Add(const Column& a, const Column& b) { return Arithmetic(ArithOp::kAdd, a, b); }
inline Result<Column> Subtract(const Column& a, const Column& b) { return Arithmetic(ArithOp::kSubtract, a, b); }
inline Result<Column> Multiply(const Column& a, const Column& b) { return Arithmetic(ArithOp::kMultiply, a, b); }
inline Result<Column> Divide(const Column& a, const Column& b) { return Arithmetic(ArithOp::kDivide, a, b); }

// a op scalar, the scalar converted to a's type: rounded to nearest for
// float32; for integer columns it must be an integer in range
// (InvalidArgument otherwise).
Result<Column> ArithmeticScalar(ArithOp op, const Column& a, double scalar);

// a * b + c, float32/float64 columns of one type and length.
Result<Column> MultiplyAdd(const Column& a, const Column& b, const Column& c);

// Name of the Highway target the kernels dispatch to now ("AVX2", "AVX3",
// "NEON", "EMU128", ...).
std::string_view KernelTargetName();

}  // namespace edgepipe::compute
