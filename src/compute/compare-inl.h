// Highway bodies of the comparison kernels, compiled once per SIMD target
// by compare.cc. No include guard: foreach_target re-includes this file.

#if defined(EDGEPIPE_COMPUTE_COMPARE_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef EDGEPIPE_COMPUTE_COMPARE_INL_H_
#undef EDGEPIPE_COMPUTE_COMPARE_INL_H_
#else
#define EDGEPIPE_COMPUTE_COMPARE_INL_H_
#endif

#include <cstddef>
#include <cstdint>
#include <cstring>

#include <hwy/highway.h>

HWY_BEFORE_NAMESPACE();
namespace edgepipe::compute::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Op codes are CompareOp's values: ==, !=, <, <=, >, >=.
template <int kOp, class V>
HWY_INLINE auto ApplyCompare(V a, V b) {
  if constexpr (kOp == 0) {
    return hn::Eq(a, b);
  } else if constexpr (kOp == 1) {
    // Highway 1.0's float Ne is an ordered compare (false with a NaN);
    // IEEE != is true with a NaN.
    return hn::Not(hn::Eq(a, b));
  } else if constexpr (kOp == 2) {
    return hn::Lt(a, b);
  } else if constexpr (kOp == 3) {
    // Highway 1.0 has no integer Le/Ge; for integers (no NaN) they are
    // the negations of Gt/Lt. Floats keep Le/Ge: NaN makes both false.
    if constexpr (hwy::IsFloat<hn::TFromV<V>>()) {
      return hn::Le(a, b);
    } else {
      return hn::Not(hn::Gt(a, b));
    }
  } else if constexpr (kOp == 4) {
    return hn::Gt(a, b);
  } else {
    if constexpr (hwy::IsFloat<hn::TFromV<V>>()) {
      return hn::Ge(a, b);
    } else {
      return hn::Not(hn::Lt(a, b));
    }
  }
}

// 64 results as one bitmap word, from 64/N vectors. N is a power of two
// <= 64 for 32- and 64-bit lanes on every target (SVE up to 2048 bits).
template <int kOp, bool kScalarB, typename T>
HWY_INLINE uint64_t CompareWord(const T* a, const T* b, T scalar) {
  const hn::ScalableTag<T> d;
  const size_t N = hn::Lanes(d);
  const auto vs = hn::Set(d, scalar);
  uint64_t word = 0;
  for (size_t j = 0; j < 64; j += N) {
    const auto vb = kScalarB ? vs : hn::LoadU(d, b + j);
    uint8_t bytes[8] = {};
    hn::StoreMaskBits(d, ApplyCompare<kOp>(hn::LoadU(d, a + j), vb), bytes);
    uint64_t bits;
    std::memcpy(&bits, bytes, 8);
    if (N < 64) bits &= (uint64_t{1} << N) - 1;
    word |= bits << j;
  }
  return word;
}

template <int kOp, bool kScalarB, typename T>
HWY_INLINE void CompareLoop(const T* a, const T* b, T scalar, uint8_t* out, size_t n) {
  size_t i = 0;
  for (; i + 64 <= n; i += 64) {
    const uint64_t word = CompareWord<kOp, kScalarB>(a + i, kScalarB ? b : b + i, scalar);
    std::memcpy(out + i / 8, &word, 8);
  }
  if (i < n) {
    // Tail through a padded copy: the same vector code, then only the
    // bytes that belong to this output.
    const size_t rest = n - i;
    T buf_a[64] = {};
    T buf_b[64] = {};
    std::memcpy(buf_a, a + i, rest * sizeof(T));
    if constexpr (!kScalarB) std::memcpy(buf_b, b + i, rest * sizeof(T));
    uint64_t word = CompareWord<kOp, kScalarB>(buf_a, buf_b, scalar);
    word &= (rest == 64) ? ~uint64_t{0} : ((uint64_t{1} << rest) - 1);
    std::memcpy(out + i / 8, &word, (rest + 7) / 8);
  }
}

template <bool kScalarB, typename T>
HWY_INLINE void CompareDispatchOp(int op, const T* a, const T* b, T scalar, uint8_t* out, size_t n) {
  switch (op) {
    case 0: return CompareLoop<0, kScalarB>(a, b, scalar, out, n);
    case 1: return CompareLoop<1, kScalarB>(a, b, scalar, out, n);
    case 2: return CompareLoop<2, kScalarB>(a, b, scalar, out, n);
    case 3: return CompareLoop<3, kScalarB>(a, b, scalar, out, n);
    case 4: return CompareLoop<4, kScalarB>(a, b, scalar, out, n);
    default: return CompareLoop<5, kScalarB>(a, b, scalar, out, n);
  }
}

// Exported per target (compare.cc). `out` gets ceil(n/8) bytes.
#define EDGEPIPE_COMPARE_KERNEL(NAME, T)                                                    \
  void NAME(int op, const T* a, const T* b, T scalar, bool scalar_b, uint8_t* out, size_t n) { \
    if (scalar_b) {                                                                         \
      CompareDispatchOp<true>(op, a, b, scalar, out, n);                                    \
    } else {                                                                                \
      CompareDispatchOp<false>(op, a, b, scalar, out, n);                                   \
    }                                                                                       \
  }
EDGEPIPE_COMPARE_KERNEL(CompareF64, double)
EDGEPIPE_COMPARE_KERNEL(CompareF32, float)
EDGEPIPE_COMPARE_KERNEL(CompareI32, int32_t)
EDGEPIPE_COMPARE_KERNEL(CompareI64, int64_t)
#undef EDGEPIPE_COMPARE_KERNEL

}  // namespace edgepipe::compute::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // EDGEPIPE_COMPUTE_COMPARE_INL_H_ toggle
