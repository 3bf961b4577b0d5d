// Dynamic INT8 (the kernel itself is in qgemm_test.cc): the quantize
// pass and the fusion against the unfused ONNX ops (reference kernels),
// the FP32 model, the ONNX round trip and what the file holds, and the
// model summary (inspect-model) of quantized graphs.

#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <cmath>
#include <random>

#include "edgepipe/nn/executor.h"
#include "edgepipe/nn/model_summary.h"
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

// Optional outputs and inputs a node leaves out have no pointer in the
// kernel's run context: DynamicQuantizeLinear with only y (folded as a
// constant here) and MatMulInteger without zero points must not touch them
// (they did, corrupting the heap; found by random single-node models).
TEST(QuantizeDynamicTest, QuantOpsWithOmittedOptionalsRun) {
  Graph g;
  std::vector<float> values(24);
  for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<float>(i) * 0.5f - 3.0f;
  const ValueId c = g.AddConstant("c", *Tensor::FromFloats({2, 4, 3}, values));
  const ValueId q = g.AddValue("q", DType::kU8, {}, false);
  g.nodes.push_back(Node{"dql", "DynamicQuantizeLinear", {c}, {q}, {}});
  g.outputs.push_back(q);
  ASSERT_TRUE(InferShapes(&g).ok());
  ASSERT_TRUE(OptimizeGraph(&g).ok());
  ASSERT_TRUE(g.nodes.empty());  // folded into a constant
  const Tensor& folded = *g.values[g.outputs[0]].constant;
  const DynamicQuantParams p = ComputeDynamicQuantParams(values.data(), 24);
  for (int64_t i = 0; i < 24; ++i) EXPECT_EQ(folded.data_as<uint8_t>()[i], QuantizeU8(values[i], p)) << i;

  Graph mm;
  const ValueId a = mm.AddValue("a", DType::kU8, {2, 3});
  mm.inputs.push_back(a);
  Tensor b = *Tensor::Make(DType::kS8, {3, 2});
  for (int64_t i = 0; i < 6; ++i) b.mutable_data_as<int8_t>()[i] = static_cast<int8_t>(i - 3);
  const ValueId bid = mm.AddConstant("b", std::move(b));
  const ValueId y = mm.AddValue("y", DType::kS32, {}, false);
  mm.nodes.push_back(Node{"mmi", "MatMulInteger", {a, bid}, {y}, {}});
  mm.outputs.push_back(y);
  auto exec = Executor::Create(mm, ExecutorOptions{});
  ASSERT_TRUE(exec.ok()) << exec.status().ToString();
  Tensor x = *Tensor::Make(DType::kU8, {2, 3});
  for (int64_t i = 0; i < 6; ++i) x.mutable_data_as<uint8_t>()[i] = static_cast<uint8_t>(10 * i);
  std::vector<Tensor> out;
  ASSERT_TRUE((*exec)->Run({x}, &out).ok());
  // Row 0: (0, 10, 20) . columns (-3, -1, 1) and (-2, 0, 2).
  EXPECT_EQ(out[0].data_as<int32_t>()[0], 0 * -3 + 10 * -1 + 20 * 1);
  EXPECT_EQ(out[0].data_as<int32_t>()[1], 0 * -2 + 10 * 0 + 20 * 2);
  EXPECT_EQ(out[0].data_as<int32_t>()[3], 30 * -2 + 40 * 0 + 50 * 2);
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

TEST(QuantizeDynamicTest, ExportIsLean) {
  // The file holds the tensors, the 5 + 1 nodes per layer of the standard
  // pattern, and short names: no value_info, doc strings or metadata.
  Graph g = Mlp(128, 64, 10, 11);
  ASSERT_TRUE(InferShapes(&g).ok());
  ASSERT_TRUE(QuantizeDynamic(&g).ok());
  auto bytes = ExportOnnx(g);
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  onnx::ModelProto m;
  ASSERT_TRUE(m.ParseFromString(*bytes));
  EXPECT_EQ(m.producer_name(), "edgepipe");
  EXPECT_FALSE(m.producer_version().empty());
  ASSERT_EQ(m.opset_import_size(), 1);
  EXPECT_EQ(m.opset_import(0).domain(), "");
  EXPECT_EQ(m.opset_import(0).version(), 13);
  EXPECT_TRUE(m.doc_string().empty() && m.graph().doc_string().empty());
  EXPECT_EQ(m.metadata_props_size(), 0);
  EXPECT_EQ(m.graph().value_info_size(), 0);
  size_t payload = 0;
  std::vector<std::string> inits;
  for (const onnx::TensorProto& t : m.graph().initializer()) {
    payload += t.raw_data().size();
    inits.push_back(t.name());
    EXPECT_TRUE(t.doc_string().empty());
  }
  // fc2 is a MatMul without bias.
  EXPECT_EQ(inits, (std::vector<std::string>{"fc1_wq", "fc1_ws", "fc1_b", "fc2_wq", "fc2_ws"}));
  EXPECT_EQ(payload, 128u * 64 + 64 * 10 + 4 * (64 + 64 + 10));
  // Every name the quantizer made is the layer's name and a short suffix.
  for (const onnx::NodeProto& n : m.graph().node()) {
    EXPECT_TRUE(n.doc_string().empty());
    if (n.op_type() == "Relu") continue;
    EXPECT_TRUE(n.name().rfind("fc1_", 0) == 0 || n.name().rfind("fc2_", 0) == 0) << n.name();
    EXPECT_LE(n.name().size(), 3u + 6) << n.name();
    for (const std::string& t : n.output()) {
      if (t != "h" && t != "y") {
        EXPECT_LE(t.size(), 3u + 4) << t;
      }
    }
  }
  // 12 nodes (a DQL, MatMulInteger, Cast and two Muls per layer, fc1's
  // Add, Relu), 5 tensor headers, graph input and output: 732 bytes, about
  // 60 per node, most of it names of 5 to 9 bytes, each written where a
  // tensor is produced and where it is read (with the long names before,
  // TinyNet's file had 1485 bytes outside its tensors; now 1072).
  EXPECT_LE(bytes->size() - payload, 760u) << "bytes outside the tensors";
}

// The weight scales QuantizeDynamic must have written for W [K,N].
std::vector<float> ExpectedScales(const Tensor& w, bool transposed, float qmax) {
  const int64_t rows = w.shape()[0], cols = w.shape()[1];
  const int64_t n = transposed ? rows : cols, k = transposed ? cols : rows;
  std::vector<float> scales(n);
  for (int64_t col = 0; col < n; ++col) {
    float amax = 0;
    for (int64_t row = 0; row < k; ++row) {
      amax = std::max(amax, std::fabs(w.data_as<float>()[transposed ? col * k + row : row * n + col]));
    }
    scales[col] = amax / qmax;
  }
  return scales;
}

TEST(ModelSummaryTest, QuantizedTinyNet) {
  // TinyNet's shape (Linear(128,64)-ReLU-Linear(64,10)), through the file.
  for (bool reduce : {false, true}) {
    SCOPED_TRACE(reduce ? "reduce_range" : "full range");
    Graph fp32 = Mlp(128, 64, 10, 21);
    ASSERT_TRUE(InferShapes(&fp32).ok());
    Graph q = fp32;
    QuantizeDynamicOptions options;
    options.reduce_range = reduce;
    ASSERT_TRUE(QuantizeDynamic(&q, options).ok());
    auto file = ImportOnnx(*ExportOnnx(q));
    ASSERT_TRUE(file.ok()) << file.status().ToString();
    auto s = SummarizeModel(*file);
    ASSERT_TRUE(s.ok()) << s.status().ToString();

    EXPECT_EQ(s->nodes.size(), 12u);
    EXPECT_EQ(s->op_counts.at("MatMulInteger"), 2);
    EXPECT_EQ(s->op_counts.at("Mul"), 4);
    EXPECT_EQ(s->op_counts.at("Add"), 1);
    ASSERT_EQ(s->inputs.size(), 1u);
    EXPECT_EQ(s->inputs[0].shape, (Shape{-1, 128}));
    EXPECT_EQ(s->outputs[0].shape, (Shape{-1, 10}));
    // s8 weights first (largest), then f32 scales and the one bias.
    ASSERT_EQ(s->parameters.size(), 2u);
    EXPECT_EQ(s->parameters[0].dtype, DType::kS8);
    EXPECT_EQ(s->parameters[0].bytes, 128u * 64 + 64 * 10);
    EXPECT_EQ(s->parameters[0].tensors, 2);
    EXPECT_EQ(s->parameters[1].dtype, DType::kF32);
    EXPECT_EQ(s->parameters[1].elements, 64 + 10 + 64);
    EXPECT_EQ(s->parameter_bytes, 128u * 64 + 64 * 10 + 4 * (64 + 10 + 64));
    EXPECT_EQ(s->parameter_tensors, 5);

    const float qmax = reduce ? 63.0f : 127.0f;
    ASSERT_EQ(s->quantized_layers.size(), 2u);
    const Tensor& w1 = *fp32.values[fp32.nodes[0].inputs[1]].constant;  // Gemm transB: [64,128]
    const Tensor& w2 = *fp32.values[fp32.nodes[2].inputs[1]].constant;  // MatMul: [64,10]
    const struct {
      const Tensor* w;
      bool transposed;
      Shape shape;
      std::string input;
      bool bias;
    } want[2] = {{&w1, true, {128, 64}, "x", true}, {&w2, false, {64, 10}, "hr", false}};
    for (int l = 0; l < 2; ++l) {
      SCOPED_TRACE("layer " + std::to_string(l));
      const QuantizedLayer& layer = s->quantized_layers[l];
      EXPECT_EQ(layer.op, "MatMulInteger");
      EXPECT_EQ(layer.scheme, QuantScheme::kDynamic);
      const QuantParams& w = layer.weights;
      EXPECT_EQ(w.dtype, DType::kS8);
      EXPECT_EQ(w.shape, want[l].shape);
      EXPECT_EQ(w.granularity, QuantGranularity::kPerChannel);
      EXPECT_EQ(w.axis, 1);
      const std::vector<float> scales = ExpectedScales(*want[l].w, want[l].transposed, qmax);
      EXPECT_EQ(w.scales.count, want[l].shape[1]);
      EXPECT_EQ(w.scales.min, *std::min_element(scales.begin(), scales.end()));
      EXPECT_EQ(w.scales.max, *std::max_element(scales.begin(), scales.end()));
      EXPECT_TRUE(w.zero_point.empty());  // symmetric: b_zero_point omitted
      EXPECT_EQ(w.zero_points.count, 0);
      // Each column's largest |w| maps to +-qmax.
      EXPECT_EQ(w.values.count, want[l].shape[0] * want[l].shape[1]);
      EXPECT_GE(w.values.min, -qmax);
      EXPECT_LE(w.values.max, qmax);
      EXPECT_TRUE(w.values.min == -qmax || w.values.max == qmax);
      const QuantParams& in = layer.input;
      EXPECT_TRUE(in.present && in.dynamic);
      EXPECT_EQ(in.dtype, DType::kU8);
      EXPECT_EQ(in.granularity, QuantGranularity::kPerTensor);
      EXPECT_EQ(in.tensor, want[l].input);
      EXPECT_EQ(in.scales.count, 0);
      EXPECT_FALSE(layer.output.present);
      EXPECT_EQ(layer.bias.empty(), !want[l].bias);
      // DQL, MMI, Cast, 2 Mul [, Add]; Relu belongs to no layer.
      EXPECT_EQ(layer.nodes.size(), want[l].bias ? 6u : 5u);
      for (int idx : layer.nodes) EXPECT_EQ(s->nodes[idx].layer, l) << s->nodes[idx].name;
    }
    for (const NodeInfo& n : s->nodes) {
      if (n.op == "Relu") {
        EXPECT_EQ(n.layer, -1);
      }
      if (n.op == "MatMulInteger") {
        ASSERT_EQ(n.inputs.size(), 3u);
        EXPECT_TRUE(n.inputs[1].constant);
        EXPECT_EQ(n.inputs[1].dtype, DType::kS8);
        EXPECT_EQ(n.outputs[0].dtype, DType::kS32);
        EXPECT_EQ(n.parameter_bytes, static_cast<size_t>(NumElements(n.inputs[1].shape)));
      }
    }
    const std::string text = FormatModelSummary(*s, "tiny.onnx");
    EXPECT_EQ(text.rfind("tiny.onnx: ", 0), 0u) << text;
    EXPECT_NE(text.find("s8 per-channel (axis 1): 64 scales in ["), std::string::npos) << text;
    EXPECT_NE(text.find("s8 per-channel (axis 1): 10 scales in ["), std::string::npos) << text;
    EXPECT_NE(text.find("zero point 0 (omitted)"), std::string::npos) << text;
    EXPECT_NE(text.find("u8 per-tensor, dynamic"), std::string::npos) << text;
    EXPECT_NE(text.find(reduce ? "values in [-63, 63]" : "values in [-127, 127]"), std::string::npos) << text;

    // The optimized graph: one fused node per layer, same parameters.
    ASSERT_TRUE(OptimizeGraph(&*file).ok());
    auto fused = SummarizeModel(*file);
    ASSERT_TRUE(fused.ok());
    ASSERT_EQ(fused->nodes.size(), 2u);
    EXPECT_EQ(fused->nodes[0].fused_activation, "Relu");
    EXPECT_EQ(fused->parameter_bytes, s->parameter_bytes);  // scales and bias shared, not copied
    ASSERT_EQ(fused->quantized_layers.size(), 2u);
    for (int l = 0; l < 2; ++l) {
      const QuantizedLayer& a = fused->quantized_layers[l];
      const QuantizedLayer& b = s->quantized_layers[l];
      EXPECT_EQ(a.op, kOpDynamicQuantMatMul);
      EXPECT_EQ(a.scheme, QuantScheme::kDynamic);
      EXPECT_EQ(a.name, l == 0 ? "fc1" : "fc2");
      EXPECT_EQ(a.weights.scales.count, b.weights.scales.count);
      EXPECT_EQ(a.weights.scales.min, b.weights.scales.min);
      EXPECT_EQ(a.weights.scales.max, b.weights.scales.max);
      EXPECT_EQ(a.weights.values.min, b.weights.values.min);
      EXPECT_TRUE(a.input.dynamic);
      EXPECT_EQ(a.input.tensor, b.input.tensor);
      EXPECT_EQ(a.bias, b.bias);
    }
  }
}

TEST(ModelSummaryTest, StaticPerTensorAndQdqLayers) {
  // QuantizeLinear -> QLinearMatMul (per-tensor, static); MatMulInteger
  // with u8 weights, a scalar weight scale and zero point 128; QDQ weights
  // DequantizeLinear(W s8 per-channel) -> MatMul.
  Graph g;
  const ValueId x = g.AddValue("x", DType::kF32, {2, 8});
  g.inputs.push_back(x);
  auto scalar_u8 = [&](const std::string& name, uint8_t v) {
    return g.AddConstant(name, *Tensor::FromData(DType::kU8, {}, &v, 1));
  };
  std::vector<int8_t> w8(8 * 4);
  for (size_t i = 0; i < w8.size(); ++i) w8[i] = static_cast<int8_t>(static_cast<int>(i) - 16);
  std::vector<uint8_t> wu8(8 * 4);
  for (size_t i = 0; i < wu8.size(); ++i) wu8[i] = static_cast<uint8_t>(100 + i);
  const ValueId xs = g.AddConstant("xs", testing::Scalar(0.02f)), xz = scalar_u8("xz", 128);
  const ValueId xq = g.AddValue("xq", DType::kU8, {}, false);
  g.nodes.push_back({"q", "QuantizeLinear", {x, xs, xz}, {xq}, {}});
  const ValueId w = g.AddConstant("w", *Tensor::FromData(DType::kS8, {8, 4}, w8.data(), w8.size()));
  const ValueId ws = g.AddConstant("ws", testing::Scalar(0.5f));
  std::vector<int8_t> zero(1, 0);
  const ValueId wz = g.AddConstant("wz", *Tensor::FromData(DType::kS8, {}, zero.data(), 1));
  const ValueId ys = g.AddConstant("ys", testing::Scalar(0.25f)), yz = scalar_u8("yz", 3);
  const ValueId y1 = g.AddValue("y1", DType::kU8, {}, false);
  g.nodes.push_back({"qlm", "QLinearMatMul", {xq, xs, xz, w, ws, wz, ys, yz}, {y1}, {}});

  const ValueId wu = g.AddConstant("wu", *Tensor::FromData(DType::kU8, {8, 4}, wu8.data(), wu8.size()));
  const ValueId wuz = scalar_u8("wuz", 128);
  const ValueId acc = g.AddValue("acc", DType::kS32, {}, false), accf = g.AddValue("accf", DType::kF32, {}, false);
  const ValueId s = g.AddValue("s", DType::kF32, {}, false), y2 = g.AddValue("y2", DType::kF32, {}, false);
  g.nodes.push_back({"mmi", "MatMulInteger", {xq, wu, xz, wuz}, {acc}, {}});
  Node cast{"cast", "Cast", {acc}, {accf}, {}};
  cast.attrs.SetInt("to", 1);
  g.nodes.push_back(cast);
  g.nodes.push_back({"scales", "Mul", {xs, g.AddConstant("wus", testing::Scalar(0.125f))}, {s}, {}});
  g.nodes.push_back({"rescale", "Mul", {accf, s}, {y2}, {}});

  const float chan_scales[4] = {0.1f, 0.2f, 0.3f, 0.4f};
  const ValueId wd = g.AddValue("wd", DType::kF32, {}, false), y3 = g.AddValue("y3", DType::kF32, {}, false);
  g.nodes.push_back({"dqw", "DequantizeLinear",
                     {w, g.AddConstant("wds", *Tensor::FromData(DType::kF32, {4}, chan_scales, sizeof(chan_scales)))},
                     {wd}, {}});
  g.nodes.push_back({"mm", "MatMul", {x, wd}, {y3}, {}});
  g.outputs = {y1, y2, y3};
  ASSERT_TRUE(g.SortTopologically().ok());
  ASSERT_TRUE(InferShapes(&g).ok());
  auto sum = SummarizeModel(g);
  ASSERT_TRUE(sum.ok()) << sum.status().ToString();
  ASSERT_EQ(sum->quantized_layers.size(), 3u);

  const QuantizedLayer& qlm = sum->quantized_layers[0];
  EXPECT_EQ(qlm.op, "QLinearMatMul");
  EXPECT_EQ(qlm.scheme, QuantScheme::kStatic);
  EXPECT_EQ(qlm.weights.granularity, QuantGranularity::kPerTensor);
  EXPECT_EQ(qlm.weights.scales.count, 1);
  EXPECT_EQ(qlm.weights.scales.min, 0.5);
  EXPECT_EQ(qlm.weights.zero_point, "wz");
  EXPECT_EQ(qlm.weights.values.min, -16);
  EXPECT_EQ(qlm.weights.values.max, 15);
  EXPECT_EQ(qlm.input.tensor, "x");  // through the QuantizeLinear
  EXPECT_FALSE(qlm.input.dynamic);
  EXPECT_FLOAT_EQ(static_cast<float>(qlm.input.scales.min), 0.02f);
  EXPECT_EQ(qlm.input.zero_points.min, 128);
  ASSERT_TRUE(qlm.output.present);
  EXPECT_EQ(qlm.output.scales.min, 0.25);
  EXPECT_EQ(qlm.output.zero_points.min, 3);
  EXPECT_EQ(DescribeQuantParams(qlm.output), "u8 per-tensor: scale 0.25 ('ys'), zero point 3 ('yz')");

  const QuantizedLayer& mmi = sum->quantized_layers[1];
  EXPECT_EQ(mmi.op, "MatMulInteger");
  EXPECT_EQ(mmi.scheme, QuantScheme::kStatic);
  EXPECT_EQ(mmi.weights.dtype, DType::kU8);
  EXPECT_EQ(mmi.weights.scale, "wus");  // not the input's scale xs, though both are constants
  EXPECT_EQ(mmi.weights.scales.min, 0.125);
  EXPECT_EQ(mmi.weights.granularity, QuantGranularity::kPerTensor);
  EXPECT_EQ(mmi.weights.zero_points.min, 128);
  EXPECT_EQ(mmi.weights.values.min, 100);
  EXPECT_EQ(mmi.weights.values.max, 131);
  EXPECT_TRUE(mmi.bias.empty());
  EXPECT_EQ(mmi.nodes.size(), 5u);  // q, mmi, cast, scales, rescale

  const QuantizedLayer& qdq = sum->quantized_layers[2];
  EXPECT_EQ(qdq.name, "mm");
  EXPECT_EQ(qdq.op, "MatMul");
  EXPECT_EQ(qdq.scheme, QuantScheme::kWeightOnly);
  EXPECT_EQ(qdq.weights.granularity, QuantGranularity::kPerChannel);
  EXPECT_EQ(qdq.weights.axis, 1);
  EXPECT_EQ(qdq.weights.scales.count, 4);
  EXPECT_FLOAT_EQ(static_cast<float>(qdq.weights.scales.min), 0.1f);
  EXPECT_FLOAT_EQ(static_cast<float>(qdq.weights.scales.max), 0.4f);
  EXPECT_TRUE(qdq.weights.zero_point.empty());
  EXPECT_FALSE(qdq.input.present);
  EXPECT_NE(FormatModelSummary(*sum).find("4 scales in [0.1, 0.4] ('wds')"), std::string::npos)
      << FormatModelSummary(*sum);

  // An inconsistent graph is refused, not read out of bounds.
  g.nodes[0].inputs[0] = 1000;
  EXPECT_TRUE(SummarizeModel(g).status().IsCorruption());
}

TEST(ModelSummaryTest, MissingInputsAndOutputsNeverCrash) {
  // Every input and output of every node of a quantized graph omitted in
  // turn (ONNX's empty name): the summary finds less, never reads out of
  // bounds (run under the asan preset to see it).
  Graph base = Mlp(16, 8, 4, 3);
  ASSERT_TRUE(InferShapes(&base).ok());
  ASSERT_TRUE(QuantizeDynamic(&base).ok());
  int summarized = 0;
  for (size_t idx = 0; idx < base.nodes.size(); ++idx) {
    for (int outputs = 0; outputs < 2; ++outputs) {
      const size_t count = outputs ? base.nodes[idx].outputs.size() : base.nodes[idx].inputs.size();
      for (size_t slot = 0; slot < count; ++slot) {
        Graph g = base;
        (outputs ? g.nodes[idx].outputs : g.nodes[idx].inputs)[slot] = kNoValue;
        auto s = SummarizeModel(g);
        if (!s.ok()) continue;
        ++summarized;
        EXPECT_FALSE(FormatModelSummary(*s).empty());
        EXPECT_LE(s->quantized_layers.size(), 2u) << "node " << idx << " slot " << slot;
      }
    }
  }
  EXPECT_GT(summarized, 0);
}

}  // namespace
}  // namespace edgepipe::nn
