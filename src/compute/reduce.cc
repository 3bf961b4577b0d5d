#include "edgepipe/compute/reduce.h"

#include <cmath>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "compute/kernel_util_internal.h"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "compute/reduce-inl.h"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include "compute/reduce-inl.h"

#if HWY_ONCE
namespace edgepipe::compute {

HWY_EXPORT(SumF64);
HWY_EXPORT(SumF32);
HWY_EXPORT(MinMaxF64);
HWY_EXPORT(MinMaxF32);
HWY_EXPORT(SumDevF64);
HWY_EXPORT(SumDevF32);

namespace {

// Fixed blocks, combined in order: the result does not depend on how many
// threads ran them. 64 Ki values = 512 KiB of float64, a task long enough
// to amortize scheduling (~1 µs) against ~30 µs of streaming.
constexpr int64_t kBlock = int64_t{1} << 16;
// Rows with nulls are compacted in pieces of this many values.
constexpr int64_t kCompactPiece = 1024;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Runs fn(block_idx, begin, end) for every block, over the pool when the
// input is large.
template <class Fn>
void ForEachBlock(int64_t n, const Fn& fn) {
  const int64_t blocks = (n + kBlock - 1) / kBlock;
  auto run = [&](int64_t block_idx) {
    const int64_t begin = block_idx * kBlock;
    fn(block_idx, begin, std::min(n, begin + kBlock));
  };
  if (n < kParallelMinElements || GetNumThreads() <= 1) {
    for (int64_t b = 0; b < blocks; ++b) run(b);
  } else {
    ParallelFor(blocks, run);
  }
}

// Calls fn(values, count) on the valid values of rows [begin, end): the
// column's own memory when it has no nulls, else compacted copies.
template <typename T, class Fn>
void ForEachValidSpan(const Column& col, int64_t begin, int64_t end, const Fn& fn) {
  const T* v = col.values<T>();
  const uint8_t* bits = col.null_count() > 0 ? col.validity_bits() : nullptr;
  if (bits == nullptr) {
    if (end > begin) fn(v + begin, static_cast<size_t>(end - begin));
    return;
  }
  T buf[kCompactPiece];
  for (int64_t piece = begin; piece < end; piece += kCompactPiece) {
    const int64_t piece_end = std::min(end, piece + kCompactPiece);
    size_t count = 0;
    for (int64_t i = piece; i < piece_end; ++i) {
      buf[count] = v[i];
      count += bit_util::GetBit(bits, col.offset() + i);
    }
    if (count > 0) fn(buf, count);
  }
}

// Neumaier: compensated running sum.
struct CompensatedSum {
  double sum = 0;
  double comp = 0;
  void Add(double x) {
    const double t = sum + x;
    comp += std::fabs(sum) >= std::fabs(x) ? (sum - t) + x : (x - t) + sum;
    sum = t;
  }
  void Add(double hi, double lo) {
    Add(hi);
    comp += lo;
  }
  double Total() const { return sum + comp; }
};

template <typename T>
void SumKernel(const T* v, size_t n, double* hi, double* lo) {
  if constexpr (std::is_same_v<T, double>) {
    HWY_DYNAMIC_DISPATCH(SumF64)(v, n, hi, lo);
  } else {
    HWY_DYNAMIC_DISPATCH(SumF32)(v, n, hi, lo);
  }
}

// NaN and inf survive the compensation terms as NaN; keep IEEE semantics
// by returning the plain sum when it is not finite.
double Finish(const CompensatedSum& s) {
  if (!std::isfinite(s.sum)) return s.sum;
  return s.Total();
}

template <typename T>
double SumFloat(const Column& col) {
  const int64_t n = col.length();
  const int64_t blocks = (n + kBlock - 1) / kBlock;
  std::vector<CompensatedSum> partial(static_cast<size_t>(blocks));
  ForEachBlock(n, [&](int64_t block_idx, int64_t begin, int64_t end) {
    CompensatedSum& acc = partial[block_idx];
    ForEachValidSpan<T>(col, begin, end, [&](const T* v, size_t count) {
      double hi, lo;
      SumKernel(v, count, &hi, &lo);
      acc.Add(hi, lo);
    });
  });
  CompensatedSum total;
  for (const auto& p : partial) total.Add(p.sum, p.comp);
  return Finish(total);
}

// Integer sums: exact in int64, wrapping on overflow.
template <typename T>
double SumInt(const Column& col) {
  const int64_t n = col.length();
  const int64_t blocks = (n + kBlock - 1) / kBlock;
  std::vector<uint64_t> partial(static_cast<size_t>(blocks), 0);
  ForEachBlock(n, [&](int64_t block_idx, int64_t begin, int64_t end) {
    uint64_t acc = 0;
    ForEachValidSpan<T>(col, begin, end, [&](const T* v, size_t count) {
      for (size_t i = 0; i < count; ++i) acc += static_cast<uint64_t>(static_cast<int64_t>(v[i]));
    });
    partial[block_idx] = acc;
  });
  uint64_t total = 0;
  for (uint64_t p : partial) total += p;
  return static_cast<double>(static_cast<int64_t>(total));
}

struct MinMaxPartial {
  bool any = false;
  bool nan = false;
  double min = 0;
  double max = 0;
  void Add(double mn, double mx) {
    if (std::isnan(mn) || std::isnan(mx)) nan = true;
    if (!any) {
      min = mn;
      max = mx;
      any = true;
      return;
    }
    min = mn < min ? mn : min;
    max = mx > max ? mx : max;
  }
};

template <typename T>
MinMaxPartial MinMaxColumn(const Column& col) {
  const int64_t n = col.length();
  const int64_t blocks = (n + kBlock - 1) / kBlock;
  std::vector<MinMaxPartial> partial(static_cast<size_t>(blocks));
  ForEachBlock(n, [&](int64_t block_idx, int64_t begin, int64_t end) {
    MinMaxPartial& acc = partial[block_idx];
    ForEachValidSpan<T>(col, begin, end, [&](const T* v, size_t count) {
      if constexpr (std::is_same_v<T, double>) {
        double mn, mx;
        HWY_DYNAMIC_DISPATCH(MinMaxF64)(v, count, &mn, &mx);
        acc.Add(mn, mx);
      } else if constexpr (std::is_same_v<T, float>) {
        float mn, mx;
        HWY_DYNAMIC_DISPATCH(MinMaxF32)(v, count, &mn, &mx);
        acc.Add(mn, mx);
      } else {
        T mn = v[0], mx = v[0];
        for (size_t i = 1; i < count; ++i) {
          mn = v[i] < mn ? v[i] : mn;
          mx = v[i] > mx ? v[i] : mx;
        }
        acc.Add(static_cast<double>(mn), static_cast<double>(mx));
      }
    });
  });
  MinMaxPartial total;
  for (const auto& p : partial) {
    if (!p.any) continue;
    total.Add(p.min, p.max);
    total.nan = total.nan || p.nan;
  }
  if (total.nan) total.min = total.max = kNaN;
  return total;
}

// sum(v - mean) and sum((v - mean)^2) of the valid values.
template <typename T>
void SumDeviations(const Column& col, double mean, double* sum_d, double* sum_d2) {
  const int64_t n = col.length();
  const int64_t blocks = (n + kBlock - 1) / kBlock;
  std::vector<double> pd(static_cast<size_t>(blocks), 0), pd2(static_cast<size_t>(blocks), 0);
  ForEachBlock(n, [&](int64_t block_idx, int64_t begin, int64_t end) {
    ForEachValidSpan<T>(col, begin, end, [&](const T* v, size_t count) {
      double d = 0, d2 = 0;
      if constexpr (std::is_same_v<T, double>) {
        HWY_DYNAMIC_DISPATCH(SumDevF64)(v, count, mean, &d, &d2);
      } else if constexpr (std::is_same_v<T, float>) {
        HWY_DYNAMIC_DISPATCH(SumDevF32)(v, count, mean, &d, &d2);
      } else {
        for (size_t i = 0; i < count; ++i) {
          const double x = static_cast<double>(v[i]) - mean;
          d += x;
          d2 += x * x;
        }
      }
      pd[block_idx] += d;
      pd2[block_idx] += d2;
    });
  });
  CompensatedSum sd, sd2;
  for (int64_t b = 0; b < blocks; ++b) {
    sd.Add(pd[b]);
    sd2.Add(pd2[b]);
  }
  *sum_d = Finish(sd);
  *sum_d2 = Finish(sd2);
}

Status CheckNumeric(const Column& col, const char* what) {
  switch (col.type()) {
    case Type::kInt32:
    case Type::kInt64:
    case Type::kTimestamp:
    case Type::kFloat32:
    case Type::kFloat64:
      return Status::OK();
    default:
      return Status::NotSupported(std::string(what) + " is not supported for " + std::string(TypeName(col.type())) +
                                  " columns");
  }
}

// Calls fn.template operator()<T>() with T the column's storage type.
template <class Fn>
auto VisitNumeric(Type type, const Fn& fn) {
  switch (type) {
    case Type::kInt32: return fn(int32_t{});
    case Type::kInt64:
    case Type::kTimestamp: return fn(int64_t{});
    case Type::kFloat32: return fn(float{});
    default: return fn(double{});
  }
}

double SumAny(const Column& col) {
  return VisitNumeric(col.type(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_floating_point_v<T>) {
      return SumFloat<T>(col);
    } else {
      return SumInt<T>(col);
    }
  });
}

// Per-block compensated sums (in parallel), combined in block order so the
// result does not depend on the thread count.
template <typename T>
double SumBlocks(const T* values, int64_t n) {
  if (n <= 0) return 0;
  const int64_t blocks = (n + kBlock - 1) / kBlock;
  std::vector<CompensatedSum> partial(static_cast<size_t>(blocks));
  ForEachBlock(n, [&](int64_t block_idx, int64_t begin, int64_t end) {
    double hi, lo;
    SumKernel(values + begin, static_cast<size_t>(end - begin), &hi, &lo);
    partial[block_idx].Add(hi, lo);
  });
  CompensatedSum total;
  for (const auto& p : partial) total.Add(p.sum, p.comp);
  return Finish(total);
}

}  // namespace

double SumFloat64(const double* values, int64_t n) { return SumBlocks(values, n); }
double SumFloat32(const float* values, int64_t n) { return SumBlocks(values, n); }

int64_t CountValid(const Column& values) {
  if (values.null_count() == 0 || values.validity_bits() == nullptr) return values.length();
  return values.length() - values.null_count();
}

Result<double> Sum(const Column& values) {
  RETURN_NOT_OK(CheckNumeric(values, "sum"));
  if (values.length() == 0) return 0.0;
  return SumAny(values);
}

Result<double> Min(const Column& values) {
  RETURN_NOT_OK(CheckNumeric(values, "min"));
  if (CountValid(values) == 0) return kNaN;
  return VisitNumeric(values.type(), [&](auto tag) { return MinMaxColumn<decltype(tag)>(values).min; });
}

Result<double> Max(const Column& values) {
  RETURN_NOT_OK(CheckNumeric(values, "max"));
  if (CountValid(values) == 0) return kNaN;
  return VisitNumeric(values.type(), [&](auto tag) { return MinMaxColumn<decltype(tag)>(values).max; });
}

Result<double> Mean(const Column& values) {
  RETURN_NOT_OK(CheckNumeric(values, "mean"));
  const int64_t count = CountValid(values);
  if (count == 0) return kNaN;
  return SumAny(values) / static_cast<double>(count);
}

Result<double> Variance(const Column& values, int ddof) {
  RETURN_NOT_OK(CheckNumeric(values, "variance"));
  if (ddof < 0) return Status::InvalidArgument("variance: ddof must be >= 0, got " + std::to_string(ddof));
  const int64_t count = CountValid(values);
  if (count <= ddof) return kNaN;
  const double mean = SumAny(values) / static_cast<double>(count);
  if (!std::isfinite(mean)) return kNaN;
  double sum_d = 0, sum_d2 = 0;
  VisitNumeric(values.type(), [&](auto tag) {
    SumDeviations<decltype(tag)>(values, mean, &sum_d, &sum_d2);
    return 0;
  });
  // Corrected two-pass: subtracting (sum d)^2 / n removes the error of the
  // rounded mean.
  const double m2 = sum_d2 - sum_d * sum_d / static_cast<double>(count);
  return (m2 < 0 ? 0.0 : m2) / static_cast<double>(count - ddof);
}

}  // namespace edgepipe::compute
#endif  // HWY_ONCE
