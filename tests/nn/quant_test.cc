// Dynamic INT8: the fast kernel against its scalar oracle, the quantize
// pass and the fusion against the unfused ONNX ops (reference kernels),
// the FP32 model, and the ONNX round trip.

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "edgepipe/nn/executor.h"
#include "edgepipe/nn/onnx.h"
#include "edgepipe/nn/passes.h"
#include "edgepipe/nn/quantize_dynamic.h"
#include "edgepipe/nn/shape_inference.h"
#include "nn/qgemm.h"
#include "nn_test_util.h"

namespace edgepipe::nn {
namespace {

using testing::RandomTensor;

std::vector<float> RunModel(const Graph& g, const Tensor& x, bool optimize, std::string* plan = nullptr) {
  ExecutorOptions options;
  options.optimize = optimize;
  auto exec = Executor::Create(g, options);
  EXPECT_TRUE(exec.ok()) << exec.status().ToString();
  if (!exec.ok()) return {};
  std::vector<Tensor> out;
  const Status st = (*exec)->Run({x}, &out);
  EXPECT_TRUE(st.ok()) << st.ToString();
  if (!st.ok()) return {};
  if (plan != nullptr) *plan = (*exec)->DescribePlan();
  return std::vector<float>(out[0].data_as<float>(), out[0].data_as<float>() + out[0].num_elements());
}

double Cosine(const std::vector<float>& a, const std::vector<float>& b) {
  double ab = 0, aa = 0, bb = 0;
  for (size_t i = 0; i < a.size(); ++i) ab += double(a[i]) * b[i], aa += double(a[i]) * a[i], bb += double(b[i]) * b[i];
  return ab / std::sqrt(aa * bb + 1e-30);
}

TEST(QGemmTest, MatchesScalarOracleAcrossSizes) {
  for (int64_t m : {1, 2, 3, 4, 5, 7, 8, 32, 33}) {
    for (int64_t k : {1, 2, 7, 8, 31, 32, 33, 127, 128, 129}) {
      for (int64_t n : {1, 7, 8, 15, 16, 17, 33, 64}) {
        const uint32_t seed = static_cast<uint32_t>(m * 1000003 + k * 1009 + n);
        std::mt19937 rng(seed);
        std::uniform_real_distribution<float> dist(-3.0f, 2.0f);
        std::uniform_int_distribution<int> wdist(-127, 127);
        std::vector<float> x(m * k), ws(QPaddedN(n), 0.0f), bias(QPaddedN(n), 0.0f);
        std::vector<int8_t> w(k * n);
        for (float& v : x) v = dist(rng);
        for (int8_t& v : w) v = static_cast<int8_t>(wdist(rng));
        for (int64_t c = 0; c < n; ++c) ws[c] = 0.001f * (1 + c % 5), bias[c] = dist(rng);
        const bool relu = (seed % 2) == 0;
        std::vector<float> want(m * n), got(m * n, -1.0f);
        QGemmReference(x.data(), m, k, w.data(), n, ws.data(), bias.data(), relu, want.data());
        std::vector<int8_t> packed(QPackedBytes(k, n));
        PackQWeights(w.data(), k, n, false, packed.data());
        std::vector<int16_t> a(m * QPaddedK(k));
        const DynamicQuantParams p = ComputeDynamicQuantParams(x.data(), m * k);
        QuantizeRowsS16(x.data(), m, k, p, a.data());
        std::vector<float> scale(QPaddedN(n), 0.0f);
        for (int64_t c = 0; c < n; ++c) scale[c] = p.scale * ws[c];
        QGemm(a.data(), m, k, packed.data(), n, scale.data(), bias.data(), relu, got.data());
        for (int64_t i = 0; i < m * n; ++i) {
          ASSERT_EQ(got[i], want[i]) << "m=" << m << " k=" << k << " n=" << n << " i=" << i << " seed=" << seed;
        }
      }
    }
  }
}

TEST(QGemmTest, ExtremeValuesDoNotSaturate) {
  // 255 * 127 pairs over a long K: the sum vpmaddubsw would saturate.
  const int64_t m = 2, k = 1025, n = 17;
  std::vector<float> x(m * k, 1.0f);
  x[0] = 0.0f;  // min 0, max 1: scale 1/255, zero point 0, every other q = 255
  std::vector<int8_t> w(k * n);
  for (int64_t i = 0; i < k * n; ++i) w[i] = (i % 3 == 0) ? -127 : 127;
  std::vector<float> ws(QPaddedN(n), 1.0f), want(m * n), got(m * n);
  QGemmReference(x.data(), m, k, w.data(), n, ws.data(), nullptr, false, want.data());
  std::vector<int8_t> packed(QPackedBytes(k, n));
  PackQWeights(w.data(), k, n, false, packed.data());
  std::vector<int16_t> a(m * QPaddedK(k));
  const DynamicQuantParams p = ComputeDynamicQuantParams(x.data(), m * k);
  EXPECT_EQ(p.zero_point, 0);
  QuantizeRowsS16(x.data(), m, k, p, a.data());
  std::vector<float> scale(QPaddedN(n), p.scale);
  QGemm(a.data(), m, k, packed.data(), n, scale.data(), nullptr, false, got.data());
  for (int64_t i = 0; i < m * n; ++i) ASSERT_EQ(got[i], want[i]) << i;
}

TEST(QGemmTest, DynamicQuantParamsFollowOnnx) {
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

// Gemm(transB) -> Relu -> MatMul: both forms the quantizer handles.
Graph Mlp(int64_t k, int64_t h, int64_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  Graph g;
  const ValueId x = g.AddValue("x", DType::kF32, {-1, k});
  g.inputs.push_back(x);
  const float bound = 1.0f / std::sqrt(static_cast<float>(k));
  Node gemm;
  gemm.name = "fc1";
  gemm.op = "Gemm";
  gemm.attrs.SetInt("transB", 1);
  gemm.inputs = {x, g.AddConstant("w1", RandomTensor({h, k}, &rng, -bound, bound)),
                 g.AddConstant("b1", RandomTensor({h}, &rng, -bound, bound))};
  gemm.outputs = {g.AddValue("h", DType::kF32, {}, false)};
  Node relu;
  relu.name = "relu";
  relu.op = "Relu";
  relu.inputs = {gemm.outputs[0]};
  relu.outputs = {g.AddValue("hr", DType::kF32, {}, false)};
  Node mm;
  mm.name = "fc2";
  mm.op = "MatMul";
  mm.inputs = {relu.outputs[0], g.AddConstant("w2", RandomTensor({h, n}, &rng, -0.2f, 0.2f))};
  mm.outputs = {g.AddValue("y", DType::kF32, {}, false)};
  g.outputs.push_back(mm.outputs[0]);
  g.nodes = {gemm, relu, mm};
  EXPECT_TRUE(g.SortTopologically().ok());
  return g;
}

TEST(QuantizeDynamicTest, FusedMatchesUnfusedOpsAndFp32) {
  for (int64_t batch : {1, 4, 33}) {
    for (auto [k, h, n] : {std::tuple<int64_t, int64_t, int64_t>{128, 64, 10}, {33, 17, 5}, {256, 200, 31}}) {
      const uint32_t seed = static_cast<uint32_t>(batch * 7 + k + h + n);
      Graph fp32 = Mlp(k, h, n, seed);
      Graph q = fp32;
      ASSERT_TRUE(InferShapes(&q).ok());
      auto stats = QuantizeDynamic(&q);
      ASSERT_TRUE(stats.ok()) << stats.status().ToString();
      EXPECT_EQ(stats->quantized, 2);
      std::mt19937 rng(seed);
      const Tensor x = RandomTensor({batch, k}, &rng, -2.0f, 2.0f);
      std::string plan;
      const std::vector<float> fused = RunModel(q, x, true, &plan);
      EXPECT_NE(plan.find("int8_dynamic_qgemm"), std::string::npos) << plan;
      EXPECT_EQ(plan.find("reference_matmul_integer"), std::string::npos) << plan;
      const std::vector<float> unfused = RunModel(q, x, false);
      const std::vector<float> ref = RunModel(fp32, x, true);
      ASSERT_EQ(fused.size(), unfused.size());
      for (size_t i = 0; i < fused.size(); ++i) {
        // Same integers; the epilogue order differs only by the Relu fusion.
        ASSERT_NEAR(fused[i], unfused[i], 1e-5f * (1 + std::fabs(unfused[i]))) << "i=" << i << " seed=" << seed;
      }
      EXPECT_GE(Cosine(fused, ref), 0.999) << "seed=" << seed;
    }
  }
}

TEST(QuantizeDynamicTest, OnnxRoundTripAndSize) {
  Graph fp32 = Mlp(512, 256, 10, 5);
  ASSERT_TRUE(InferShapes(&fp32).ok());
  auto fp32_bytes = ExportOnnx(fp32);
  ASSERT_TRUE(fp32_bytes.ok());
  Graph q = fp32;
  ASSERT_TRUE(QuantizeDynamic(&q).ok());
  auto bytes = ExportOnnx(q);
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  EXPECT_LE(static_cast<double>(bytes->size()), 0.27 * static_cast<double>(fp32_bytes->size()));
  auto back = ImportOnnx(*bytes);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  std::mt19937 rng(9);
  const Tensor x = RandomTensor({3, 512}, &rng);
  EXPECT_EQ(RunModel(*back, x, true), RunModel(q, x, true));
  // The fused op never leaves the process.
  Graph optimized = q;
  ASSERT_TRUE(OptimizeGraph(&optimized).ok());
  EXPECT_TRUE(ExportOnnx(optimized).status().IsNotSupported());
}

TEST(QuantizeDynamicTest, NonZeroWeightZeroPointIsNotFusedButRuns) {
  // An asymmetric-weight file (other quantizers): the reference kernels run it.
  Graph g = Mlp(16, 8, 4, 3);
  ASSERT_TRUE(InferShapes(&g).ok());
  ASSERT_TRUE(QuantizeDynamic(&g).ok());
  for (Node& node : g.nodes) {
    if (node.op != "MatMulInteger") continue;
    const int64_t n = g.values[node.inputs[1]].shape[1];
    std::vector<int8_t> zp(n, 1);
    node.inputs.resize(4, kNoValue);
    node.inputs[3] = g.AddConstant(g.UniqueName("bzp"), *Tensor::FromData(DType::kS8, {n}, zp.data(), zp.size()));
  }
  std::mt19937 rng(4);
  const Tensor x = RandomTensor({2, 16}, &rng);
  std::string plan;
  const std::vector<float> y = RunModel(g, x, true, &plan);
  EXPECT_NE(plan.find("reference_matmul_integer"), std::string::npos) << plan;
  EXPECT_EQ(y, RunModel(g, x, false));
}

TEST(QuantizeDynamicTest, ZeroInputGivesBias) {
  Graph g = Mlp(8, 8, 3, 2);
  ASSERT_TRUE(InferShapes(&g).ok());
  ASSERT_TRUE(QuantizeDynamic(&g).ok());
  Tensor x = *Tensor::Make(DType::kF32, {2, 8});
  const std::vector<float> fused = RunModel(g, x, true);
  EXPECT_EQ(fused, RunModel(g, x, false));
}

TEST(QuantizeDynamicTest, SkipsWhatItCannotQuantize) {
  Graph g = Mlp(8, 8, 3, 2);
  g.nodes[0].attrs.SetInt("transA", 1);
  g.values[g.inputs[0]].shape = {8, -1};
  ASSERT_TRUE(InferShapes(&g).ok());
  auto stats = QuantizeDynamic(&g);
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->quantized, 1);
  EXPECT_EQ(stats->skipped, 1);
  EXPECT_NE(stats->skipped_reasons.find("transA"), std::string::npos);
}

}  // namespace
}  // namespace edgepipe::nn
