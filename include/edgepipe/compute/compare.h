#pragma once
// Comparisons producing selection bitmaps: out bit i = a[i] op b[i] (or
// a[i] op scalar), bit-packed LSB-first like validity (Column of kBool).
// Highway kernels dispatched at run time; inputs of at least
// kParallelMinElements values are split over the process-wide pool.
//
// Semantics (docs/kernels.md): IEEE comparisons, so any comparison with a
// NaN is false except kNotEqual, which is true; -0.0 == +0.0; ±inf order
// as usual. The column result is null where either input is null; Filter
// drops null selections.

#include <cstdint>
#include <string_view>

#include "edgepipe/core/column.h"
#include "edgepipe/core/status.h"

namespace edgepipe::compute {

enum class CompareOp : uint8_t { kEqual, kNotEqual, kLess, kLessEqual, kGreater, kGreaterEqual };
// "==", "!=", "<", "<=", ">", ">="
std::string_view CompareOpName(CompareOp op);

// Raw kernels: write BytesForBits(n) bytes to `out_bits` (bit 0 of byte 0
// is row 0; bits past n in the last byte are zero).
void CompareInto(CompareOp op, const double* a, const double* b, uint8_t* out_bits, int64_t n);
void CompareInto(CompareOp op, const float* a, const float* b, uint8_t* out_bits, int64_t n);
void CompareInto(CompareOp op, const int32_t* a, const int32_t* b, uint8_t* out_bits, int64_t n);
void CompareInto(CompareOp op, const int64_t* a, const int64_t* b, uint8_t* out_bits, int64_t n);
void CompareScalarInto(CompareOp op, const double* a, double scalar, uint8_t* out_bits, int64_t n);
void CompareScalarInto(CompareOp op, const float* a, float scalar, uint8_t* out_bits, int64_t n);
void CompareScalarInto(CompareOp op, const int32_t* a, int32_t scalar, uint8_t* out_bits, int64_t n);
void CompareScalarInto(CompareOp op, const int64_t* a, int64_t scalar, uint8_t* out_bits, int64_t n);

// Columns of one numeric type (int32, int64, timestamp, float32, float64)
// and length -> kBool column. InvalidArgument on a type or length mismatch.
Result<Column> Compare(CompareOp op, const Column& a, const Column& b);
// a op scalar, the scalar converted as in ArithmeticScalar (float32:
// rounded to nearest; integers: must be an integer in range).
Result<Column> CompareScalar(CompareOp op, const Column& a, double scalar);

}  // namespace edgepipe::compute
