// Highway bodies of the float reductions (sum, min/max, squared
// deviations), compiled once per SIMD target by reduce.cc. No include
// guard: foreach_target re-includes this file.

#if defined(EDGEPIPE_COMPUTE_REDUCE_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef EDGEPIPE_COMPUTE_REDUCE_INL_H_
#undef EDGEPIPE_COMPUTE_REDUCE_INL_H_
#else
#define EDGEPIPE_COMPUTE_REDUCE_INL_H_
#endif

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>

#include <hwy/highway.h>

HWY_BEFORE_NAMESPACE();
namespace edgepipe::compute::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

using DF64 = hn::ScalableTag<double>;

// N doubles from p (float inputs widened: sums accumulate in double).
template <typename T>
HWY_INLINE hn::Vec<DF64> LoadWide(DF64 d, const T* p) {
  if constexpr (sizeof(T) == 8) {
    return hn::LoadU(d, p);
  } else {
    const hn::Rebind<float, DF64> df;
    return hn::PromoteTo(d, hn::LoadU(df, p));
  }
}

// The first `count` < N values from p, the other lanes 0.
template <typename T>
HWY_INLINE hn::Vec<DF64> LoadWidePartial(DF64 d, const T* p, size_t count) {
  HWY_ALIGN T buf[HWY_MAX_BYTES / sizeof(T)] = {};
  std::memcpy(buf, p, count * sizeof(T));
  return LoadWide(d, buf);
}

// Neumaier's compensated add of x into (s, c), lane-wise.
HWY_INLINE void NeumaierAdd(DF64 d, hn::Vec<DF64>& s, hn::Vec<DF64>& c, hn::Vec<DF64> x) {
  const auto t = hn::Add(s, x);
  const auto big_s = hn::Ge(hn::Abs(s), hn::Abs(x));
  c = hn::Add(c, hn::IfThenElse(big_s, hn::Add(hn::Sub(s, t), x), hn::Add(hn::Sub(x, t), s)));
  s = t;
  (void)d;
}

// Sum of v[0, n) as hi + lo. Inner blocks of 64 vectors go into 4
// accumulators (4 independent add chains hide the 4-cycle add latency);
// each block total is added into a compensated vector sum, so the error
// grows with the block length (256 values on AVX2), not with n.
template <typename T>
HWY_INLINE void SumImpl(const T* v, size_t n, double* hi, double* lo) {
  const DF64 d;
  const size_t N = hn::Lanes(d);
  constexpr size_t kBlockVectors = 64;
  auto s = hn::Zero(d);
  auto c = hn::Zero(d);
  size_t i = 0;
  while (i + 4 * N <= n) {
    const size_t block_end = HWY_MIN(n, i + kBlockVectors * N);
    auto a0 = hn::Zero(d), a1 = hn::Zero(d), a2 = hn::Zero(d), a3 = hn::Zero(d);
    for (; i + 4 * N <= block_end; i += 4 * N) {
      a0 = hn::Add(a0, LoadWide(d, v + i));
      a1 = hn::Add(a1, LoadWide(d, v + i + N));
      a2 = hn::Add(a2, LoadWide(d, v + i + 2 * N));
      a3 = hn::Add(a3, LoadWide(d, v + i + 3 * N));
    }
    NeumaierAdd(d, s, c, hn::Add(hn::Add(a0, a1), hn::Add(a2, a3)));
  }
  for (; i + N <= n; i += N) NeumaierAdd(d, s, c, LoadWide(d, v + i));
  if (i < n) NeumaierAdd(d, s, c, LoadWidePartial(d, v + i, n - i));
  // Lanes in order, compensated.
  HWY_ALIGN double ls[HWY_MAX_BYTES / sizeof(double)];
  HWY_ALIGN double lc[HWY_MAX_BYTES / sizeof(double)];
  hn::Store(s, d, ls);
  hn::Store(c, d, lc);
  double sum = 0, comp = 0;
  for (size_t lane = 0; lane < N; ++lane) {
    const double x = ls[lane];
    const double t = sum + x;
    comp += std::fabs(sum) >= std::fabs(x) ? (sum - t) + x : (x - t) + sum;
    sum = t;
    comp += lc[lane];
  }
  *hi = sum;
  *lo = comp;
}

void SumF64(const double* v, size_t n, double* hi, double* lo) { SumImpl(v, n, hi, lo); }
void SumF32(const float* v, size_t n, double* hi, double* lo) { SumImpl(v, n, hi, lo); }

// NaN lanes. Not Ne(x, x): Highway 1.0's float Ne is an ordered compare,
// false for NaN.
template <class D, class V>
HWY_INLINE auto IsNaNMask(D d, V x) {
  (void)d;
  return hn::Not(hn::Eq(x, x));
}

// Min and max of v[0, n), n >= 1. Min/Max instructions do not propagate
// NaN (x86 returns the second operand), so NaNs are tracked apart: any NaN
// makes both results NaN.
template <typename T>
HWY_INLINE void MinMaxImpl(const T* v, size_t n, T* out_min, T* out_max) {
  const hn::ScalableTag<T> d;
  const size_t N = hn::Lanes(d);
  auto mn0 = hn::Set(d, v[0]), mx0 = mn0, mn1 = mn0, mx1 = mn0;
  auto nan = hn::Zero(d);
  size_t i = 0;
  for (; i + 2 * N <= n; i += 2 * N) {
    const auto x0 = hn::LoadU(d, v + i);
    const auto x1 = hn::LoadU(d, v + i + N);
    mn0 = hn::Min(mn0, x0);
    mx0 = hn::Max(mx0, x0);
    mn1 = hn::Min(mn1, x1);
    mx1 = hn::Max(mx1, x1);
    nan = hn::Or(nan, hn::Or(hn::VecFromMask(d, IsNaNMask(d, x0)), hn::VecFromMask(d, IsNaNMask(d, x1))));
  }
  for (; i < n; i += N) {
    // Padded with v[0], which changes neither result.
    HWY_ALIGN T buf[HWY_MAX_BYTES / sizeof(T)];
    const size_t count = HWY_MIN(N, n - i);
    for (size_t lane = 0; lane < N; ++lane) buf[lane] = lane < count ? v[i + lane] : v[0];
    const auto x = hn::Load(d, buf);
    mn0 = hn::Min(mn0, x);
    mx0 = hn::Max(mx0, x);
    nan = hn::Or(nan, hn::VecFromMask(d, IsNaNMask(d, x)));
  }
  mn0 = hn::Min(mn0, mn1);
  mx0 = hn::Max(mx0, mx1);
  if (!hn::AllFalse(d, hn::MaskFromVec(nan)) || v[0] != v[0]) {
    *out_min = *out_max = std::numeric_limits<T>::quiet_NaN();
    return;
  }
  HWY_ALIGN T lmin[HWY_MAX_BYTES / sizeof(T)];
  HWY_ALIGN T lmax[HWY_MAX_BYTES / sizeof(T)];
  hn::Store(mn0, d, lmin);
  hn::Store(mx0, d, lmax);
  T mn = lmin[0], mx = lmax[0];
  for (size_t lane = 1; lane < N; ++lane) {
    mn = lmin[lane] < mn ? lmin[lane] : mn;
    mx = lmax[lane] > mx ? lmax[lane] : mx;
  }
  *out_min = mn;
  *out_max = mx;
}

void MinMaxF64(const double* v, size_t n, double* mn, double* mx) { MinMaxImpl(v, n, mn, mx); }
void MinMaxF32(const float* v, size_t n, float* mn, float* mx) { MinMaxImpl(v, n, mn, mx); }

// sum(v - mean) and sum((v - mean)^2) over v[0, n), in double.
template <typename T>
HWY_INLINE void SumDevImpl(const T* v, size_t n, double mean, double* sum_d, double* sum_d2) {
  const DF64 d;
  const size_t N = hn::Lanes(d);
  const auto m = hn::Set(d, mean);
  auto d0 = hn::Zero(d), d1 = hn::Zero(d), q0 = hn::Zero(d), q1 = hn::Zero(d);
  size_t i = 0;
  for (; i + 2 * N <= n; i += 2 * N) {
    const auto x0 = hn::Sub(LoadWide(d, v + i), m);
    const auto x1 = hn::Sub(LoadWide(d, v + i + N), m);
    d0 = hn::Add(d0, x0);
    d1 = hn::Add(d1, x1);
    q0 = hn::MulAdd(x0, x0, q0);
    q1 = hn::MulAdd(x1, x1, q1);
  }
  for (; i < n; i += N) {
    const size_t count = HWY_MIN(N, n - i);
    // Lanes past the end are zeroed after subtracting the mean.
    const auto x = hn::IfThenElseZero(hn::FirstN(d, count), hn::Sub(LoadWidePartial(d, v + i, count), m));
    d0 = hn::Add(d0, x);
    q0 = hn::MulAdd(x, x, q0);
  }
  *sum_d = hn::GetLane(hn::SumOfLanes(d, hn::Add(d0, d1)));
  *sum_d2 = hn::GetLane(hn::SumOfLanes(d, hn::Add(q0, q1)));
}

void SumDevF64(const double* v, size_t n, double mean, double* sd, double* sd2) { SumDevImpl(v, n, mean, sd, sd2); }
void SumDevF32(const float* v, size_t n, double mean, double* sd, double* sd2) { SumDevImpl(v, n, mean, sd, sd2); }

}  // namespace edgepipe::compute::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // EDGEPIPE_COMPUTE_REDUCE_INL_H_ toggle
