// Highway bodies of the elementwise arithmetic kernels, compiled once per
// SIMD target by elementwise.cc (foreach_target.h). No include guard on
// purpose: the toggle below lets foreach_target re-include this file.

#if defined(EDGEPIPE_COMPUTE_ELEMENTWISE_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef EDGEPIPE_COMPUTE_ELEMENTWISE_INL_H_
#undef EDGEPIPE_COMPUTE_ELEMENTWISE_INL_H_
#else
#define EDGEPIPE_COMPUTE_ELEMENTWISE_INL_H_
#endif

#include <cstddef>
#include <cstdint>
#include <cstring>

#include <hwy/cache_control.h>
#include <hwy/highway.h>

HWY_BEFORE_NAMESPACE();
namespace edgepipe::compute::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Op codes are ArithOp's values: add, subtract, multiply, divide.
template <int kOp, class V>
HWY_INLINE V ApplyArith(V a, V b) {
  if constexpr (kOp == 0) {
    return hn::Add(a, b);
  } else if constexpr (kOp == 1) {
    return hn::Sub(a, b);
  } else if constexpr (kOp == 2) {
    return hn::Mul(a, b);
  } else {
    return hn::Div(a, b);
  }
}

// out[i] = a[i] op (kScalarB ? scalar : b[i]) for i < count < Lanes: the
// same vector op on a padded copy, so tails give the same bits as the body
// (a scalar tail could differ from the SIMD op, e.g. in FMA contraction).
template <int kOp, bool kScalarB, typename T>
HWY_INLINE void ArithPartial(const T* a, const T* b, T scalar, T* out, size_t count) {
  const hn::ScalableTag<T> d;
  HWY_ALIGN T buf_a[HWY_MAX_BYTES / sizeof(T)] = {};
  HWY_ALIGN T buf_b[HWY_MAX_BYTES / sizeof(T)] = {};
  std::memcpy(buf_a, a, count * sizeof(T));
  if constexpr (!kScalarB) std::memcpy(buf_b, b, count * sizeof(T));
  const auto vb = kScalarB ? hn::Set(d, scalar) : hn::Load(d, buf_b);
  hn::Store(ApplyArith<kOp>(hn::Load(d, buf_a), vb), d, buf_a);
  std::memcpy(out, buf_a, count * sizeof(T));
}

// The loop of every binary kernel. kStream: non-temporal stores for outputs
// far larger than the caches; they skip the read-for-ownership of each
// output line, which otherwise makes a 2-read-1-write stream move 4 bytes
// per 3 useful ones.
template <int kOp, bool kStream, bool kScalarB, typename T>
HWY_INLINE void ArithLoop(const T* a, const T* b, T scalar, T* out, size_t n) {
  const hn::ScalableTag<T> d;
  const size_t N = hn::Lanes(d);
  size_t i = 0;
  if constexpr (kStream) {
    // Peel to a vector-aligned output (Stream needs it).
    const size_t vec_bytes = N * sizeof(T);
    const size_t mis = reinterpret_cast<uintptr_t>(out) % vec_bytes;
    if (mis != 0 && mis % sizeof(T) == 0) {
      const size_t head = HWY_MIN((vec_bytes - mis) / sizeof(T), n);
      ArithPartial<kOp, kScalarB>(a, b, scalar, out, head);
      i = head;
    } else if (mis != 0) {
      return ArithLoop<kOp, false, kScalarB>(a, b, scalar, out, n);
    }
  }
  const auto vs = hn::Set(d, scalar);
  auto load_b = [&](size_t idx) { return kScalarB ? vs : hn::LoadU(d, b + idx); };
  auto store = [&](decltype(vs) v, size_t idx) {
    if constexpr (kStream) {
      hn::Stream(v, d, out + idx);
    } else {
      hn::StoreU(v, d, out + idx);
    }
  };
  // 4 vectors per iteration: enough loads in flight to cover memory
  // latency from one core without a long unrolled tail.
  for (; i + 4 * N <= n; i += 4 * N) {
    const auto r0 = ApplyArith<kOp>(hn::LoadU(d, a + i), load_b(i));
    const auto r1 = ApplyArith<kOp>(hn::LoadU(d, a + i + N), load_b(i + N));
    const auto r2 = ApplyArith<kOp>(hn::LoadU(d, a + i + 2 * N), load_b(i + 2 * N));
    const auto r3 = ApplyArith<kOp>(hn::LoadU(d, a + i + 3 * N), load_b(i + 3 * N));
    store(r0, i);
    store(r1, i + N);
    store(r2, i + 2 * N);
    store(r3, i + 3 * N);
  }
  for (; i + N <= n; i += N) store(ApplyArith<kOp>(hn::LoadU(d, a + i), load_b(i)), i);
  if (i < n) ArithPartial<kOp, kScalarB>(a + i, kScalarB ? b : b + i, scalar, out + i, n - i);
  if constexpr (kStream) hwy::FlushStream();
}

template <bool kScalarB, typename T>
HWY_INLINE void ArithDispatchOp(int op, const T* a, const T* b, T scalar, T* out, size_t n, bool stream) {
  // Integer types have no SIMD division (the caller handles it).
  constexpr bool kHasDiv = hwy::IsFloat<T>();
  // Highway 1.0 has no 64-bit integer Mul on every target (the caller
  // handles int64 multiply).
  constexpr bool kHasMul = hwy::IsFloat<T>() || sizeof(T) == 4;
  switch (op) {
    case 0:
      return stream ? ArithLoop<0, true, kScalarB>(a, b, scalar, out, n) : ArithLoop<0, false, kScalarB>(a, b, scalar, out, n);
    case 1:
      return stream ? ArithLoop<1, true, kScalarB>(a, b, scalar, out, n) : ArithLoop<1, false, kScalarB>(a, b, scalar, out, n);
    case 2:
      if constexpr (kHasMul) {
        return stream ? ArithLoop<2, true, kScalarB>(a, b, scalar, out, n)
                      : ArithLoop<2, false, kScalarB>(a, b, scalar, out, n);
      }
      break;
    case 3:
      if constexpr (kHasDiv) {
        return stream ? ArithLoop<3, true, kScalarB>(a, b, scalar, out, n)
                      : ArithLoop<3, false, kScalarB>(a, b, scalar, out, n);
      }
      break;
    default:
      break;
  }
}

// Exported per target (HWY_EXPORT in elementwise.cc). scalar_b: use
// `scalar` instead of b[].
#define EDGEPIPE_ARITH_KERNEL(NAME, T)                                                              \
  void NAME(int op, const T* a, const T* b, T scalar, bool scalar_b, T* out, size_t n, bool stream) { \
    if (scalar_b) {                                                                                 \
      ArithDispatchOp<true>(op, a, b, scalar, out, n, stream);                                      \
    } else {                                                                                        \
      ArithDispatchOp<false>(op, a, b, scalar, out, n, stream);                                     \
    }                                                                                               \
  }
EDGEPIPE_ARITH_KERNEL(ArithF64, double)
EDGEPIPE_ARITH_KERNEL(ArithF32, float)
EDGEPIPE_ARITH_KERNEL(ArithI32, int32_t)
EDGEPIPE_ARITH_KERNEL(ArithI64, int64_t)
#undef EDGEPIPE_ARITH_KERNEL

template <typename T>
HWY_INLINE void MulAddPartial(const T* a, const T* b, const T* c, T* out, size_t count) {
  const hn::ScalableTag<T> d;
  HWY_ALIGN T buf_a[HWY_MAX_BYTES / sizeof(T)] = {};
  HWY_ALIGN T buf_b[HWY_MAX_BYTES / sizeof(T)] = {};
  HWY_ALIGN T buf_c[HWY_MAX_BYTES / sizeof(T)] = {};
  std::memcpy(buf_a, a, count * sizeof(T));
  std::memcpy(buf_b, b, count * sizeof(T));
  std::memcpy(buf_c, c, count * sizeof(T));
  hn::Store(hn::MulAdd(hn::Load(d, buf_a), hn::Load(d, buf_b), hn::Load(d, buf_c)), d, buf_a);
  std::memcpy(out, buf_a, count * sizeof(T));
}

template <typename T>
HWY_INLINE void MulAddLoop(const T* a, const T* b, const T* c, T* out, size_t n) {
  const hn::ScalableTag<T> d;
  const size_t N = hn::Lanes(d);
  size_t i = 0;
  for (; i + 2 * N <= n; i += 2 * N) {
    const auto r0 = hn::MulAdd(hn::LoadU(d, a + i), hn::LoadU(d, b + i), hn::LoadU(d, c + i));
    const auto r1 = hn::MulAdd(hn::LoadU(d, a + i + N), hn::LoadU(d, b + i + N), hn::LoadU(d, c + i + N));
    hn::StoreU(r0, d, out + i);
    hn::StoreU(r1, d, out + i + N);
  }
  for (; i + N <= n; i += N) {
    hn::StoreU(hn::MulAdd(hn::LoadU(d, a + i), hn::LoadU(d, b + i), hn::LoadU(d, c + i)), d, out + i);
  }
  if (i < n) MulAddPartial(a + i, b + i, c + i, out + i, n - i);
}

void MulAddF64(const double* a, const double* b, const double* c, double* out, size_t n) { MulAddLoop(a, b, c, out, n); }
void MulAddF32(const float* a, const float* b, const float* c, float* out, size_t n) { MulAddLoop(a, b, c, out, n); }

// For reports and tests: which target this is.
const char* TargetName() { return hwy::TargetName(HWY_TARGET); }

}  // namespace edgepipe::compute::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // EDGEPIPE_COMPUTE_ELEMENTWISE_INL_H_ toggle
