// Whole models, FP32: edgepipe's executor vs ONNX Runtime on the same .onnx
// (exported from PyTorch with fixed seeds) and the same input, batch 1 and 4.
// Also: edgepipe's own export of the optimized graph (fused activations,
// folded BN) runs in ONNX Runtime with the same result.

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "edgepipe/nn/executor.h"
#include "edgepipe/nn/npy.h"
#include "edgepipe/nn/onnx.h"
#include "edgepipe/nn/passes.h"
#include "nn/nn_peers.h"

namespace edgepipe::nn {
namespace {

constexpr float kRtol = 1e-4f;
constexpr float kAtol = 1e-5f;

struct ModelCase {
  const char* name;
  Shape input;  // batch 1
};

::testing::AssertionResult Close(const Tensor& got, const Tensor& want) {
  if (got.shape() != want.shape()) {
    return ::testing::AssertionFailure() << "shape " << ShapeToString(got.shape()) << " vs " << ShapeToString(want.shape());
  }
  float worst = 0;
  for (int64_t i = 0; i < got.num_elements(); ++i) {
    const float a = got.data_as<float>()[i], b = want.data_as<float>()[i];
    const float diff = std::fabs(a - b);
    worst = std::max(worst, diff);
    if (!(diff <= kAtol + kRtol * std::fabs(b))) {
      return ::testing::AssertionFailure() << "element " << i << ": edgepipe " << a << ", ONNX Runtime " << b;
    }
  }
  return ::testing::AssertionSuccess() << "max abs diff " << worst;
}

class ModelInteropTest : public ::testing::TestWithParam<ModelCase> {};

TEST_P(ModelInteropTest, MatchesOnnxRuntime) {
  EDGEPIPE_SKIP_WITHOUT_NN_PEERS();
  const ModelCase& c = GetParam();
  const std::string dir = testing::ScratchDir();
  const std::string model = dir + "/" + c.name + ".onnx";
  ASSERT_TRUE(testing::ExportZooModel(c.name, model).ok());
  auto graph = ImportOnnxFile(model);
  ASSERT_TRUE(graph.ok()) << graph.status().ToString();
  auto exec = Executor::Create(*graph);
  ASSERT_TRUE(exec.ok()) << exec.status().ToString();
  // The optimized graph, exported by us, must run in ORT too.
  const std::string reexported = dir + "/" + c.name + "_edgepipe.onnx";
  ASSERT_TRUE(ExportOnnxFile((*exec)->graph(), reexported).ok());
  for (int64_t batch : {1, 4}) {
    SCOPED_TRACE(std::string(c.name) + " batch " + std::to_string(batch));
    Shape shape = c.input;
    shape[0] = batch;
    std::mt19937 rng(static_cast<uint32_t>(batch) * 1000 + 7);
    Tensor x = *Tensor::Make(DType::kF32, shape);
    std::normal_distribution<float> dist(0, 1);
    for (int64_t i = 0; i < x.num_elements(); ++i) x.mutable_data_as<float>()[i] = dist(rng);
    const std::string xin = dir + "/x_" + c.name + std::to_string(batch) + ".npy";
    ASSERT_TRUE(WriteNpy(xin, x).ok());
    std::vector<Tensor> ours;
    ASSERT_TRUE((*exec)->Run({x}, &ours).ok());
    for (const std::string& m : {model, reexported}) {
      const std::string yout = dir + "/y_ort.npy";
      auto run = testing::RunOrt({"ort_run.mjs", "--model", m, "--input", xin, "--out", yout});
      ASSERT_TRUE(run.ok()) << run.status().ToString();
      auto want = ReadNpy(yout);
      ASSERT_TRUE(want.ok()) << want.status().ToString();
      EXPECT_TRUE(Close(ours[0], *want)) << m;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Zoo, ModelInteropTest,
                         ::testing::Values(ModelCase{"tinynet", {1, 128}}, ModelCase{"biggernet", {1, 1024}},
                                           ModelCase{"mobilenetv2", {1, 3, 224, 224}}),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace edgepipe::nn
