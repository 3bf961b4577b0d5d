// The direct FP32 GEMM (src/nn/gemm_direct.cc): the row-tiled GemmPacked
// against GemmRowPacked (the same FMA chain per output: bit for bit) on
// every compiled Highway target and thread split, and both against a
// double-precision reference.

#include <gtest/gtest.h>
#include <hwy/targets.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "edgepipe/core/parallel.h"
#include "nn/gemm_direct.h"

namespace edgepipe::nn {
namespace {

struct Case {
  int64_t m, k, n;
};

void ExpectTilesMatchRows(const Case& c, int threads, bool with_bias, bool clamp, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> a(static_cast<size_t>(c.m * c.k)), b(static_cast<size_t>(c.n * c.k));
  std::vector<float> bias(static_cast<size_t>(PaddedN(c.n)), 0.0f);
  for (float& v : a) v = dist(rng);
  for (float& v : b) v = dist(rng);
  for (int64_t j = 0; j < c.n; ++j) bias[j] = dist(rng);
  std::vector<float> packed(static_cast<size_t>(c.k * PaddedN(c.n)));
  PackGemmBlocks(b.data(), c.k, c.n, /*trans_b=*/true, 1.0f, packed.data());
  const float* bp = with_bias ? bias.data() : nullptr;
  const float lo = 0.0f, hi = 0.5f;

  std::vector<float> tiled(static_cast<size_t>(c.m * c.n), -7.0f), row(static_cast<size_t>(PaddedN(c.n)));
  GemmPacked(a.data(), c.m, c.k, packed.data(), c.n, bp, clamp, lo, hi, tiled.data(), threads);
  for (int64_t i = 0; i < c.m; ++i) {
    GemmRowPacked(a.data() + i * c.k, c.k, packed.data(), c.n, bp, row.data());
    for (int64_t j = 0; j < c.n; ++j) {
      const float want = clamp ? std::min(std::max(row[j], lo), hi) : row[j];
      const float got = tiled[i * c.n + j];
      ASSERT_EQ(got, want) << GemmTargetName() << " m=" << c.m << " k=" << c.k << " n=" << c.n << " threads=" << threads
                           << " at " << i << "," << j;
      double ref = with_bias ? bias[j] : 0.0;
      for (int64_t kk = 0; kk < c.k; ++kk) ref += double(a[i * c.k + kk]) * b[j * c.k + kk];
      if (clamp) ref = std::min(std::max(ref, double(lo)), double(hi));
      ASSERT_NEAR(got, ref, 1e-5 * (1 + c.k)) << "vs double reference at " << i << "," << j;
    }
  }
}

TEST(GemmDirectTest, TilesMatchRowKernelOnEveryTarget) {
  hwy::SetSupportedTargetsForTest(0);
  const std::vector<int64_t> targets = hwy::SupportedAndGeneratedTargets();
  for (int64_t target : targets) {
    hwy::SetSupportedTargetsForTest(target);
    SCOPED_TRACE(std::string("target ") + hwy::TargetName(target));
    ASSERT_EQ(std::string(GemmTargetName()), hwy::TargetName(target));
    // Rows across every tile height (3, 6, 12) and remainder, K across the
    // kGemmChunkK chunks, N across the 16-column block and the 4-block row
    // step.
    for (int64_t m : {1, 2, 5, 6, 7, 13, 25}) {
      for (int64_t k : {int64_t{1}, int64_t{3}, int64_t{64}, kGemmChunkK + 44}) {
        for (int64_t n : {1, 10, 16, 17, 64, 65, 100}) {
          ExpectTilesMatchRows({m, k, n}, 1, (m + n) % 2 == 0, (m + k) % 2 == 1, static_cast<uint32_t>(m * 131 + k * 7 + n));
          if (HasFatalFailure()) return hwy::SetSupportedTargetsForTest(0);
        }
      }
    }
  }
  hwy::SetSupportedTargetsForTest(0);
}

TEST(GemmDirectTest, ThreadSplitIsBitIdentical) {
  SetNumThreads(3);
  for (const Case& c : {Case{32, 1024, 1024}, Case{7, 300, 333}}) {
    if (c.m * c.k * c.n < kGemmParallelMinMacs) continue;
    for (int threads : {1, 2, 3}) ExpectTilesMatchRows(c, threads, true, true, static_cast<uint32_t>(threads));
  }
  SetNumThreads(0);
}

TEST(GemmDirectTest, NanPassesThroughTheClamp) {
  const int64_t m = 6, k = 2, n = 16;
  std::vector<float> a(static_cast<size_t>(m * k), 1.0f), b(static_cast<size_t>(n * k), 1.0f), packed(k * PaddedN(n));
  a[0] = std::numeric_limits<float>::quiet_NaN();
  PackGemmBlocks(b.data(), k, n, true, 1.0f, packed.data());
  std::vector<float> y(static_cast<size_t>(m * n));
  GemmPacked(a.data(), m, k, packed.data(), n, nullptr, true, 0.0f, 6.0f, y.data());
  EXPECT_TRUE(std::isnan(y[0]));
  EXPECT_EQ(y[n], 2.0f);
}

}  // namespace
}  // namespace edgepipe::nn
