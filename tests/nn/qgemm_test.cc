// The INT8 GEMM (src/nn/qgemm.cc) on every compiled Highway target and with
// the column blocks split over threads: bit-identical to the scalar oracle
// (each output is one exact s32 sum, so there is no tolerance to hide in).

#include <gtest/gtest.h>
#include <hwy/targets.h>

#include <random>
#include <string>
#include <vector>

#include "edgepipe/core/parallel.h"
#include "nn/qgemm.h"

namespace edgepipe::nn {
namespace {

struct Case {
  int64_t m, k, n;
};

// Runs the fused path (quantize rows, packed GEMM, epilogue) and compares
// it with QGemmReference element by element.
void ExpectMatchesOracle(const Case& c, int threads, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-3.0f, 2.0f);
  std::uniform_int_distribution<int> wdist(-128, 127);
  const int64_t np = QPaddedN(c.n);
  std::vector<float> x(static_cast<size_t>(c.m * c.k)), ws(static_cast<size_t>(np), 0.0f),
      bias(static_cast<size_t>(np), 0.0f);
  std::vector<int8_t> w(static_cast<size_t>(c.k * c.n));
  for (float& v : x) v = dist(rng);
  for (int8_t& v : w) v = static_cast<int8_t>(wdist(rng));
  for (int64_t col = 0; col < c.n; ++col) ws[col] = 0.001f * static_cast<float>(1 + col % 5), bias[col] = dist(rng);
  const bool relu = (seed % 2) == 0;
  std::vector<float> want(static_cast<size_t>(c.m * c.n)), got(want.size(), -1.0f);
  QGemmReference(x.data(), c.m, c.k, w.data(), c.n, ws.data(), bias.data(), relu, want.data());

  std::vector<int8_t> packed(QPackedBytes(c.k, c.n));
  PackQWeights(w.data(), c.k, c.n, false, packed.data());
  std::vector<int16_t> a(static_cast<size_t>(c.m * QPaddedK(c.k)));
  const DynamicQuantParams p = ComputeDynamicQuantParams(x.data(), c.m * c.k);
  QuantizeRowsS16(x.data(), c.m, c.k, p, a.data());
  std::vector<float> scale(static_cast<size_t>(np), 0.0f);
  for (int64_t col = 0; col < c.n; ++col) scale[col] = p.scale * ws[col];
  QGemm(a.data(), c.m, c.k, packed.data(), c.n, scale.data(), bias.data(), relu, got.data(), threads);
  for (size_t i = 0; i < want.size(); ++i) {
    ASSERT_EQ(got[i], want[i]) << "m=" << c.m << " k=" << c.k << " n=" << c.n << " threads=" << threads
                               << " element " << i << " seed " << seed;
  }
}

TEST(QGemmKernelTest, EveryTargetMatchesOracle) {
  hwy::SetSupportedTargetsForTest(0);
  const std::vector<int64_t> targets = hwy::SupportedAndGeneratedTargets();
  ASSERT_FALSE(targets.empty());
  for (int64_t target : targets) {
    hwy::SetSupportedTargetsForTest(target);
    SCOPED_TRACE(std::string("target ") + hwy::TargetName(target));
    ASSERT_EQ(std::string(QGemmTargetName()), hwy::TargetName(target)) << "dispatch did not switch target";
    // Rows across the 4-row tile and its remainders, K odd/even, N across
    // the 16-column block.
    for (int64_t m : {1, 3, 4, 5, 9}) {
      for (int64_t k : {1, 2, 33, 128}) {
        for (int64_t n : {1, 15, 16, 17, 40}) {
          ExpectMatchesOracle({m, k, n}, 1, static_cast<uint32_t>(m * 7919 + k * 31 + n));
          if (HasFatalFailure()) break;
        }
      }
    }
  }
  hwy::SetSupportedTargetsForTest(0);
}

TEST(QGemmKernelTest, ThreadSplitIsBitIdentical) {
  // Above kQGemmParallelMinMacs, with block counts that do not divide evenly.
  SetNumThreads(3);
  for (const Case& c : {Case{33, 1025, 97}, Case{8, 1024, 1024}, Case{1, 4096, 200}}) {
    ASSERT_GE(c.m * QPaddedK(c.k) * QPaddedN(c.n), kQGemmParallelMinMacs);
    for (int threads : {1, 2, 3}) ExpectMatchesOracle(c, threads, static_cast<uint32_t>(c.n + threads));
  }
  SetNumThreads(0);
}

}  // namespace
}  // namespace edgepipe::nn
