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

// One panel of `width` columns (a multiple of 16, hence of the lane count).
// Four accumulators per step: an FMA has 4 cycles latency and 2 ports, so
// 4 independent chains keep a port busy while the next row of the panel
// (contiguous) streams in.
void GemmPanel(const float* HWY_RESTRICT a, int64_t k, const float* HWY_RESTRICT panel, int64_t width,
               const float* HWY_RESTRICT bias, float* HWY_RESTRICT out) {
  const hn::ScalableTag<float> d;
  const int64_t lanes = static_cast<int64_t>(hn::Lanes(d));
  int64_t n0 = 0;
  for (; n0 + 4 * lanes <= width; n0 += 4 * lanes) {
    auto acc0 = bias ? hn::LoadU(d, bias + n0) : hn::Zero(d);
    auto acc1 = bias ? hn::LoadU(d, bias + n0 + lanes) : hn::Zero(d);
    auto acc2 = bias ? hn::LoadU(d, bias + n0 + 2 * lanes) : hn::Zero(d);
    auto acc3 = bias ? hn::LoadU(d, bias + n0 + 3 * lanes) : hn::Zero(d);
    const float* bp = panel + n0;
    for (int64_t i = 0; i < k; ++i, bp += width) {
      const auto av = hn::Set(d, a[i]);
      acc0 = hn::MulAdd(av, hn::LoadU(d, bp), acc0);
      acc1 = hn::MulAdd(av, hn::LoadU(d, bp + lanes), acc1);
      acc2 = hn::MulAdd(av, hn::LoadU(d, bp + 2 * lanes), acc2);
      acc3 = hn::MulAdd(av, hn::LoadU(d, bp + 3 * lanes), acc3);
    }
    hn::StoreU(acc0, d, out + n0);
    hn::StoreU(acc1, d, out + n0 + lanes);
    hn::StoreU(acc2, d, out + n0 + 2 * lanes);
    hn::StoreU(acc3, d, out + n0 + 3 * lanes);
  }
  for (; n0 < width; n0 += lanes) {
    auto acc = bias ? hn::LoadU(d, bias + n0) : hn::Zero(d);
    const float* bp = panel + n0;
    for (int64_t i = 0; i < k; ++i, bp += width) acc = hn::MulAdd(hn::Set(d, a[i]), hn::LoadU(d, bp), acc);
    hn::StoreU(acc, d, out + n0);
  }
}

void GemmRowPackedImpl(const float* HWY_RESTRICT a, int64_t k, const float* HWY_RESTRICT packed, int64_t n,
                       const float* HWY_RESTRICT bias, float* HWY_RESTRICT out) {
  const int64_t np = PaddedN(n);
  for (int64_t col = 0; col < np; col += kGemmPanel) {
    const int64_t width = std::min(kGemmPanel, np - col);
    GemmPanel(a, k, packed + col * k, width, bias ? bias + col : nullptr, out + col);
  }
}

// 16-column blocks of a panel; kVecs vectors each (2 on AVX2, 1 on
// AVX-512). kTileRows rows share each load of B: 12 accumulators (6 x 2 on
// AVX2) + 2 B vectors + 1 broadcast fit the 16 ymm registers, and 12 FMAs
// per 8 loads keep both FMA ports ahead of the 3 load ports.
constexpr int64_t kBlock = kGemmPadN;
constexpr size_t kLanes = HWY_LANES(float);
constexpr size_t kVecs = kLanes >= static_cast<size_t>(kBlock) ? 1 : static_cast<size_t>(kBlock) / kLanes;
constexpr int kTileRows = kVecs >= 12 ? 1 : static_cast<int>(12 / kVecs);

struct TileArgs {
  int64_t k, n, col0;
  const float* HWY_RESTRICT bp;  // this block's first row in the packed panel
  int64_t stride;                // panel width: floats from one k to the next
  const float* HWY_RESTRICT bias;
  bool clamp;
  float lo, hi;
};

template <int R>
HWY_INLINE void GemmTile(const float* HWY_RESTRICT a, const TileArgs& t, float* HWY_RESTRICT y) {
  const hn::ScalableTag<float> d;
  using V = decltype(hn::Zero(d));
  const size_t lanes = hn::Lanes(d);
  V acc[R][kVecs];
  HWY_UNROLL(12)
  for (int r = 0; r < R; ++r) {
    HWY_UNROLL(4)
    for (size_t v = 0; v < kVecs; ++v) acc[r][v] = t.bias ? hn::LoadU(d, t.bias + t.col0 + v * lanes) : hn::Zero(d);
  }
  const float* HWY_RESTRICT bp = t.bp;
  for (int64_t i = 0; i < t.k; ++i, bp += t.stride) {
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
      if (t.clamp) out = hn::Min(hi, hn::Max(lo, out));
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

// Blocks [block_begin, block_end) of 16 columns, every row.
void GemmPackedImpl(const float* HWY_RESTRICT a, int64_t m, int64_t k, const float* HWY_RESTRICT packed, int64_t n,
                    const float* HWY_RESTRICT bias, bool clamp, float lo, float hi, int64_t block_begin,
                    int64_t block_end, float* HWY_RESTRICT y) {
  const int64_t np = PaddedN(n);
  for (int64_t block = block_begin; block < block_end; ++block) {
    const int64_t col0 = block * kBlock;
    const int64_t panel = col0 / kGemmPanel * kGemmPanel;
    const int64_t width = std::min(kGemmPanel, np - panel);
    const TileArgs t{k, n, col0, packed + panel * k + (col0 - panel), width, bias, clamp, lo, hi};
    // Row tiles inside the block: its k x 16 floats (64 KiB at K = 1024)
    // stay in L2 while every row passes over them.
    int64_t row = 0;
    for (; row + kTileRows <= m; row += kTileRows) GemmTile<kTileRows>(a + row * k, t, y + row * n);
    // The remainder in tiles of 8/4/2/1 rows (a 1-row tile on AVX2 has only
    // 2 FMA chains: 4x slower per row than a 4-row one).
    if (kTileRows > 8 && row + 8 <= m) GemmTile<8>(a + row * k, t, y + row * n), row += 8;
    if (kTileRows > 4 && row + 4 <= m) GemmTile<4>(a + row * k, t, y + row * n), row += 4;
    if (kTileRows > 2 && row + 2 <= m) GemmTile<2>(a + row * k, t, y + row * n), row += 2;
    if (row < m) GemmTile<1>(a + row * k, t, y + row * n);
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

void GemmPacked(const float* a, int64_t m, int64_t k, const float* packed_b, int64_t n, const float* bias, bool clamp,
                float lo, float hi, float* y, int threads) {
  const int64_t blocks = PaddedN(n) / kGemmPadN;
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

void PackGemmPanels(const float* b, int64_t k, int64_t n, bool trans_b, float alpha, float* dst) {
  const int64_t np = PaddedN(n);
  for (int64_t col = 0; col < np; col += kGemmPanel) {
    const int64_t width = std::min(kGemmPanel, np - col);
    float* panel = dst + col * k;
    for (int64_t i = 0; i < k; ++i) {
      for (int64_t j = 0; j < width; ++j) {
        const int64_t c = col + j;
        panel[i * width + j] = c < n ? alpha * (trans_b ? b[c * k + i] : b[i * n + c]) : 0.0f;
      }
    }
  }
}

void GemmRowPacked(const float* a, int64_t k, const float* packed_b, int64_t n, const float* bias, float* out) {
  HWY_DYNAMIC_DISPATCH(GemmRowPackedImpl)(a, k, packed_b, n, bias, out);
}
}  // namespace edgepipe::nn
#endif
