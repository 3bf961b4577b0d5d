// Graph IR, shape inference and the passes on small graphs.

#include <gtest/gtest.h>

#include "edgepipe/nn/passes.h"
#include "edgepipe/nn/shape_inference.h"
#include "nn/nn_test_util.h"

namespace edgepipe::nn {
namespace {

using testing::AllClose;
using testing::RandomTensor;
using testing::RunGraph;

std::vector<float> ToVector(const Tensor& t) { return {t.data_as<float>(), t.data_as<float>() + t.num_elements()}; }

TEST(GraphTest, TopologicalSortAndCycle) {
  Graph g;
  const ValueId x = g.AddValue("x", DType::kF32, {1, 4});
  g.inputs.push_back(x);
  const ValueId a = g.AddValue("a", DType::kF32, {}, false), b = g.AddValue("b", DType::kF32, {}, false);
  g.nodes.push_back({"second", "Relu", {a}, {b}, {}});
  g.nodes.push_back({"first", "Relu", {x}, {a}, {}});
  g.outputs.push_back(b);
  ASSERT_TRUE(g.SortTopologically().ok());
  EXPECT_EQ(g.nodes[0].name, "first");
  EXPECT_EQ(g.nodes[1].name, "second");
  ASSERT_TRUE(InferShapes(&g).ok());
  EXPECT_EQ(g.values[b].shape, (Shape{1, 4}));
  g.nodes[0].inputs[0] = b;  // first reads second's output: a cycle
  Status st = g.SortTopologically();
  EXPECT_TRUE(st.IsCorruption()) << st.ToString();
  EXPECT_NE(st.message().find("cycle"), std::string::npos);
}

TEST(GraphTest, TwoProducersIsCorruption) {
  Graph g;
  const ValueId x = g.AddValue("x", DType::kF32, {2});
  g.inputs.push_back(x);
  const ValueId y = g.AddValue("y", DType::kF32, {}, false);
  g.nodes.push_back({"r1", "Relu", {x}, {y}, {}});
  g.nodes.push_back({"r2", "Relu", {x}, {y}, {}});
  g.outputs.push_back(y);
  EXPECT_TRUE(g.Validate().IsCorruption());
}

TEST(ShapeInferenceTest, DynamicBatchPropagates) {
  Graph g;
  const ValueId x = g.AddValue("x", DType::kF32, {-1, 3, 8, 8});
  g.inputs.push_back(x);
  std::mt19937 rng(1);
  const ValueId w = g.AddConstant("w", RandomTensor({4, 3, 3, 3}, &rng));
  const ValueId c = g.AddValue("c", DType::kF32, {}, false), f = g.AddValue("f", DType::kF32, {}, false);
  Node conv{"conv", "Conv", {x, w}, {c}, {}};
  conv.attrs.SetInts("pads", {1, 1, 1, 1});
  g.nodes.push_back(conv);
  g.nodes.push_back({"flat", "Flatten", {c}, {f}, {}});
  g.outputs.push_back(f);
  ASSERT_TRUE(InferShapes(&g).ok());
  EXPECT_EQ(g.values[c].shape, (Shape{-1, 4, 8, 8}));
  EXPECT_EQ(g.values[f].shape, (Shape{-1, 256}));
}

TEST(ShapeInferenceTest, MismatchNamesTheNode) {
  Graph g;
  const ValueId x = g.AddValue("x", DType::kF32, {2, 5});
  g.inputs.push_back(x);
  std::mt19937 rng(1);
  const ValueId w = g.AddConstant("w", RandomTensor({6, 3}, &rng));
  const ValueId y = g.AddValue("y", DType::kF32, {}, false);
  g.nodes.push_back({"my_gemm", "Gemm", {x, w}, {y}, {}});
  g.outputs.push_back(y);
  Status st = InferShapes(&g);
  EXPECT_TRUE(st.IsInvalidArgument());
  EXPECT_NE(st.message().find("my_gemm"), std::string::npos) << st.ToString();
}

// x -> Conv -> BN -> Relu -> out, for BN folding and fusion.
Graph ConvBnRelu(std::mt19937* rng, bool gemm) {
  Graph g;
  const ValueId x = g.AddValue("x", DType::kF32, gemm ? Shape{3, 12} : Shape{2, 5, 9, 9});
  g.inputs.push_back(x);
  const int64_t ch = gemm ? 7 : 6;
  const ValueId w = g.AddConstant("w", RandomTensor(gemm ? Shape{ch, 12} : Shape{ch, 5, 3, 3}, rng));
  const ValueId b = g.AddConstant("b", RandomTensor({ch}, rng));
  const ValueId y = g.AddValue("y", DType::kF32, {}, false);
  Node p{"p", gemm ? "Gemm" : "Conv", {x, w, b}, {y}, {}};
  if (gemm) p.attrs.SetInt("transB", 1), p.attrs.SetFloat("beta", 0.5f);
  g.nodes.push_back(p);
  const ValueId gamma = g.AddConstant("gamma", RandomTensor({ch}, rng, 0.5f, 1.5f));
  const ValueId beta = g.AddConstant("beta", RandomTensor({ch}, rng));
  const ValueId mean = g.AddConstant("mean", RandomTensor({ch}, rng));
  const ValueId var = g.AddConstant("var", RandomTensor({ch}, rng, 0.5f, 2.0f));
  const ValueId z = g.AddValue("z", DType::kF32, {}, false), out = g.AddValue("out", DType::kF32, {}, false);
  g.nodes.push_back({"bn", "BatchNormalization", {y, gamma, beta, mean, var}, {z}, {}});
  g.nodes.push_back({"relu", "Relu", {z}, {out}, {}});
  g.outputs.push_back(out);
  return g;
}

TEST(PassesTest, BatchNormFoldingIsNumericallyEqual) {
  for (bool gemm : {false, true}) {
    SCOPED_TRACE(gemm ? "Gemm" : "Conv");
    std::mt19937 rng(21);
    Graph g = ConvBnRelu(&rng, gemm);
    Tensor x = RandomTensor(g.values[g.inputs[0]].shape, &rng);
    ExecutorOptions unoptimized;
    unoptimized.optimize = false;
    auto want = RunGraph(g, {x}, unoptimized);
    ASSERT_TRUE(want.ok()) << want.status().ToString();
    Graph opt = g;
    OptimizeStats stats;
    ASSERT_TRUE(OptimizeGraph(&opt, &stats).ok());
    EXPECT_EQ(stats.folded_batchnorms, 1);
    EXPECT_EQ(stats.fused_activations, 1);
    ASSERT_EQ(opt.nodes.size(), 1u);
    EXPECT_EQ(opt.nodes[0].attrs.Find(kAttrActivation)->s, "Relu");
    auto got = RunGraph(opt, {x}, unoptimized);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_TRUE(AllClose((*got)[0], ToVector((*want)[0]), 1e-5f, 1e-5f));
  }
}

TEST(PassesTest, NoFoldingWhenIntermediateIsShared) {
  std::mt19937 rng(22);
  Graph g = ConvBnRelu(&rng, false);
  g.outputs.push_back(g.nodes[0].outputs[0]);  // conv output also a graph output
  OptimizeStats stats;
  ASSERT_TRUE(OptimizeGraph(&g, &stats).ok());
  EXPECT_EQ(stats.folded_batchnorms, 0);
  EXPECT_EQ(g.nodes.size(), 3u);  // Conv, BN, Relu: Relu cannot fuse into BN
}

TEST(PassesTest, ConstantFoldingAndDeadNodes) {
  // out = x + Reshape(c1 * c2, [1, 4]); a dead branch from x.
  Graph g;
  const ValueId x = g.AddValue("x", DType::kF32, {3, 4});
  g.inputs.push_back(x);
  const ValueId c1 = g.AddConstant("c1", *Tensor::FromFloats({4}, {1, 2, 3, 4}));
  const ValueId c2 = g.AddConstant("c2", *Tensor::FromFloats({4}, {2, 2, 2, 2}));
  const ValueId shape = g.AddConstant("shape", testing::Int64s({1, 4}));
  const ValueId p = g.AddValue("p", DType::kF32, {}, false), r = g.AddValue("r", DType::kF32, {}, false);
  const ValueId out = g.AddValue("out", DType::kF32, {}, false), dead = g.AddValue("dead", DType::kF32, {}, false);
  g.nodes.push_back({"mul", "Mul", {c1, c2}, {p}, {}});
  g.nodes.push_back({"reshape", "Reshape", {p, shape}, {r}, {}});
  g.nodes.push_back({"add", "Add", {x, r}, {out}, {}});
  g.nodes.push_back({"unused", "Relu", {x}, {dead}, {}});
  g.outputs.push_back(out);
  OptimizeStats stats;
  ASSERT_TRUE(OptimizeGraph(&g, &stats).ok());
  EXPECT_EQ(stats.folded_constants, 2);
  EXPECT_EQ(stats.dead_nodes, 1);
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].op, "Add");
  ASSERT_TRUE(g.values[r].is_constant());
  EXPECT_TRUE(AllClose(*g.values[r].constant, {2, 4, 6, 8}, 0, 0));
  EXPECT_EQ(g.values[r].constant->shape(), (Shape{1, 4}));
}

TEST(PassesTest, ClipFusionKeepsBounds) {
  std::mt19937 rng(23);
  Graph g;
  const ValueId x = g.AddValue("x", DType::kF32, {2, 8});
  g.inputs.push_back(x);
  const ValueId w = g.AddConstant("w", RandomTensor({8, 5}, &rng, -3, 3));
  const ValueId lo = g.AddConstant("lo", testing::Scalar(-0.5f)), hi = g.AddConstant("hi", testing::Scalar(0.75f));
  const ValueId y = g.AddValue("y", DType::kF32, {}, false), z = g.AddValue("z", DType::kF32, {}, false);
  g.nodes.push_back({"mm", "MatMul", {x, w}, {y}, {}});
  g.nodes.push_back({"clip", "Clip", {y, lo, hi}, {z}, {}});
  g.outputs.push_back(z);
  Tensor in = RandomTensor({2, 8}, &rng, -2, 2);
  ExecutorOptions unoptimized;
  unoptimized.optimize = false;
  auto want = RunGraph(g, {in}, unoptimized);
  Graph opt = g;
  ASSERT_TRUE(OptimizeGraph(&opt).ok());
  ASSERT_EQ(opt.nodes.size(), 1u);
  EXPECT_FLOAT_EQ(opt.nodes[0].attrs.Find(kAttrClipMin)->f, -0.5f);
  EXPECT_FLOAT_EQ(opt.nodes[0].attrs.Find(kAttrClipMax)->f, 0.75f);
  for (bool direct : {true, false}) {
    ExecutorOptions o = unoptimized;
    o.direct_kernels = direct;
    auto got = RunGraph(opt, {in}, o);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_TRUE(AllClose((*got)[0], ToVector((*want)[0]), 1e-6f, 1e-6f));
  }
}

TEST(PassesTest, IdentityIsBypassed) {
  Graph g;
  const ValueId x = g.AddValue("x", DType::kF32, {4});
  g.inputs.push_back(x);
  const ValueId i = g.AddValue("i", DType::kF32, {}, false), y = g.AddValue("y", DType::kF32, {}, false);
  g.nodes.push_back({"id", "Identity", {x}, {i}, {}});
  g.nodes.push_back({"relu", "Relu", {i}, {y}, {}});
  g.outputs.push_back(y);
  OptimizeStats stats;
  ASSERT_TRUE(OptimizeGraph(&g, &stats).ok());
  EXPECT_EQ(stats.identities, 1);
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].inputs[0], x);
}

TEST(ExecutorTest, MemoryPlanSharesBuffers) {
  // A chain of 8 convs: activations of non-adjacent layers share bytes.
  std::mt19937 rng(24);
  Graph g;
  ValueId prev = g.AddValue("x", DType::kF32, {1, 8, 16, 16});
  g.inputs.push_back(prev);
  for (int i = 0; i < 8; ++i) {
    const ValueId w = g.AddConstant("w" + std::to_string(i), RandomTensor({8, 8, 3, 3}, &rng));
    const ValueId y = g.AddValue("y" + std::to_string(i), DType::kF32, {}, false);
    Node n{"conv" + std::to_string(i), "Conv", {prev, w}, {y}, {}};
    n.attrs.SetInts("pads", {1, 1, 1, 1});
    g.nodes.push_back(n);
    prev = y;
  }
  g.outputs.push_back(prev);
  auto exec = Executor::Create(g);
  ASSERT_TRUE(exec.ok());
  ASSERT_TRUE((*exec)->Prepare({{1, 8, 16, 16}}).ok());
  const PlanStats s = (*exec)->plan_stats();
  EXPECT_EQ(s.kernel_steps, 8);
  EXPECT_LE(s.arena_bytes * 3, s.unshared_bytes) << (*exec)->DescribePlan();
}

TEST(ExecutorTest, QuantizedNodeWithoutKernelIsNotSupported) {
  Graph g;
  const ValueId x = g.AddValue("x", DType::kF32, {4});
  g.inputs.push_back(x);
  const ValueId y = g.AddValue("y", DType::kU8, {}, false);
  // QuantizeLinear has no kernel yet (DynamicQuantizeLinear now has one).
  const float one = 1.0f;
  const ValueId s = g.AddConstant("s", *Tensor::FromData(DType::kF32, {}, &one, sizeof(one)));
  g.nodes.push_back({"dq", "QuantizeLinear", {x, s}, {y}, {}});
  g.outputs.push_back(y);
  auto exec = Executor::Create(g);
  ASSERT_FALSE(exec.ok());
  EXPECT_TRUE(exec.status().IsNotSupported());
  EXPECT_NE(exec.status().message().find("'dq'"), std::string::npos) << exec.status().ToString();
}

}  // namespace
}  // namespace edgepipe::nn
