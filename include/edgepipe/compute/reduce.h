#pragma once
// Reductions over a numeric column, skipping nulls: sum, min, max, mean,
// variance. Float kernels are Highway SIMD dispatched at run time; inputs
// of at least kParallelMinElements values are split over the process-wide
// pool. The split is into fixed blocks combined in order, so a result does
// not depend on the number of threads.
//
// Accuracy: float sums accumulate in double, per block in several SIMD
// accumulators, and blocks are combined with Kahan-Babuska compensation:
// on 50M values the result agrees with NumPy's pairwise sum to ~1e-14
// relative. Variance is two-pass (mean, then squared deviations with the
// rounding-error correction term), so it does not lose digits when the
// mean is large against the spread.
//
// Special values (docs/kernels.md): a NaN among the valid values makes sum,
// mean, variance, min and max NaN (as NumPy, unlike pandas' skipna); ±inf
// behave as in IEEE sums (inf + -inf = NaN). min/max of -0.0 and +0.0 may
// return either zero. Integer sums are exact in int64 and wrap on overflow;
// results are returned as double.

#include <cstdint>

#include "edgepipe/core/column.h"
#include "edgepipe/core/status.h"

namespace edgepipe::compute {

// Raw kernels (no nulls).
double SumFloat64(const double* values, int64_t n);
double SumFloat32(const float* values, int64_t n);  // accumulated in double

// Column reductions over int32, int64, timestamp, float32, float64
// (NotSupported otherwise). With no valid value: Sum is 0; Min, Max, Mean
// and Variance are NaN.
Result<double> Sum(const Column& values);
Result<double> Min(const Column& values);
Result<double> Max(const Column& values);
Result<double> Mean(const Column& values);
// Sum of squared deviations / (count - ddof): ddof 0 is the population
// variance (NumPy's default), 1 the sample variance (pandas' default).
// NaN when count <= ddof. InvalidArgument for ddof < 0.
Result<double> Variance(const Column& values, int ddof = 0);

// Number of valid (non-null) values.
int64_t CountValid(const Column& values);

}  // namespace edgepipe::compute
