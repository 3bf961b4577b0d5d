#include "nn/gemm_direct.h"

#include <algorithm>
#include <cstring>

#include "edgepipe/core/parallel.h"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "nn/gemm_direct.cc"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

HWY_BEFORE_NAMESPACE();
namespace edgepipe::nn::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// kVecs vectors per 16-column block (2 on AVX2, 1 on AVX-512).
constexpr size_t kLanes = HWY_LANES(float);
constexpr size_t kVecs = kLanes >= static_cast<size_t>(kGemmBlock) ? 1 : static_cast<size_t>(kGemmBlock) / kLanes;

// One row, kSteps blocks at a time: 4 accumulator vectors (4 FMA chains
// keep a port busy through the 4-cycle latency) over as many contiguous
// block streams.
constexpr size_t kRowBlocks = kVecs >= 4 ? 1 : 4 / kVecs;

template <size_t S>
HWY_INLINE void RowBlocks(const float* HWY_RESTRICT a, int64_t k, const float* HWY_RESTRICT bp,
                          const float* HWY_RESTRICT bias, float* HWY_RESTRICT out) {
  const hn::ScalableTag<float> d;
  using V = decltype(hn::Zero(d));
  const size_t lanes = hn::Lanes(d);
  V acc[S][kVecs];
  for (size_t s = 0; s < S; ++s) {
    for (size_t v = 0; v < kVecs; ++v) {
      acc[s][v] = bias ? hn::LoadU(d, bias + s * kGemmBlock + v * lanes) : hn::Zero(d);
    }
  }
  for (int64_t i = 0; i < k; ++i) {
    const V av = hn::Set(d, a[i]);
    HWY_UNROLL(4)
    for (size_t s = 0; s < S; ++s) {
      HWY_UNROLL(4)
      for (size_t v = 0; v < kVecs; ++v) {
        acc[s][v] = hn::MulAdd(av, hn::LoadU(d, bp + s * k * kGemmBlock + i * kGemmBlock + v * lanes), acc[s][v]);
      }
    }
  }
  for (size_t s = 0; s < S; ++s) {
    for (size_t v = 0; v < kVecs; ++v) hn::StoreU(acc[s][v], d, out + s * kGemmBlock + v * lanes);
  }
}

void GemmRowPackedImpl(const float* HWY_RESTRICT a, int64_t k, const float* HWY_RESTRICT packed, int64_t n,
                       const float* HWY_RESTRICT bias, float* HWY_RESTRICT out) {
  const int64_t blocks = PaddedN(n) / kGemmBlock;
  int64_t block = 0;
  for (; block + static_cast<int64_t>(kRowBlocks) <= blocks; block += kRowBlocks) {
    RowBlocks<kRowBlocks>(a, k, packed + block * k * kGemmBlock, bias ? bias + block * kGemmBlock : nullptr,
                          out + block * kGemmBlock);
  }
  for (; block < blocks; ++block) {
    RowBlocks<1>(a, k, packed + block * k * kGemmBlock, bias ? bias + block * kGemmBlock : nullptr,
                 out + block * kGemmBlock);
  }
}

// kTileRows rows share each load of B: 12 accumulators (6 x 2 on AVX2) + 2
// B vectors + 1 broadcast fit the 16 ymm registers, and 12 FMAs per 8
// loads keep both FMA ports ahead of the 3 load ports.
constexpr int kTileRows = kVecs >= 12 ? 1 : static_cast<int>(12 / kVecs);

struct TileArgs {
  int64_t k, n, col0;
  int64_t k0, k1;                 // this K chunk
  const float* HWY_RESTRICT bp;   // the block's row k0
  const float* HWY_RESTRICT bias;
  bool clamp;
  float lo, hi;
};

// R rows x one block over the chunk [k0, k1): starts from the bias on the
// first chunk, from y's partial sums after it; clamps on the last.
template <int R>
HWY_INLINE void GemmTile(const float* HWY_RESTRICT a, const TileArgs& t, float* HWY_RESTRICT y) {
  const hn::ScalableTag<float> d;
  using V = decltype(hn::Zero(d));
  const size_t lanes = hn::Lanes(d);
  const bool first = t.k0 == 0, last = t.k1 == t.k;
  V acc[R][kVecs];
  HWY_UNROLL(12)
  for (int r = 0; r < R; ++r) {
    HWY_UNROLL(4)
    for (size_t v = 0; v < kVecs; ++v) {
      const int64_t col = t.col0 + static_cast<int64_t>(v * lanes);
      if (first) {
        acc[r][v] = t.bias ? hn::LoadU(d, t.bias + col) : hn::Zero(d);
      } else if (col + static_cast<int64_t>(lanes) <= t.n) {
        acc[r][v] = hn::LoadU(d, y + r * t.n + col);
      } else {  // past N: the valid columns' partial sums, zeros after
        HWY_ALIGN float tmp[hn::MaxLanes(d)] = {};
        if (col < t.n) std::memcpy(tmp, y + r * t.n + col, static_cast<size_t>(t.n - col) * sizeof(float));
        acc[r][v] = hn::Load(d, tmp);
      }
    }
  }
  const float* HWY_RESTRICT bp = t.bp;
  for (int64_t i = t.k0; i < t.k1; ++i, bp += kGemmBlock) {
    V b[kVecs];
    HWY_UNROLL(4)
    for (size_t v = 0; v < kVecs; ++v) b[v] = hn::LoadU(d, bp + v * lanes);
    HWY_UNROLL(12)
    for (int r = 0; r < R; ++r) {
      const V av = hn::Set(d, a[r * t.k + i]);
      HWY_UNROLL(4)
      for (size_t v = 0; v < kVecs; ++v) acc[r][v] = hn::MulAdd(av, b[v], acc[r][v]);
    }
  }
  const V lo = hn::Set(d, t.lo), hi = hn::Set(d, t.hi);
  for (int r = 0; r < R; ++r) {
    for (size_t v = 0; v < kVecs; ++v) {
      const int64_t col = t.col0 + static_cast<int64_t>(v * lanes);
      if (col >= t.n) break;
      V out = acc[r][v];
      // maxps/minps return the second operand when one is NaN: a NaN
      // output stays NaN, as std::min/max in the row path.
      if (last && t.clamp) out = hn::Min(hi, hn::Max(lo, out));
      float* yr = y + r * t.n + col;
      if (col + static_cast<int64_t>(lanes) <= t.n) {
        hn::StoreU(out, d, yr);
      } else {
        HWY_ALIGN float tmp[hn::MaxLanes(d)];
        hn::Store(out, d, tmp);
        std::memcpy(yr, tmp, static_cast<size_t>(t.n - col) * sizeof(float));
      }
    }
  }
}

// Blocks [block_begin, block_end), every row.
void GemmPackedImpl(const float* HWY_RESTRICT a, int64_t m, int64_t k, const float* HWY_RESTRICT packed, int64_t n,
                    const float* HWY_RESTRICT bias, bool clamp, float lo, float hi, int64_t block_begin,
                    int64_t block_end, float* HWY_RESTRICT y) {
  for (int64_t block = block_begin; block < block_end; ++block) {
    const float* block_b = packed + block * k * kGemmBlock;
    // K chunks outside the rows: a chunk of the block (16 KiB) stays in L1
    // while every row tile passes over it (unchunked, K = 1024 made each
    // tile stream 64 KiB from L2).
    for (int64_t k0 = 0; k0 < std::max<int64_t>(k, 1); k0 += kGemmChunkK) {
      const int64_t k1 = std::min(k, k0 + kGemmChunkK);
      const TileArgs t{k, n, block * kGemmBlock, k0, k1, block_b + k0 * kGemmBlock, bias, clamp, lo, hi};
      int64_t row = 0;
      for (; row + kTileRows <= m; row += kTileRows) GemmTile<kTileRows>(a + row * k, t, y + row * n);
      // The remainder in tiles of 8/4/2/1 rows (a 1-row tile on AVX2 has
      // only 2 FMA chains: 4x slower per row than a 4-row one).
      if (kTileRows > 8 && row + 8 <= m) GemmTile<8>(a + row * k, t, y + row * n), row += 8;
      if (kTileRows > 4 && row + 4 <= m) GemmTile<4>(a + row * k, t, y + row * n), row += 4;
      if (kTileRows > 2 && row + 2 <= m) GemmTile<2>(a + row * k, t, y + row * n), row += 2;
      if (row < m) GemmTile<1>(a + row * k, t, y + row * n);
    }
  }
}

const char* GemmTargetNameImpl() { return hwy::TargetName(HWY_TARGET); }

}  // namespace edgepipe::nn::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace edgepipe::nn {
HWY_EXPORT(GemmRowPackedImpl);
HWY_EXPORT(GemmPackedImpl);
HWY_EXPORT(GemmTargetNameImpl);

const char* GemmTargetName() { return HWY_DYNAMIC_DISPATCH(GemmTargetNameImpl)(); }

void PackGemmBlocks(const float* b, int64_t k, int64_t n, bool trans_b, float alpha, float* dst) {
  const int64_t np = PaddedN(n);
  for (int64_t col0 = 0; col0 < np; col0 += kGemmBlock) {
    float* block = dst + col0 * k;
    for (int64_t i = 0; i < k; ++i) {
      for (int64_t c = 0; c < kGemmBlock; ++c) {
        const int64_t col = col0 + c;
        block[i * kGemmBlock + c] = col < n ? alpha * (trans_b ? b[col * k + i] : b[i * n + col]) : 0.0f;
      }
    }
  }
}

void GemmRowPacked(const float* a, int64_t k, const float* packed_b, int64_t n, const float* bias, float* out) {
  HWY_DYNAMIC_DISPATCH(GemmRowPackedImpl)(a, k, packed_b, n, bias, out);
}

void GemmPacked(const float* a, int64_t m, int64_t k, const float* packed_b, int64_t n, const float* bias, bool clamp,
                float lo, float hi, float* y, int threads) {
  const int64_t blocks = PaddedN(n) / kGemmBlock;
  const int64_t tasks = threads > 1 && m * k * n >= kGemmParallelMinMacs ? std::min<int64_t>(threads, blocks) : 1;
  auto* impl = HWY_DYNAMIC_DISPATCH(GemmPackedImpl);
  if (tasks == 1) {
    impl(a, m, k, packed_b, n, bias, clamp, lo, hi, 0, blocks, y);
    return;
  }
  // Whole blocks per task: tasks write disjoint columns of y.
  ParallelFor(tasks, [&](int64_t task) {
    impl(a, m, k, packed_b, n, bias, clamp, lo, hi, blocks * task / tasks, blocks * (task + 1) / tasks, y);
  });
}
}  // namespace edgepipe::nn
#endif
