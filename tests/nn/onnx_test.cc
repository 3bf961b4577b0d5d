// ONNX import/export: round trips (FP32 and quantized ops), and errors for
// unsupported ops, truncated or corrupted files and inconsistent initializers.

#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <random>

#include "edgepipe/nn/onnx.h"
#include "edgepipe/nn/passes.h"
#include "edgepipe/nn/shape_inference.h"
#include "nn/nn_test_util.h"

namespace edgepipe::nn {
namespace {

using testing::RandomTensor;

// A small MLP with every attribute kind the exporter writes.
Graph SmallMlp() {
  std::mt19937 rng(1);
  Graph g;
  const ValueId x = g.AddValue("input", DType::kF32, {-1, 16});
  g.inputs.push_back(x);
  const ValueId w1 = g.AddConstant("w1", RandomTensor({8, 16}, &rng));
  const ValueId b1 = g.AddConstant("b1", RandomTensor({8}, &rng));
  const ValueId w2 = g.AddConstant("w2", RandomTensor({8, 4}, &rng));
  const ValueId h = g.AddValue("h", DType::kF32, {}, false), r = g.AddValue("r", DType::kF32, {}, false);
  const ValueId y = g.AddValue("y", DType::kF32, {}, false), s = g.AddValue("output", DType::kF32, {}, false);
  Node gemm{"fc1", "Gemm", {x, w1, b1}, {h}, {}};
  gemm.attrs.SetInt("transB", 1);
  gemm.attrs.SetFloat("alpha", 1.0f);
  g.nodes.push_back(gemm);
  g.nodes.push_back({"relu", "Relu", {h}, {r}, {}});
  g.nodes.push_back({"fc2", "MatMul", {r, w2}, {y}, {}});
  Node sm{"softmax", "Softmax", {y}, {s}, {}};
  sm.attrs.SetInt("axis", -1);
  g.nodes.push_back(sm);
  g.outputs.push_back(s);
  return g;
}

TEST(OnnxTest, RoundTripKeepsGraphAndOutputs) {
  Graph g = SmallMlp();
  auto bytes = ExportOnnx(g);
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  auto back = ImportOnnx(*bytes);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->nodes.size(), 4u);
  EXPECT_EQ(back->nodes[0].op, "Gemm");
  EXPECT_EQ(*back->nodes[0].attrs.GetInt("transB", 0), 1);
  EXPECT_EQ(back->values[back->inputs[0]].shape, (Shape{-1, 16}));
  EXPECT_EQ(back->values[back->outputs[0]].shape, (Shape{-1, 4}));
  EXPECT_EQ(back->ParameterBytes(), g.ParameterBytes());
  std::mt19937 rng(2);
  Tensor x = RandomTensor({3, 16}, &rng);
  auto a = testing::RunGraph(g, {x});
  auto b = testing::RunGraph(*back, {x});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_TRUE(testing::AllClose((*b)[0], {(*a)[0].data_as<float>(), (*a)[0].data_as<float>() + 12}, 0, 0));
}

TEST(OnnxTest, FusedActivationsAreExportedAsNodes) {
  Graph g = SmallMlp();
  ASSERT_TRUE(OptimizeGraph(&g).ok());
  ASSERT_EQ(g.nodes.size(), 3u);  // Relu fused into fc1
  auto bytes = ExportOnnx(g);
  ASSERT_TRUE(bytes.ok());
  auto back = ImportOnnx(*bytes);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->nodes.size(), 4u);
  EXPECT_EQ(back->nodes[1].op, "Relu");
  EXPECT_FALSE(back->nodes[0].attrs.Has(kAttrActivation));
}

TEST(OnnxTest, QuantizedOpsRoundTrip) {
  // x -> DynamicQuantizeLinear -> MatMulInteger(w s8) -> ... and the QLinear
  // and Q/DQ ops: import/export only (execution is the INT8 step).
  Graph g;
  const ValueId x = g.AddValue("x", DType::kF32, {2, 8});
  g.inputs.push_back(x);
  std::vector<int8_t> wdata(8 * 4, 3);
  const ValueId w = g.AddConstant("w", *Tensor::FromData(DType::kS8, {8, 4}, wdata.data(), wdata.size()));
  const ValueId wz = g.AddConstant("wz", *Tensor::FromData(DType::kS8, {}, wdata.data(), 1));
  const ValueId xq = g.AddValue("xq", DType::kU8, {}, false), xs = g.AddValue("xs", DType::kF32, {}, false);
  const ValueId xz = g.AddValue("xz", DType::kU8, {}, false), acc = g.AddValue("acc", DType::kS32, {}, false);
  g.nodes.push_back({"dql", "DynamicQuantizeLinear", {x}, {xq, xs, xz}, {}});
  g.nodes.push_back({"mmi", "MatMulInteger", {xq, w, xz, wz}, {acc}, {}});
  const float scale = 0.05f;
  uint8_t zp = 128;
  const ValueId ys = g.AddConstant("ys", *Tensor::FromData(DType::kF32, {}, &scale, 4));
  const ValueId yz = g.AddConstant("yz", *Tensor::FromData(DType::kU8, {}, &zp, 1));
  const ValueId q = g.AddValue("q", DType::kU8, {}, false), dq = g.AddValue("dq", DType::kF32, {}, false);
  g.nodes.push_back({"q", "QuantizeLinear", {x, ys, yz}, {q}, {}});
  g.nodes.push_back({"dq", "DequantizeLinear", {q, ys, yz}, {dq}, {}});
  const ValueId qm = g.AddValue("qm", DType::kU8, {}, false);
  g.nodes.push_back({"qlm", "QLinearMatMul", {q, ys, yz, w, ys, wz, ys, yz}, {qm}, {}});
  g.outputs = {acc, dq, qm};
  ASSERT_TRUE(g.SortTopologically().ok());
  ASSERT_TRUE(InferShapes(&g).ok());
  EXPECT_EQ(g.values[acc].dtype, DType::kS32);
  EXPECT_EQ(g.values[acc].shape, (Shape{2, 4}));
  EXPECT_EQ(g.values[qm].dtype, DType::kU8);
  auto bytes = ExportOnnx(g);
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  auto back = ImportOnnx(*bytes);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->nodes.size(), 5u);
  std::vector<std::string> ops;
  for (const Node& n : back->nodes) ops.push_back(n.op);
  EXPECT_EQ(ops, (std::vector<std::string>{"DynamicQuantizeLinear", "MatMulInteger", "QuantizeLinear", "DequantizeLinear", "QLinearMatMul"}));
  EXPECT_EQ(back->values[back->outputs[0]].dtype, DType::kS32);
  EXPECT_EQ(back->values[back->nodes[1].inputs[1]].constant->dtype(), DType::kS8);
}


onnx::ModelProto ParseModel(const std::string& bytes) {
  onnx::ModelProto m;
  EXPECT_TRUE(m.ParseFromString(bytes));
  return m;
}

std::vector<std::string> InitializerNames(const onnx::ModelProto& m) {
  std::vector<std::string> names;
  for (const onnx::TensorProto& t : m.graph().initializer()) names.push_back(t.name());
  return names;
}

TEST(OnnxTest, IdenticalConstantsAreWrittenOnce) {
  // x + c1, * c2, + c3 with c3 == c1: one initializer serves both Adds. A
  // different dtype or shape with the same bytes is another tensor.
  std::mt19937 rng(3);
  Graph g;
  const ValueId x = g.AddValue("x", DType::kF32, {-1, 4});
  g.inputs.push_back(x);
  const Tensor c = RandomTensor({4}, &rng);
  const ValueId c1 = g.AddConstant("c1", c);
  const ValueId c2 = g.AddConstant("c2", RandomTensor({4}, &rng));
  const ValueId c3 = g.AddConstant("c3", *c.Clone());
  const ValueId c4 = g.AddConstant("c4", *c.Reshaped({1, 4}));
  const ValueId a = g.AddValue("a", DType::kF32, {}, false), b = g.AddValue("b", DType::kF32, {}, false);
  const ValueId y = g.AddValue("y", DType::kF32, {}, false), z = g.AddValue("z", DType::kF32, {}, false);
  g.nodes.push_back({"add1", "Add", {x, c1}, {a}, {}});
  g.nodes.push_back({"mul", "Mul", {a, c2}, {b}, {}});
  g.nodes.push_back({"add2", "Add", {b, c3}, {y}, {}});
  g.nodes.push_back({"add3", "Add", {y, c4}, {z}, {}});
  g.outputs.push_back(z);
  ASSERT_TRUE(InferShapes(&g).ok());
  auto bytes = ExportOnnx(g);
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  const onnx::ModelProto m = ParseModel(*bytes);
  EXPECT_EQ(InitializerNames(m), (std::vector<std::string>{"c1", "c2", "c4"}));
  EXPECT_EQ(m.graph().node(2).input(1), "c1");
  auto back = ImportOnnx(*bytes);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->ParameterBytes(), 3 * 16u);
  const Tensor in = RandomTensor({3, 4}, &rng);
  auto want = testing::RunGraph(g, {in});
  auto got = testing::RunGraph(*back, {in});
  ASSERT_TRUE(want.ok() && got.ok());
  const float* w = (*want)[0].data_as<float>();
  EXPECT_TRUE(testing::AllClose((*got)[0], std::vector<float>(w, w + 12), 0, 0));
}

TEST(OnnxTest, ConstantGraphOutputKeepsItsName) {
  // A constant that is also a graph output is written under its own name
  // even when an equal one was written before.
  Graph g;
  const ValueId x = g.AddValue("x", DType::kF32, {2});
  g.inputs.push_back(x);
  const ValueId c1 = g.AddConstant("c1", testing::Scalar(2.0f));
  const ValueId c2 = g.AddConstant("c2", testing::Scalar(2.0f));
  const ValueId y = g.AddValue("y", DType::kF32, {}, false);
  g.nodes.push_back({"mul", "Mul", {x, c1}, {y}, {}});
  g.outputs = {y, c2};
  ASSERT_TRUE(InferShapes(&g).ok());
  auto bytes = ExportOnnx(g);
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  EXPECT_EQ(InitializerNames(ParseModel(*bytes)), (std::vector<std::string>{"c1", "c2"}));
  auto back = ImportOnnx(*bytes);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->values[back->outputs[1]].name, "c2");
}

TEST(OnnxTest, UnfusedClipsShareTheirBounds) {
  // Two ReLU6 (Clip 0..6) fused into their Gemms by OptimizeGraph: the
  // export writes the bounds once, not once per Clip.
  std::mt19937 rng(5);
  Graph g;
  const ValueId x = g.AddValue("x", DType::kF32, {-1, 8});
  g.inputs.push_back(x);
  ValueId cur = x;
  for (int layer = 0; layer < 2; ++layer) {
    const std::string n = std::to_string(layer);
    const ValueId h = g.AddValue("h" + n, DType::kF32, {}, false), r = g.AddValue("r" + n, DType::kF32, {}, false);
    g.nodes.push_back({"fc" + n, "Gemm", {cur, g.AddConstant("w" + n, RandomTensor({8, 8}, &rng))}, {h}, {}});
    g.nodes.push_back({"clip" + n, "Clip",
                       {h, g.AddConstant("lo" + n, testing::Scalar(0.0f)), g.AddConstant("hi" + n, testing::Scalar(6.0f))},
                       {r}, {}});
    cur = r;
  }
  g.outputs.push_back(cur);
  ASSERT_TRUE(OptimizeGraph(&g).ok());
  ASSERT_EQ(g.nodes.size(), 2u);  // both Clips fused
  auto bytes = ExportOnnx(g);
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  const onnx::ModelProto m = ParseModel(*bytes);
  EXPECT_EQ(InitializerNames(m), (std::vector<std::string>{"w0", "w1", "clip_min", "clip_max"}));
  ASSERT_EQ(m.graph().node_size(), 4);
  for (int clip : {1, 3}) {
    EXPECT_EQ(m.graph().node(clip).op_type(), "Clip");
    EXPECT_EQ(m.graph().node(clip).input(1), "clip_min");
    EXPECT_EQ(m.graph().node(clip).input(2), "clip_max");
  }
  auto back = ImportOnnx(*bytes);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  const Tensor in = RandomTensor({2, 8}, &rng, -3.0f, 3.0f);
  auto want = testing::RunGraph(g, {in});
  auto got = testing::RunGraph(*back, {in});
  ASSERT_TRUE(want.ok() && got.ok());
  const float* w = (*want)[0].data_as<float>();
  EXPECT_TRUE(testing::AllClose((*got)[0], std::vector<float>(w, w + 16), 1e-6f, 1e-6f));
}

TEST(OnnxTest, UnsupportedOpNamesNodeAndOp) {
  onnx::ModelProto m = ParseModel(*ExportOnnx(SmallMlp()));
  m.mutable_graph()->mutable_node(1)->set_op_type("Gelu");
  auto g = ImportOnnx(m.SerializeAsString());
  ASSERT_FALSE(g.ok());
  EXPECT_TRUE(g.status().IsNotSupported());
  EXPECT_NE(g.status().message().find("'relu'"), std::string::npos) << g.status().ToString();
  EXPECT_NE(g.status().message().find("'Gelu'"), std::string::npos) << g.status().ToString();
  m.mutable_graph()->mutable_node(1)->set_op_type("Relu");
  m.mutable_graph()->mutable_node(1)->set_domain("com.microsoft");
  g = ImportOnnx(m.SerializeAsString());
  EXPECT_TRUE(g.status().IsNotSupported()) << g.status().ToString();
}

TEST(OnnxTest, OpsetOutOfRange) {
  onnx::ModelProto m = ParseModel(*ExportOnnx(SmallMlp()));
  m.mutable_opset_import(0)->set_version(11);
  auto g = ImportOnnx(m.SerializeAsString());
  EXPECT_TRUE(g.status().IsNotSupported());
  EXPECT_NE(g.status().message().find("opset 11"), std::string::npos) << g.status().ToString();
}

TEST(OnnxTest, WrongInitializerSizeIsCorruption) {
  onnx::ModelProto m = ParseModel(*ExportOnnx(SmallMlp()));
  onnx::TensorProto* init = m.mutable_graph()->mutable_initializer(0);
  const std::string name = init->name();
  init->mutable_raw_data()->resize(init->raw_data().size() - 4);
  auto g = ImportOnnx(m.SerializeAsString());
  ASSERT_TRUE(g.status().IsCorruption()) << g.status().ToString();
  EXPECT_NE(g.status().message().find(name), std::string::npos) << g.status().ToString();
  // Dims claiming far more than the data: refused before allocating.
  init->mutable_raw_data()->clear();
  init->clear_dims();
  init->add_dims(int64_t{1} << 40);
  init->add_dims(1 << 20);
  g = ImportOnnx(m.SerializeAsString());
  EXPECT_TRUE(g.status().IsCorruption()) << g.status().ToString();
  // float_data with the wrong count.
  init->clear_dims();
  init->add_dims(3);
  init->add_float_data(1.0f);
  g = ImportOnnx(m.SerializeAsString());
  EXPECT_TRUE(g.status().IsCorruption()) << g.status().ToString();
}

TEST(OnnxTest, DanglingInputAndDuplicateOutput) {
  onnx::ModelProto m = ParseModel(*ExportOnnx(SmallMlp()));
  *m.mutable_graph()->mutable_node(2)->mutable_input(0) = "nowhere";
  auto g = ImportOnnx(m.SerializeAsString());
  EXPECT_TRUE(g.status().IsCorruption()) << g.status().ToString();
  EXPECT_NE(g.status().message().find("nowhere"), std::string::npos);
  m = ParseModel(*ExportOnnx(SmallMlp()));
  *m.mutable_graph()->mutable_node(2)->mutable_output(0) = m.graph().node(1).output(0);
  g = ImportOnnx(m.SerializeAsString());
  EXPECT_TRUE(g.status().IsCorruption()) << g.status().ToString();
}

TEST(OnnxTest, TruncatedAtEveryOffsetIsCorruption) {
  const std::string bytes = *ExportOnnx(SmallMlp());
  for (size_t len = 0; len < bytes.size(); ++len) {
    auto g = ImportOnnx(std::string_view(bytes).substr(0, len));
    ASSERT_FALSE(g.ok()) << "length " << len;
    ASSERT_TRUE(g.status().IsCorruption()) << "length " << len << ": " << g.status().ToString();
  }
  auto g = ImportOnnx(bytes.substr(0, bytes.size() / 2));
  EXPECT_NE(g.status().message().find("byte"), std::string::npos) << g.status().ToString();
}

TEST(OnnxTest, FlippedBytesNeverCrash) {
  const std::string bytes = *ExportOnnx(SmallMlp());
  std::mt19937 rng(77);
  int rejected = 0;
  for (int trial = 0; trial < 2000; ++trial) {
    std::string copy = bytes;
    const size_t pos = std::uniform_int_distribution<size_t>(0, copy.size() - 1)(rng);
    copy[pos] = static_cast<char>(copy[pos] ^ (1 << (trial % 8)));
    auto g = ImportOnnx(copy);
    if (!g.ok()) {
      ++rejected;
      const StatusCode code = g.status().code();
      EXPECT_TRUE(code == StatusCode::kCorruption || code == StatusCode::kNotSupported ||
                  code == StatusCode::kInvalidArgument)
          << "trial " << trial << " pos " << pos << ": " << g.status().ToString();
    }
  }
  EXPECT_GT(rejected, 0);
}

TEST(OnnxTest, EmptyAndGarbage) {
  EXPECT_TRUE(ImportOnnx("").status().IsCorruption());
  EXPECT_TRUE(ImportOnnx("this is not a model").status().IsCorruption());
  EXPECT_TRUE(ImportOnnxFile("/nonexistent/model.onnx").status().IsIOError());
}

}  // namespace
}  // namespace edgepipe::nn
