#include "nn/gemm_direct.h"

#include <algorithm>

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

}  // namespace edgepipe::nn::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace edgepipe::nn {
HWY_EXPORT(GemmRowPackedImpl);

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
