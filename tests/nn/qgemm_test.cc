// The INT8 GEMM (src/nn/qgemm.cc) in both schemes, on every compiled
// Highway target and with the column blocks split over threads:
// bit-identical to the scalar oracle (each output is one exact s32 sum, so
// there is no tolerance to hide in).

#include <gtest/gtest.h>
#include <hwy/targets.h>

#include <cmath>
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

// Runs the fused path (quantize rows, packed GEMM, epilogue) on x and w and
// compares it with QGemmReference element by element; returns the scheme
// the weights were packed in.
QScheme ExpectMatchesOracle(const std::vector<float>& x, const std::vector<int8_t>& w, const Case& c, QScheme scheme,
                            int threads, bool relu, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-3.0f, 2.0f);
  const int64_t np = (c.n + kQBlock - 1) / kQBlock * kQBlock;
  std::vector<float> ws(static_cast<size_t>(np), 0.0f), bias(static_cast<size_t>(np), 0.0f);
  for (int64_t col = 0; col < c.n; ++col) ws[col] = 0.001f * static_cast<float>(1 + col % 5), bias[col] = dist(rng);
  std::vector<float> want(static_cast<size_t>(c.m * c.n)), got(want.size(), -1.0f);
  QGemmReference(x.data(), c.m, c.k, w.data(), c.n, ws.data(), bias.data(), relu, want.data());

  const QPackedWeights packed = PackQWeights(w.data(), c.k, c.n, scheme);
  EXPECT_EQ(packed.padded_n, np);
  std::vector<uint8_t> a(QActivationBytes(packed, c.m));
  const DynamicQuantParams p = ComputeDynamicQuantParams(x.data(), c.m * c.k, threads);
  QuantizeActivations(x.data(), c.m, packed, p, a.data(), threads);
  std::vector<float> scale(static_cast<size_t>(np), 0.0f);
  for (int64_t col = 0; col < c.n; ++col) scale[col] = p.scale * ws[col];
  QGemm(a.data(), c.m, packed, p, scale.data(), bias.data(), relu, got.data(), threads);
  for (size_t i = 0; i < want.size(); ++i) {
    if (got[i] != want[i]) {
      ADD_FAILURE() << QSchemeName(packed.scheme) << " m=" << c.m << " k=" << c.k << " n=" << c.n
                    << " threads=" << threads << " element " << i << ": " << got[i] << " != " << want[i];
      break;
    }
  }
  return packed.scheme;
}

// Random x in [-3, 2) and weights in [-max_abs, max_abs].
void ExpectRandomMatches(const Case& c, QScheme scheme, int max_abs, int threads, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-3.0f, 2.0f);
  std::uniform_int_distribution<int> wdist(-max_abs, max_abs);
  std::vector<float> x(static_cast<size_t>(c.m * c.k));
  std::vector<int8_t> w(static_cast<size_t>(c.k * c.n));
  for (float& v : x) v = dist(rng);
  for (int8_t& v : w) v = static_cast<int8_t>(wdist(rng));
  ExpectMatchesOracle(x, w, c, scheme, threads, (seed % 2) == 0, seed);
}

TEST(QGemmKernelTest, EveryTargetAndSchemeMatchesOracle) {
  hwy::SetSupportedTargetsForTest(0);
  const std::vector<int64_t> targets = hwy::SupportedAndGeneratedTargets();
  ASSERT_FALSE(targets.empty());
  for (int64_t target : targets) {
    hwy::SetSupportedTargetsForTest(target);
    SCOPED_TRACE(std::string("target ") + hwy::TargetName(target));
    ASSERT_EQ(std::string(QGemmTargetName()), hwy::TargetName(target)) << "dispatch did not switch target";
    for (QScheme scheme : {QScheme::kS16Pairs, QScheme::kU8Quads}) {
      // Rows across the 4-row tile and its remainders, K across the pair and
      // quad groups, N across the 16-column block and its 8-column halves.
      for (int64_t m : {1, 3, 4, 5, 9}) {
        for (int64_t k : {1, 2, 3, 5, 33, 128}) {
          for (int64_t n : {1, 7, 9, 15, 16, 17, 40}) {
            const auto seed = static_cast<uint32_t>(m * 7919 + k * 31 + n);
            ExpectRandomMatches({m, k, n}, scheme, scheme == QScheme::kU8Quads ? kQU8MaxAbsWeight : 128, 1, seed);
            if (HasFailure()) return hwy::SetSupportedTargetsForTest(0);
          }
        }
      }
    }
  }
  hwy::SetSupportedTargetsForTest(0);
}

TEST(QGemmKernelTest, ChoosesU8QuadsOnlyWhereExact) {
  const std::vector<int8_t> seven_bit = {-64, 64, 0, 3}, full = {-64, 65, 0, 3}, low = {-65, 0};
  EXPECT_EQ(ChooseQScheme(full.data(), 4), QScheme::kS16Pairs);
  EXPECT_EQ(ChooseQScheme(low.data(), 2), QScheme::kS16Pairs);
  // Even when asked, out-of-range weights are packed for the exact scheme.
  EXPECT_EQ(PackQWeights(full.data(), 2, 2, QScheme::kU8Quads).scheme, QScheme::kS16Pairs);
  const QScheme chosen = ChooseQScheme(seven_bit.data(), 4);
  if (std::string(QGemmTargetName()) == "AVX2" || std::string(QGemmTargetName()).rfind("AVX3", 0) == 0) {
    EXPECT_EQ(chosen, QScheme::kU8Quads);
  } else {
    EXPECT_EQ(chosen, QScheme::kS16Pairs) << QGemmTargetName();
  }
}

TEST(QGemmKernelTest, ExtremeValuesStayExact) {
  // Every q = 255 against the largest weights each scheme takes over a long
  // K: pairs that vpmaddubsw would saturate on full-range weights, and sums
  // near the s32 range.
  const Case c{2, 1025, 17};
  std::vector<float> x(static_cast<size_t>(c.m * c.k), 1.0f);
  x[0] = 0.0f;  // min 0, max 1: scale 1/255, zero point 0, every other q = 255
  for (QScheme scheme : {QScheme::kS16Pairs, QScheme::kU8Quads}) {
    const int8_t hi = scheme == QScheme::kU8Quads ? kQU8MaxAbsWeight : 127;
    std::vector<int8_t> w(static_cast<size_t>(c.k * c.n));
    for (size_t i = 0; i < w.size(); ++i) w[i] = (i % 3 == 0) ? static_cast<int8_t>(-hi) : hi;
    EXPECT_EQ(ExpectMatchesOracle(x, w, c, scheme, 1, false, 1), scheme);
  }
  // A zero point in the middle: the u8 scheme's zero-point term is large.
  std::vector<float> centred(x.size());
  for (size_t i = 0; i < centred.size(); ++i) centred[i] = (i % 2 == 0) ? -1.0f : 1.0f;
  std::vector<int8_t> w(static_cast<size_t>(c.k * c.n), -kQU8MaxAbsWeight);
  ExpectMatchesOracle(centred, w, c, QScheme::kU8Quads, 1, false, 2);
}

TEST(QGemmKernelTest, ThreadSplitIsBitIdentical) {
  // Above kQGemmParallelMinMacs, with block counts that do not divide
  // evenly; the first and last also above kQuantizeParallelMinValues, so the
  // activations' min/max and rows are split too.
  SetNumThreads(3);
  for (QScheme scheme : {QScheme::kS16Pairs, QScheme::kU8Quads}) {
    for (const Case& c : {Case{33, 1025, 97}, Case{8, 1024, 1024}, Case{1, 4096, 200}, Case{67, 1000, 20}}) {
      ASSERT_GE(c.m * c.k * c.n, kQGemmParallelMinMacs);
      for (int threads : {1, 2, 3}) {
        ExpectRandomMatches(c, scheme, kQU8MaxAbsWeight, threads, static_cast<uint32_t>(c.n + threads));
      }
    }
  }
  SetNumThreads(0);
}

TEST(QGemmKernelTest, DynamicQuantParamsFollowOnnx) {
  const float x[] = {-1.0f, 0.0f, 1.0f, 2.0f};
  const DynamicQuantParams p = ComputeDynamicQuantParams(x, 4);
  EXPECT_FLOAT_EQ(p.scale, 3.0f / 255.0f);
  EXPECT_EQ(p.zero_point, 85);  // round(1 / (3/255))
  EXPECT_EQ(QuantizeU8(2.0f, p), 255);
  EXPECT_EQ(QuantizeU8(-1.0f, p), 0);
  const float zeros[] = {0.0f, 0.0f};
  EXPECT_EQ(ComputeDynamicQuantParams(zeros, 2).scale, 0.0f);
  const float pos[] = {1.0f, 3.0f};  // min clamps to 0: zero point 0
  EXPECT_EQ(ComputeDynamicQuantParams(pos, 2).zero_point, 0);
  EXPECT_EQ(QuantizeU8(NAN, p), 0);  // no UB, saturates
}

}  // namespace
}  // namespace edgepipe::nn
