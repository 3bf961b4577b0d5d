// The SIMD half of qgemm.h, compiled once per Highway target: min/max and
// row quantization of the activations, and the two GEMM schemes.

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "edgepipe/core/parallel.h"
#include "nn/qgemm.h"

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
// vpmaddubsw has no Highway 1.0 op: the kU8Quads tile is AVX2 intrinsics,
// which every x86 target from AVX2 up (AVX3 included) runs as they are.
#undef EDGEPIPE_QGEMM_U8_AVX2
#if HWY_ARCH_X86 && (HWY_TARGET == HWY_AVX2 || HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL)
#define EDGEPIPE_QGEMM_U8_AVX2 1
#include <immintrin.h>
#else
#define EDGEPIPE_QGEMM_U8_AVX2 0
#endif

bool HasU8QuadsImpl() { return EDGEPIPE_QGEMM_U8_AVX2 != 0; }

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

// One row: q = saturate_u8(round(x / scale) + zp), stored as T: u8 q for
// kU8Quads, s16 q - zp for kS16Pairs.
template <typename T>
void QuantizeRow(const float* HWY_RESTRICT xr, int64_t k, int64_t kp, float scale, int32_t zp, T* HWY_RESTRICT dr) {
  constexpr bool kU8 = sizeof(T) == 1;
  const int32_t offset = kU8 ? 0 : zp;
  int64_t i = 0;
  if (scale > 0) {
#if !EDGEPIPE_QGEMM_SCALAR
    const hn::ScalableTag<float> df;
    const hn::RebindToSigned<decltype(df)> di;
    const hn::Rebind<T, decltype(di)> dt;
    const int64_t lanes = static_cast<int64_t>(hn::Lanes(df));
    const auto vscale = hn::Set(df, scale);
    const auto vzp = hn::Set(di, zp), voffset = hn::Set(di, offset);
    const auto vlo = hn::Zero(di), vhi = hn::Set(di, 255);
    for (; i + lanes <= k; i += lanes) {
      // Division (not a reciprocal multiply) and round-half-even, as ONNX.
      auto q = hn::Add(hn::NearestInt(hn::Div(hn::LoadU(df, xr + i), vscale)), vzp);
      q = hn::Sub(hn::Min(hn::Max(q, vlo), vhi), voffset);
      hn::StoreU(hn::DemoteTo(dt, q), dt, dr + i);
    }
#endif
    for (; i < k; ++i) dr[i] = static_cast<T>(QuantizeU8(xr[i], {scale, static_cast<uint8_t>(zp)}) - offset);
  } else {
    for (; i < k; ++i) dr[i] = static_cast<T>(zp - offset);  // all-zero input: every q is the zero point
  }
  for (; i < kp; ++i) dr[i] = 0;
}

void QuantizeRowsImpl(const float* HWY_RESTRICT x, int64_t m, int64_t k, int64_t kp, float scale, int32_t zp,
                      bool u8, void* HWY_RESTRICT dst) {
  for (int64_t row = 0; row < m; ++row) {
    if (u8) {
      QuantizeRow(x + row * k, k, kp, scale, zp, static_cast<uint8_t*>(dst) + row * kp);
    } else {
      QuantizeRow(x + row * k, k, kp, scale, zp, static_cast<int16_t*>(dst) + row * kp);
    }
  }
}

// What every tile needs besides its rows: the packed block and the epilogue.
struct TileArgs {
  int64_t kp, n, col0;
  const int8_t* HWY_RESTRICT wp;        // this block's packed weights
  const int32_t* HWY_RESTRICT colsum;   // kU8Quads: the whole row of column sums
  int32_t zp;
  const float* HWY_RESTRICT scale;
  const float* HWY_RESTRICT bias;
  bool relu;
};

inline float Epilogue(int32_t acc, int64_t col, const TileArgs& t) {
  const float f = static_cast<float>(acc) * t.scale[col] + (t.bias != nullptr ? t.bias[col] : 0.0f);
  return t.relu ? std::max(f, 0.0f) : f;
}

// Up to kTileRows rows share each weight load.
constexpr int kTileRows = 4;

#if !EDGEPIPE_QGEMM_SCALAR
// kS16Pairs. kLanes s32 accumulators per vector; a column block of kQBlock
// needs kVecs of them per row. On AVX2 a 4-row tile is 4 x 2 accumulators +
// 2 weight vectors + 1 broadcast of 16 registers, and 8 vpmaddwd per 2
// sign-extending loads (vpmovsxbw) so the multiply ports stay busy.
constexpr size_t kLanes = HWY_LANES(int32_t);
static_assert(kLanes >= 4 && kLanes <= static_cast<size_t>(kQBlock), "block must hold whole vectors");
constexpr size_t kVecs = static_cast<size_t>(kQBlock) / kLanes;

template <int R>
HWY_INLINE void S16Tile(const int16_t* HWY_RESTRICT a, const TileArgs& t, float* HWY_RESTRICT y) {
  const hn::ScalableTag<int32_t> d32;
  const hn::Repartition<int16_t, decltype(d32)> d16;
  const hn::Rebind<int8_t, decltype(d16)> d8;
  const hn::Rebind<float, decltype(d32)> df;
  using V32 = decltype(hn::Zero(d32));
  using V16 = decltype(hn::Zero(d16));
  const int64_t pairs = t.kp / 2;
  const int8_t* HWY_RESTRICT wp = t.wp;
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
      std::memcpy(&pair, a + r * t.kp + 2 * p, sizeof(pair));
      const V16 av = hn::BitCast(d16, hn::Set(d32, pair));
      HWY_UNROLL(4)
      for (size_t v = 0; v < kVecs; ++v) acc[r][v] = hn::ReorderWidenMulAccumulate(d32, av, w16[v], acc[r][v], unused);
    }
  }
  for (int r = 0; r < R; ++r) {
    for (size_t v = 0; v < kVecs; ++v) {
      const int64_t col = t.col0 + static_cast<int64_t>(v * kLanes);
      if (col >= t.n) break;
      auto f = hn::Mul(hn::ConvertTo(df, acc[r][v]), hn::LoadU(df, t.scale + col));
      if (t.bias != nullptr) f = hn::Add(f, hn::LoadU(df, t.bias + col));
      if (t.relu) f = hn::Max(f, hn::Zero(df));
      float* yr = y + r * t.n + col;
      if (col + static_cast<int64_t>(kLanes) <= t.n) {
        hn::StoreU(f, df, yr);
      } else {
        HWY_ALIGN float tmp[kLanes];
        hn::Store(f, df, tmp);
        std::memcpy(yr, tmp, static_cast<size_t>(t.n - col) * sizeof(float));
      }
    }
  }
}
#endif

#if EDGEPIPE_QGEMM_U8_AVX2
// kU8Quads: a block's K quad is 64 bytes, columns 0-7 then 8-15, 4 bytes
// (4 K rows) each; one broadcast of a row's 4 u8 activations meets both
// halves. A 4-row tile keeps 8 accumulators + 2 weights + ones + broadcast
// + 2 products in the 16 ymm registers.
template <int R>
HWY_INLINE void U8Tile(const uint8_t* HWY_RESTRICT a, const TileArgs& t, float* HWY_RESTRICT y) {
  __m256i acc[R][2];
  HWY_UNROLL(8)
  for (int r = 0; r < R; ++r) acc[r][0] = acc[r][1] = _mm256_setzero_si256();
  const __m256i ones = _mm256_set1_epi16(1);
  const int64_t quads = t.kp / 4;
  const int8_t* HWY_RESTRICT wp = t.wp;
  HWY_UNROLL(2)
  for (int64_t q = 0; q < quads; ++q, wp += 4 * kQBlock) {
    const __m256i w0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wp));
    const __m256i w1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wp + 32));
    HWY_UNROLL(8)
    for (int r = 0; r < R; ++r) {
      int32_t quad;
      std::memcpy(&quad, a + r * t.kp + 4 * q, sizeof(quad));
      const __m256i av = _mm256_set1_epi32(quad);
      acc[r][0] = _mm256_add_epi32(acc[r][0], _mm256_madd_epi16(_mm256_maddubs_epi16(av, w0), ones));
      acc[r][1] = _mm256_add_epi32(acc[r][1], _mm256_madd_epi16(_mm256_maddubs_epi16(av, w1), ones));
    }
  }
  const __m256i vzp = _mm256_set1_epi32(t.zp);
  for (int r = 0; r < R; ++r) {
    for (int v = 0; v < 2; ++v) {
      const int64_t col = t.col0 + 8 * v;
      if (col >= t.n) break;
      const __m256i zsum = _mm256_mullo_epi32(vzp, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(t.colsum + col)));
      __m256 f = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_sub_epi32(acc[r][v], zsum)), _mm256_loadu_ps(t.scale + col));
      if (t.bias != nullptr) f = _mm256_add_ps(f, _mm256_loadu_ps(t.bias + col));
      if (t.relu) f = _mm256_max_ps(f, _mm256_setzero_ps());
      float* yr = y + r * t.n + col;
      if (col + 8 <= t.n) {
        _mm256_storeu_ps(yr, f);
      } else {
        alignas(32) float tmp[8];
        _mm256_store_ps(tmp, f);
        std::memcpy(yr, tmp, static_cast<size_t>(t.n - col) * sizeof(float));
      }
    }
  }
}
#endif

// One element, straight from the packed layout: the scalar targets, and
// kU8Quads on targets without vpmaddubsw (reachable only when a test
// switches targets after packing).
void ScalarBlock(const void* a, int64_t m, QScheme scheme, const TileArgs& t, float* y) {
  const int64_t group = scheme == QScheme::kU8Quads ? 4 : 2;
  for (int64_t row = 0; row < m; ++row) {
    for (int64_t c = 0; c < kQBlock && t.col0 + c < t.n; ++c) {
      int32_t acc = 0;
      for (int64_t i = 0; i < t.kp; ++i) {
        const int32_t w = t.wp[(i / group) * group * kQBlock + c * group + i % group];
        acc += scheme == QScheme::kU8Quads ? static_cast<const uint8_t*>(a)[row * t.kp + i] * w
                                           : static_cast<const int16_t*>(a)[row * t.kp + i] * w;
      }
      if (scheme == QScheme::kU8Quads) acc -= t.zp * t.colsum[t.col0 + c];
      y[row * t.n + t.col0 + c] = Epilogue(acc, t.col0 + c, t);
    }
  }
}

// Rows in tiles of kTileRows, then one tile of the 1-3 left over.
// Tiles::Run<R>(rows, args, y) is the scheme's tile.
template <class Tiles, typename T>
HWY_INLINE void RowTiles(const T* HWY_RESTRICT a, int64_t m, const TileArgs& t, float* HWY_RESTRICT y) {
  int64_t row = 0;
  for (; row + kTileRows <= m; row += kTileRows) Tiles::template Run<kTileRows>(a + row * t.kp, t, y + row * t.n);
  switch (m - row) {
    case 3: Tiles::template Run<3>(a + row * t.kp, t, y + row * t.n); break;
    case 2: Tiles::template Run<2>(a + row * t.kp, t, y + row * t.n); break;
    case 1: Tiles::template Run<1>(a + row * t.kp, t, y + row * t.n); break;
    default: break;
  }
}

#if !EDGEPIPE_QGEMM_SCALAR
struct S16Tiles {
  template <int R>
  static HWY_INLINE void Run(const int16_t* HWY_RESTRICT a, const TileArgs& t, float* HWY_RESTRICT y) {
    S16Tile<R>(a, t, y);
  }
};
#endif
#if EDGEPIPE_QGEMM_U8_AVX2
struct U8Tiles {
  template <int R>
  static HWY_INLINE void Run(const uint8_t* HWY_RESTRICT a, const TileArgs& t, float* HWY_RESTRICT y) {
    U8Tile<R>(a, t, y);
  }
};
#endif

const char* TargetNameImpl() { return hwy::TargetName(HWY_TARGET); }

void QGemmImpl(const void* HWY_RESTRICT a, int64_t m, QScheme scheme, const int8_t* HWY_RESTRICT packed,
               const int32_t* HWY_RESTRICT colsum, int64_t kp, int64_t n, int32_t zp, const float* HWY_RESTRICT scale,
               const float* HWY_RESTRICT bias, bool relu, int64_t block_begin, int64_t block_end,
               float* HWY_RESTRICT y) {
  // Column blocks outside, rows inside: a block's weights (kp x 16 bytes,
  // 16 KiB at K = 1024) stay in L1 while every row passes over them, so the
  // weights leave memory once per call instead of once per kTileRows rows
  // (at batch 32 that was 8 passes over 1 MiB per layer: 2.5x slower).
  for (int64_t block = block_begin; block < block_end; ++block) {
    const TileArgs t{kp, n, block * kQBlock, packed + block * kQBlock * kp, colsum, zp, scale, bias, relu};
#if EDGEPIPE_QGEMM_U8_AVX2
    if (scheme == QScheme::kU8Quads) {
      RowTiles<U8Tiles>(static_cast<const uint8_t*>(a), m, t, y);
      continue;
    }
#endif
#if !EDGEPIPE_QGEMM_SCALAR
    if (scheme == QScheme::kS16Pairs) {
      RowTiles<S16Tiles>(static_cast<const int16_t*>(a), m, t, y);
      continue;
    }
#endif
    ScalarBlock(a, m, scheme, t, y);
  }
}

}  // namespace edgepipe::nn::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace edgepipe::nn {
HWY_EXPORT(HasU8QuadsImpl);
HWY_EXPORT(MinMaxImpl);
HWY_EXPORT(QuantizeRowsImpl);
HWY_EXPORT(QGemmImpl);
HWY_EXPORT(TargetNameImpl);

const char* QGemmTargetName() { return HWY_DYNAMIC_DISPATCH(TargetNameImpl)(); }

QScheme ChooseQScheme(const int8_t* w, int64_t count) {
  if (!HWY_DYNAMIC_DISPATCH(HasU8QuadsImpl)()) return QScheme::kS16Pairs;
  const bool fits = std::all_of(w, w + count, [](int8_t v) { return v >= -kQU8MaxAbsWeight && v <= kQU8MaxAbsWeight; });
  return fits ? QScheme::kU8Quads : QScheme::kS16Pairs;
}

namespace {

// How many pool tasks a pass over `values` activations is worth.
int64_t QuantizeTasks(int64_t values, int64_t max_tasks, int threads) {
  return threads > 1 && values >= kQuantizeParallelMinValues ? std::min<int64_t>(threads, max_tasks) : 1;
}

}  // namespace

DynamicQuantParams ComputeDynamicQuantParams(const float* x, int64_t count, int threads) {
  float lo = 0, hi = 0;
  const int64_t tasks = QuantizeTasks(count, count, threads);
  if (tasks > 1) {
    // Min and max are exact in any order: the split cannot change them.
    std::vector<float> los(static_cast<size_t>(tasks), 0.0f), his(static_cast<size_t>(tasks), 0.0f);
    ParallelFor(tasks, [&](int64_t task) {
      const int64_t begin = count * task / tasks, end = count * (task + 1) / tasks;
      HWY_DYNAMIC_DISPATCH(MinMaxImpl)(x + begin, end - begin, &los[task], &his[task]);
    });
    lo = *std::min_element(los.begin(), los.end());
    hi = *std::max_element(his.begin(), his.end());
  } else if (count > 0) {
    HWY_DYNAMIC_DISPATCH(MinMaxImpl)(x, count, &lo, &hi);
  }
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

void QuantizeActivations(const float* x, int64_t m, const QPackedWeights& w, DynamicQuantParams p, void* dst,
                         int threads) {
  const bool u8 = w.scheme == QScheme::kU8Quads;
  const size_t row_bytes = QActivationBytes(w, 1);
  auto rows = [&](int64_t begin, int64_t end) {
    HWY_DYNAMIC_DISPATCH(QuantizeRowsImpl)(x + begin * w.k, end - begin, w.k, w.padded_k, p.scale, p.zero_point, u8,
                                           static_cast<uint8_t*>(dst) + static_cast<size_t>(begin) * row_bytes);
  };
  const int64_t tasks = QuantizeTasks(m * w.k, m, threads);
  if (tasks == 1) return rows(0, m);
  ParallelFor(tasks, [&](int64_t task) { rows(m * task / tasks, m * (task + 1) / tasks); });
}

void QGemm(const void* a, int64_t m, const QPackedWeights& w, DynamicQuantParams p, const float* scale,
           const float* bias, bool relu, float* y, int threads) {
  const int64_t blocks = w.padded_n / kQBlock;
  const int64_t macs = m * w.padded_k * w.padded_n;
  const int64_t tasks = threads > 1 && macs >= kQGemmParallelMinMacs ? std::min<int64_t>(threads, blocks) : 1;
  auto* impl = HWY_DYNAMIC_DISPATCH(QGemmImpl);
  const int32_t* colsum = w.column_sums.empty() ? nullptr : w.column_sums.data();
  auto run = [&](int64_t begin, int64_t end) {
    impl(a, m, w.scheme, w.bytes.data(), colsum, w.padded_k, w.n, p.zero_point, scale, bias, relu, begin, end, y);
  };
  if (tasks == 1) {
    run(0, blocks);
    return;
  }
  // Whole column blocks per task: tasks write disjoint columns of y.
  ParallelFor(tasks, [&](int64_t task) { run(blocks * task / tasks, blocks * (task + 1) / tasks); });
}

}  // namespace edgepipe::nn
#endif
