#include "nn/qgemm.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "nn/qgemm.cc"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

HWY_BEFORE_NAMESPACE();
namespace edgepipe::nn::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

#undef EDGEPIPE_QGEMM_SCALAR
#if HWY_TARGET == HWY_SCALAR || HWY_TARGET == HWY_EMU128
#define EDGEPIPE_QGEMM_SCALAR 1
#else
#define EDGEPIPE_QGEMM_SCALAR 0
#endif

void MinMaxImpl(const float* HWY_RESTRICT x, int64_t count, float* out_min, float* out_max) {
  float lo = std::numeric_limits<float>::infinity(), hi = -std::numeric_limits<float>::infinity();
  int64_t i = 0;
#if !EDGEPIPE_QGEMM_SCALAR
  const hn::ScalableTag<float> d;
  const int64_t lanes = static_cast<int64_t>(hn::Lanes(d));
  if (count >= lanes) {
    auto vlo = hn::Set(d, lo), vhi = hn::Set(d, hi);
    for (; i + lanes <= count; i += lanes) {
      const auto v = hn::LoadU(d, x + i);
      vlo = hn::Min(vlo, v);
      vhi = hn::Max(vhi, v);
    }
    lo = hn::GetLane(hn::MinOfLanes(d, vlo));
    hi = hn::GetLane(hn::MaxOfLanes(d, vhi));
  }
#endif
  for (; i < count; ++i) {
    lo = std::min(lo, x[i]);
    hi = std::max(hi, x[i]);
  }
  *out_min = lo;
  *out_max = hi;
}

void QuantizeRowsImpl(const float* HWY_RESTRICT x, int64_t m, int64_t k, float scale, int32_t zp,
                      int16_t* HWY_RESTRICT dst) {
  const int64_t kp = QPaddedK(k);
  for (int64_t row = 0; row < m; ++row) {
    const float* xr = x + row * k;
    int16_t* dr = dst + row * kp;
    int64_t i = 0;
    if (scale > 0) {
#if !EDGEPIPE_QGEMM_SCALAR
      const hn::ScalableTag<float> df;
      const hn::RebindToSigned<decltype(df)> di;
      const hn::Rebind<int16_t, decltype(di)> d16;
      const int64_t lanes = static_cast<int64_t>(hn::Lanes(df));
      const auto vscale = hn::Set(df, scale);
      const auto vzp = hn::Set(di, zp);
      const auto vlo = hn::Zero(di), vhi = hn::Set(di, 255);
      for (; i + lanes <= k; i += lanes) {
        // Division (not a reciprocal multiply) and round-half-even, as ONNX.
        auto q = hn::Add(hn::NearestInt(hn::Div(hn::LoadU(df, xr + i), vscale)), vzp);
        q = hn::Sub(hn::Min(hn::Max(q, vlo), vhi), vzp);
        hn::StoreU(hn::DemoteTo(d16, q), d16, dr + i);
      }
#endif
      for (; i < k; ++i) dr[i] = static_cast<int16_t>(QuantizeU8(xr[i], {scale, static_cast<uint8_t>(zp)}) - zp);
    } else {
      for (; i < k; ++i) dr[i] = 0;  // all-zero input: every q equals the zero point
    }
    for (; i < kp; ++i) dr[i] = 0;
  }
}

#if !EDGEPIPE_QGEMM_SCALAR
// kLanes s32 accumulators per vector; a column block of kQBlock needs
// kVecs of them per row. Up to 4 rows share each weight load: on AVX2 that
// is 4 x 2 accumulators + 2 weight vectors + 1 broadcast of 16 registers,
// and 8 vpmaddwd per 2 sign-extending loads (vpmovsxbw, port 5) so the
// multiply ports (0, 1) stay busy.
constexpr size_t kLanes = HWY_LANES(int32_t);
static_assert(kLanes >= 4 && kLanes <= static_cast<size_t>(kQBlock), "block must hold whole vectors");
constexpr size_t kVecs = static_cast<size_t>(kQBlock) / kLanes;

template <int R>
void QGemmRows(const int16_t* HWY_RESTRICT a, int64_t kp, const int8_t* HWY_RESTRICT packed_w, int64_t n,
               const float* HWY_RESTRICT scale, const float* HWY_RESTRICT bias, bool relu, float* HWY_RESTRICT y) {
  const hn::ScalableTag<int32_t> d32;
  const hn::Repartition<int16_t, decltype(d32)> d16;
  const hn::Rebind<int8_t, decltype(d16)> d8;
  const hn::Rebind<float, decltype(d32)> df;
  using V32 = decltype(hn::Zero(d32));
  using V16 = decltype(hn::Zero(d16));
  const int64_t pairs = kp / 2;
  const int64_t np = QPaddedN(n);
  for (int64_t col0 = 0; col0 < np; col0 += kQBlock) {
    const int8_t* wp = packed_w + col0 * kp;
    V32 acc[R][kVecs];
    for (int r = 0; r < R; ++r) {
      for (size_t v = 0; v < kVecs; ++v) acc[r][v] = hn::Zero(d32);
    }
    V32 unused = hn::Zero(d32);
    for (int64_t p = 0; p < pairs; ++p, wp += 2 * kQBlock) {
      V16 w16[kVecs];
      for (size_t v = 0; v < kVecs; ++v) w16[v] = hn::PromoteTo(d16, hn::LoadU(d8, wp + v * 2 * kLanes));
      for (int r = 0; r < R; ++r) {
        int32_t pair;
        std::memcpy(&pair, a + r * kp + 2 * p, sizeof(pair));
        const V16 av = hn::BitCast(d16, hn::Set(d32, pair));
        for (size_t v = 0; v < kVecs; ++v) acc[r][v] = hn::ReorderWidenMulAccumulate(d32, av, w16[v], acc[r][v], unused);
      }
    }
    for (int r = 0; r < R; ++r) {
      for (size_t v = 0; v < kVecs; ++v) {
        const int64_t col = col0 + static_cast<int64_t>(v * kLanes);
        if (col >= n) break;
        auto f = hn::Mul(hn::ConvertTo(df, acc[r][v]), hn::LoadU(df, scale + col));
        if (bias != nullptr) f = hn::Add(f, hn::LoadU(df, bias + col));
        if (relu) f = hn::Max(f, hn::Zero(df));
        float* yr = y + r * n + col;
        if (col + static_cast<int64_t>(kLanes) <= n) {
          hn::StoreU(f, df, yr);
        } else {
          HWY_ALIGN float tmp[kLanes];
          hn::Store(f, df, tmp);
          std::memcpy(yr, tmp, static_cast<size_t>(n - col) * sizeof(float));
        }
      }
    }
  }
}
#endif

void QGemmImpl(const int16_t* HWY_RESTRICT a, int64_t m, int64_t k, const int8_t* HWY_RESTRICT packed_w, int64_t n,
               const float* HWY_RESTRICT scale, const float* HWY_RESTRICT bias, bool relu, float* HWY_RESTRICT y) {
  const int64_t kp = QPaddedK(k);
#if EDGEPIPE_QGEMM_SCALAR
  const int64_t pairs = kp / 2;
  for (int64_t row = 0; row < m; ++row) {
    for (int64_t col = 0; col < n; ++col) {
      const int64_t block = col / kQBlock, c = col % kQBlock;
      const int8_t* wp = packed_w + block * kQBlock * kp;
      int32_t acc = 0;
      for (int64_t p = 0; p < pairs; ++p) {
        acc += a[row * kp + 2 * p] * wp[p * 2 * kQBlock + 2 * c] + a[row * kp + 2 * p + 1] * wp[p * 2 * kQBlock + 2 * c + 1];
      }
      float f = static_cast<float>(acc) * scale[col] + (bias ? bias[col] : 0.0f);
      y[row * n + col] = relu ? std::max(f, 0.0f) : f;
    }
  }
#else
  int64_t row = 0;
  for (; row + 4 <= m; row += 4) QGemmRows<4>(a + row * kp, kp, packed_w, n, scale, bias, relu, y + row * n);
  switch (m - row) {
    case 3: QGemmRows<3>(a + row * kp, kp, packed_w, n, scale, bias, relu, y + row * n); break;
    case 2: QGemmRows<2>(a + row * kp, kp, packed_w, n, scale, bias, relu, y + row * n); break;
    case 1: QGemmRows<1>(a + row * kp, kp, packed_w, n, scale, bias, relu, y + row * n); break;
    default: break;
  }
#endif
}

}  // namespace edgepipe::nn::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace edgepipe::nn {
HWY_EXPORT(MinMaxImpl);
HWY_EXPORT(QuantizeRowsImpl);
HWY_EXPORT(QGemmImpl);

void PackQWeights(const int8_t* w, int64_t k, int64_t n, bool trans, int8_t* dst) {
  const int64_t kp = QPaddedK(k), np = QPaddedN(n);
  for (int64_t col0 = 0; col0 < np; col0 += kQBlock) {
    int8_t* block = dst + col0 * kp;
    for (int64_t row = 0; row < kp; ++row) {
      for (int64_t c = 0; c < kQBlock; ++c) {
        const int64_t col = col0 + c;
        const int8_t v = row < k && col < n ? (trans ? w[col * k + row] : w[row * n + col]) : int8_t{0};
        block[(row / 2) * 2 * kQBlock + 2 * c + (row % 2)] = v;
      }
    }
  }
}

uint8_t QuantizeU8(float x, DynamicQuantParams p) {
  if (!(p.scale > 0)) return p.zero_point;
  float v = std::nearbyint(x / p.scale) + static_cast<float>(p.zero_point);
  if (!(v >= 0.0f)) v = 0.0f;  // also NaN
  if (v > 255.0f) v = 255.0f;
  return static_cast<uint8_t>(v);
}

DynamicQuantParams ComputeDynamicQuantParams(const float* x, int64_t count) {
  float lo = 0, hi = 0;
  if (count > 0) HWY_DYNAMIC_DISPATCH(MinMaxImpl)(x, count, &lo, &hi);
  lo = std::min(lo, 0.0f);
  hi = std::max(hi, 0.0f);
  DynamicQuantParams p;
  p.scale = (hi - lo) / 255.0f;
  if (!(p.scale > 0) || !std::isfinite(p.scale)) return {0.0f, 0};
  float zp = std::nearbyint((0.0f - lo) / p.scale);
  zp = std::min(std::max(zp, 0.0f), 255.0f);
  p.zero_point = static_cast<uint8_t>(zp);
  return p;
}

void QuantizeRowsS16(const float* x, int64_t m, int64_t k, DynamicQuantParams p, int16_t* dst) {
  HWY_DYNAMIC_DISPATCH(QuantizeRowsImpl)(x, m, k, p.scale, p.zero_point, dst);
}

void QGemm(const int16_t* a, int64_t m, int64_t k, const int8_t* packed_w, int64_t n, const float* scale,
           const float* bias, bool relu, float* y) {
  HWY_DYNAMIC_DISPATCH(QGemmImpl)(a, m, k, packed_w, n, scale, bias, relu, y);
}

void QGemmReference(const float* x, int64_t m, int64_t k, const int8_t* w, int64_t n, const float* w_scale,
                    const float* bias, bool relu, float* y) {
  const DynamicQuantParams p = ComputeDynamicQuantParams(x, m * k);
  for (int64_t row = 0; row < m; ++row) {
    for (int64_t col = 0; col < n; ++col) {
      int32_t acc = 0;
      for (int64_t i = 0; i < k; ++i) {
        acc += (static_cast<int32_t>(QuantizeU8(x[row * k + i], p)) - p.zero_point) * w[i * n + col];
      }
      float f = static_cast<float>(acc) * (p.scale * w_scale[col]);
      if (bias != nullptr) f += bias[col];
      y[row * n + col] = relu ? std::max(f, 0.0f) : f;
    }
  }
}

}  // namespace edgepipe::nn
#endif
