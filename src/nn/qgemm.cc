#include "nn/qgemm.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "edgepipe/core/parallel.h"

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
// kVecs of them per row. Up to kTileRows rows share each weight load: on
// AVX2 that is 4 x 2 accumulators + 2 weight vectors + 1 broadcast of 16
// registers, and 8 vpmaddwd per 2 sign-extending loads (vpmovsxbw) so the
// multiply ports stay busy.
constexpr size_t kLanes = HWY_LANES(int32_t);
static_assert(kLanes >= 4 && kLanes <= static_cast<size_t>(kQBlock), "block must hold whole vectors");
constexpr size_t kVecs = static_cast<size_t>(kQBlock) / kLanes;
constexpr int kTileRows = 4;

// R rows x one column block (columns col0 .. col0 + kQBlock, packed at wp).
template <int R>
HWY_INLINE void QGemmTile(const int16_t* HWY_RESTRICT a, int64_t kp, const int8_t* HWY_RESTRICT wp, int64_t n,
                          int64_t col0, const float* HWY_RESTRICT scale, const float* HWY_RESTRICT bias, bool relu,
                          float* HWY_RESTRICT y) {
  const hn::ScalableTag<int32_t> d32;
  const hn::Repartition<int16_t, decltype(d32)> d16;
  const hn::Rebind<int8_t, decltype(d16)> d8;
  const hn::Rebind<float, decltype(d32)> df;
  using V32 = decltype(hn::Zero(d32));
  using V16 = decltype(hn::Zero(d16));
  const int64_t pairs = kp / 2;
  // The loops over r and v must be unrolled, or GCC 12 keeps acc[][] on
  // the stack (a load + store per multiply-add: 2.5x slower).
  V32 acc[R][kVecs];
  HWY_UNROLL(8)
  for (int r = 0; r < R; ++r) {
    HWY_UNROLL(4)
    for (size_t v = 0; v < kVecs; ++v) acc[r][v] = hn::Zero(d32);
  }
  V32 unused = hn::Zero(d32);
  // Two K pairs per iteration give the scheduler independent loads
  // (measured: +12% at 32x1024x1024).
  HWY_UNROLL(2)
  for (int64_t p = 0; p < pairs; ++p, wp += 2 * kQBlock) {
    V16 w16[kVecs];
    HWY_UNROLL(4)
    for (size_t v = 0; v < kVecs; ++v) w16[v] = hn::PromoteTo(d16, hn::LoadU(d8, wp + v * 2 * kLanes));
    HWY_UNROLL(8)
    for (int r = 0; r < R; ++r) {
      int32_t pair;
      std::memcpy(&pair, a + r * kp + 2 * p, sizeof(pair));
      const V16 av = hn::BitCast(d16, hn::Set(d32, pair));
      HWY_UNROLL(4)
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
#endif

const char* TargetNameImpl() { return hwy::TargetName(HWY_TARGET); }

void QGemmImpl(const int16_t* HWY_RESTRICT a, int64_t m, int64_t k, const int8_t* HWY_RESTRICT packed_w, int64_t n,
               const float* HWY_RESTRICT scale, const float* HWY_RESTRICT bias, bool relu, int64_t block_begin,
               int64_t block_end, float* HWY_RESTRICT y) {
  const int64_t kp = QPaddedK(k);
#if EDGEPIPE_QGEMM_SCALAR
  const int64_t pairs = kp / 2;
  for (int64_t row = 0; row < m; ++row) {
    for (int64_t col = block_begin * kQBlock; col < std::min(n, block_end * kQBlock); ++col) {
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
  // Column blocks outside, rows inside: a block's weights (kp x 16 bytes,
  // 16 KiB at K = 1024) stay in L1 while every row passes over them, so the
  // weights leave memory once per call instead of once per kTileRows rows
  // (at batch 32 that was 8 passes over 1 MiB per layer: 2.5x slower).
  for (int64_t block = block_begin; block < block_end; ++block) {
    const int64_t col0 = block * kQBlock;
    const int8_t* wp = packed_w + col0 * kp;
    int64_t row = 0;
    for (; row + kTileRows <= m; row += kTileRows) {
      QGemmTile<kTileRows>(a + row * kp, kp, wp, n, col0, scale, bias, relu, y + row * n);
    }
    switch (m - row) {
      case 5: QGemmTile<5>(a + row * kp, kp, wp, n, col0, scale, bias, relu, y + row * n); break;
      case 4: QGemmTile<4>(a + row * kp, kp, wp, n, col0, scale, bias, relu, y + row * n); break;
      case 3: QGemmTile<3>(a + row * kp, kp, wp, n, col0, scale, bias, relu, y + row * n); break;
      case 2: QGemmTile<2>(a + row * kp, kp, wp, n, col0, scale, bias, relu, y + row * n); break;
      case 1: QGemmTile<1>(a + row * kp, kp, wp, n, col0, scale, bias, relu, y + row * n); break;
      default: break;
    }
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
HWY_EXPORT(TargetNameImpl);

const char* QGemmTargetName() { return HWY_DYNAMIC_DISPATCH(TargetNameImpl)(); }

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
           const float* bias, bool relu, float* y, int threads) {
  const int64_t blocks = QPaddedN(n) / kQBlock;
  const int64_t macs = m * QPaddedK(k) * QPaddedN(n);
  const int64_t tasks = threads > 1 && macs >= kQGemmParallelMinMacs ? std::min<int64_t>(threads, blocks) : 1;
  auto* impl = HWY_DYNAMIC_DISPATCH(QGemmImpl);
  if (tasks == 1) {
    impl(a, m, k, packed_w, n, scale, bias, relu, 0, blocks, y);
    return;
  }
  // Whole column blocks per task: tasks write disjoint columns of y.
  ParallelFor(tasks, [&](int64_t task) {
    impl(a, m, k, packed_w, n, scale, bias, relu, blocks * task / tasks, blocks * (task + 1) / tasks, y);
  });
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
