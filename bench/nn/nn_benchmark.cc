// Inference runtime microbenchmarks: one Gemm layer (batch 1..) with the
// direct kernel vs oneDNN, to place the kernel-choice threshold
// (kDirectGemmMaxMacs in src/nn/kernels_fp32_direct.cc), and whole models
// when EDGEPIPE_MODEL_DIR holds tinynet/biggernet/mobilenetv2.onnx.

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <random>

#include "edgepipe/nn/executor.h"
#include "edgepipe/nn/onnx.h"
#include "nn/gemm_direct.h"
#include "nn/qgemm.h"

namespace edgepipe::nn {
namespace {

Tensor Random(const Shape& shape, uint32_t seed) {
  Tensor t = *Tensor::Make(DType::kF32, shape);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1, 1);
  for (int64_t i = 0; i < t.num_elements(); ++i) t.mutable_data_as<float>()[i] = dist(rng);
  return t;
}

// args: M, K, N, direct (1) or oneDNN only (0)
void BM_Gemm(benchmark::State& state) {
  const int64_t m = state.range(0), k = state.range(1), n = state.range(2);
  Graph g;
  const ValueId x = g.AddValue("x", DType::kF32, {m, k});
  g.inputs.push_back(x);
  const ValueId w = g.AddConstant("w", Random({n, k}, 1));
  const ValueId b = g.AddConstant("b", Random({n}, 2));
  const ValueId y = g.AddValue("y", DType::kF32, {}, false);
  Node node{"gemm", "Gemm", {x, w, b}, {y}, {}};
  node.attrs.SetInt("transB", 1);
  g.nodes.push_back(node);
  g.outputs.push_back(y);
  ExecutorOptions options;
  options.direct_kernels = state.range(3) != 0;
  auto exec = Executor::Create(std::move(g), options);
  if (!exec.ok()) {
    state.SkipWithError(exec.status().ToString().c_str());
    return;
  }
  const std::vector<Tensor> in = {Random({m, k}, 3)};
  std::vector<Tensor> out;
  for (auto _ : state) {
    if (!(*exec)->Run(in, &out).ok()) state.SkipWithError("run failed");
    benchmark::DoNotOptimize(out[0].data());
  }
  state.SetItemsProcessed(state.iterations() * m * n * k);
  state.SetBytesProcessed(state.iterations() * n * k * 4);
}
BENCHMARK(BM_Gemm)
    ->ArgsProduct({{1, 4, 32}, {64, 128, 256, 512, 1024}, {10, 64, 256, 1024}, {1, 0}})
    ->ArgNames({"M", "K", "N", "direct"});

// The direct FP32 GEMM kernel alone (B packed once, row tiles). args: M, K, N.
void BM_GemmPacked(benchmark::State& state) {
  const int64_t m = state.range(0), k = state.range(1), n = state.range(2);
  const Tensor a = Random({m, k}, 3), b = Random({n, k}, 1), bias = Random({PaddedN(n)}, 2);
  std::vector<float> packed(static_cast<size_t>(k * PaddedN(n))), y(static_cast<size_t>(m * n));
  PackGemmBlocks(b.data_as<float>(), k, n, /*trans_b=*/true, 1.0f, packed.data());
  for (auto _ : state) {
    GemmPacked(a.data_as<float>(), m, k, packed.data(), n, bias.data_as<float>(), true, 0.0f, INFINITY, y.data());
    benchmark::DoNotOptimize(y.data());
  }
  state.SetItemsProcessed(state.iterations() * m * n * k);
}
BENCHMARK(BM_GemmPacked)
    ->ArgsProduct({{1, 4, 32}, {128, 1024}, {10, 64, 1024}})
    ->ArgNames({"M", "K", "N"});

// The fused INT8 GEMM alone (quantize + GEMM + epilogue). args: M, K, N,
// u8 (1: 7-bit weights in the kU8Quads scheme; 0: full-range kS16Pairs).
void BM_QGemm(benchmark::State& state) {
  const int64_t m = state.range(0), k = state.range(1), n = state.range(2);
  const int max_abs = state.range(3) != 0 ? kQU8MaxAbsWeight - 1 : 127;
  const Tensor x = Random({m, k}, 4);
  std::vector<int8_t> w(static_cast<size_t>(k * n));
  std::mt19937 rng(5);
  for (auto& v : w) v = static_cast<int8_t>(static_cast<int>(rng() % (2 * max_abs + 1)) - max_abs);
  const QPackedWeights packed = PackQWeights(w.data(), k, n, ChooseQScheme(w.data(), k * n));
  state.SetLabel(QSchemeName(packed.scheme));
  std::vector<float> scale(static_cast<size_t>(packed.padded_n), 1e-3f), bias(scale.size(), 0.5f);
  std::vector<uint8_t> a(QActivationBytes(packed, m));
  std::vector<float> y(static_cast<size_t>(m * n));
  for (auto _ : state) {
    const DynamicQuantParams p = ComputeDynamicQuantParams(x.data_as<float>(), m * k);
    QuantizeActivations(x.data_as<float>(), m, packed, p, a.data());
    QGemm(a.data(), m, packed, p, scale.data(), bias.data(), true, y.data());
    benchmark::DoNotOptimize(y.data());
  }
  state.SetItemsProcessed(state.iterations() * m * n * k);
}
BENCHMARK(BM_QGemm)
    ->ArgsProduct({{1}, {128}, {64}, {0, 1}})
    ->ArgsProduct({{32}, {128}, {64}, {0, 1}})
    ->ArgsProduct({{1}, {1024}, {1024}, {0, 1}})
    ->ArgsProduct({{32}, {1024}, {1024}, {0, 1}})
    ->ArgsProduct({{32}, {1024}, {10}, {0, 1}})
    ->ArgNames({"M", "K", "N", "u8"});

void BM_Model(benchmark::State& state, const char* name, Shape shape) {
  const char* dir = std::getenv("EDGEPIPE_MODEL_DIR");
  if (dir == nullptr) {
    state.SkipWithError("set EDGEPIPE_MODEL_DIR to a folder with models from `edgepipe models export`");
    return;
  }
  auto graph = ImportOnnxFile((std::filesystem::path(dir) / (std::string(name) + ".onnx")).string());
  if (!graph.ok()) {
    state.SkipWithError(graph.status().ToString().c_str());
    return;
  }
  ExecutorOptions options;
  options.threads = static_cast<int>(state.range(0));
  auto exec = Executor::Create(std::move(*graph), options);
  if (!exec.ok()) {
    state.SkipWithError(exec.status().ToString().c_str());
    return;
  }
  const std::vector<Tensor> in = {Random(shape, 4)};
  std::vector<Tensor> out;
  for (auto _ : state) {
    if (!(*exec)->Run(in, &out).ok()) state.SkipWithError("run failed");
    benchmark::DoNotOptimize(out[0].data());
  }
}
BENCHMARK_CAPTURE(BM_Model, tinynet_b1, "tinynet", Shape{1, 128})->Arg(1)->Arg(2)->ArgName("threads");
BENCHMARK_CAPTURE(BM_Model, biggernet_b1, "biggernet", Shape{1, 1024})->Arg(1)->Arg(2)->ArgName("threads");
BENCHMARK_CAPTURE(BM_Model, mobilenetv2_b1, "mobilenetv2", Shape{1, 3, 224, 224})
    ->Arg(1)->Arg(2)->ArgName("threads")->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace edgepipe::nn

BENCHMARK_MAIN();
