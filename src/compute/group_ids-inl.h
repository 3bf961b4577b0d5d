// Highway bodies of the dense key-id kernels (key range scan, slot = key -
// min), compiled once per SIMD target by group_ids.cc. No include guard:
// foreach_target re-includes this file.

#if defined(EDGEPIPE_COMPUTE_GROUP_IDS_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef EDGEPIPE_COMPUTE_GROUP_IDS_INL_H_
#undef EDGEPIPE_COMPUTE_GROUP_IDS_INL_H_
#else
#define EDGEPIPE_COMPUTE_GROUP_IDS_INL_H_
#endif

#include <cstddef>
#include <cstdint>
#include <limits>

#include <hwy/highway.h>

HWY_BEFORE_NAMESPACE();
namespace edgepipe::compute::internal::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Min and max of v[0, n) (n >= 1). Two accumulator pairs: AVX2 has no
// int64 min/max instruction, Highway emulates it with a compare and a blend
// (latency ~3 cycles), so one pair would stall on its own chain; with two
// the scan runs at memory speed (~0.1 ns/row from L2, DRAM-bound otherwise).
template <typename T>
HWY_INLINE void KeyRangeImpl(const T* HWY_RESTRICT v, size_t n, int64_t* lo_out, int64_t* hi_out) {
  const hn::ScalableTag<T> d;
  const size_t N = hn::Lanes(d);
  T lo = std::numeric_limits<T>::max(), hi = std::numeric_limits<T>::min();
  size_t i = 0;
  if (n >= 2 * N) {
    auto min0 = hn::LoadU(d, v), min1 = hn::LoadU(d, v + N);
    auto max0 = min0, max1 = min1;
    for (i = 2 * N; i + 2 * N <= n; i += 2 * N) {
      const auto a = hn::LoadU(d, v + i), b = hn::LoadU(d, v + i + N);
      min0 = hn::Min(min0, a);
      max0 = hn::Max(max0, a);
      min1 = hn::Min(min1, b);
      max1 = hn::Max(max1, b);
    }
    lo = hn::GetLane(hn::MinOfLanes(d, hn::Min(min0, min1)));
    hi = hn::GetLane(hn::MaxOfLanes(d, hn::Max(max0, max1)));
  }
  for (; i < n; ++i) {
    lo = v[i] < lo ? v[i] : lo;
    hi = v[i] > hi ? v[i] : hi;
  }
  *lo_out = lo;
  *hi_out = hi;
}

void KeyRangeI64(const int64_t* HWY_RESTRICT v, size_t n, int64_t* lo, int64_t* hi) { KeyRangeImpl(v, n, lo, hi); }
void KeyRangeI32(const int32_t* HWY_RESTRICT v, size_t n, int64_t* lo, int64_t* hi) { KeyRangeImpl(v, n, lo, hi); }

// out[i] = uint32(v[i] - min). The caller has checked the range, so the
// difference fits; it is taken modulo 2^64 (2^32 for int32), which is exact
// for in-range keys and never overflows.
void DenseIdsI64(const int64_t* HWY_RESTRICT v, size_t n, int64_t min, uint32_t* HWY_RESTRICT out) {
  const hn::ScalableTag<uint64_t> d64;
  const hn::Rebind<uint32_t, decltype(d64)> d32;
  const size_t N = hn::Lanes(d64);
  const uint64_t umin = static_cast<uint64_t>(min);
  const auto vmin = hn::Set(d64, umin);
  const uint64_t* u = reinterpret_cast<const uint64_t*>(v);
  size_t i = 0;
  for (; i + N <= n; i += N) hn::StoreU(hn::TruncateTo(d32, hn::Sub(hn::LoadU(d64, u + i), vmin)), d32, out + i);
  for (; i < n; ++i) out[i] = static_cast<uint32_t>(u[i] - umin);
}

void DenseIdsI32(const int32_t* HWY_RESTRICT v, size_t n, int64_t min, uint32_t* HWY_RESTRICT out) {
  const hn::ScalableTag<uint32_t> d32;
  const size_t N = hn::Lanes(d32);
  const uint32_t umin = static_cast<uint32_t>(min);
  const auto vmin = hn::Set(d32, umin);
  const uint32_t* u = reinterpret_cast<const uint32_t*>(v);
  size_t i = 0;
  for (; i + N <= n; i += N) hn::StoreU(hn::Sub(hn::LoadU(d32, u + i), vmin), d32, out + i);
  for (; i < n; ++i) out[i] = u[i] - umin;
}

}  // namespace edgepipe::compute::internal::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // EDGEPIPE_COMPUTE_GROUP_IDS_INL_H_ toggle
