#pragma once
// `edgepipe bench quant`: dynamic INT8 against FP32 and against the peers,
// in the same run. For TinyNet and BiggerNet (scripts/models/export.py,
// fixed seed), each batch size and thread count, the latency of one
// forward pass (warm-up, then `runs` timed runs: median and p90) of
//   edgepipe INT8 (its own quantizer + fused INT8 kernel; the subject),
//   edgepipe FP32, PyTorch FP32 and quantize_dynamic on the qnnpack and
//   onednn engines (bench/peers/quant_torch.py), ONNX Runtime FP32 and
//   INT8 on the very files edgepipe runs (bench/peers/quant_ort.mjs),
// plus the model sizes on disk and the INT8-vs-FP32 output agreement.
//
// `edgepipe bench model A.onnx [B.onnx ...]`: the latency of each model at
// each batch size and thread count with edgepipe (and ORT with `compare`).

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "edgepipe/bench/bench_report.h"
#include "edgepipe/core/status.h"

namespace edgepipe::bench {

struct QuantBenchOptions {
  std::vector<std::string> models = {"tinynet", "biggernet"};
  std::vector<int64_t> batches = {1, 32};
  std::vector<int> threads = {1, 2};
  int runs = 200;
  int warmup = 20;
  // Subsets of: edgepipe (always run), pytorch, onnxruntime.
  std::vector<std::string> engines = {"edgepipe", "pytorch", "onnxruntime"};
  std::string dir;    // where the .onnx files go; empty: a fresh /tmp directory
  bool keep = false;  // keep the files
  uint64_t seed = 0;  // weight seed of the models
  std::string source_dir;  // holds bench/peers, scripts/models, node_modules; empty: as io_scenario.h
  std::string node = "node";
  std::string python = "/usr/bin/python3";
  double peer_timeout_seconds = 1800;
  std::function<void(std::string_view line)> progress;
  std::string command_line;
};

// InvalidArgument for bad options; NotFound when the models cannot be
// exported (no python3-torch). Peer failures are report cells.
Result<BenchReport> RunQuantBench(const QuantBenchOptions& options);

struct ModelBenchOptions {
  std::vector<std::string> model_paths;  // the first one is the subject
  std::vector<int64_t> batches = {1};
  std::vector<int> threads = {1};
  int runs = 200;
  int warmup = 20;
  bool compare = false;  // also ONNX Runtime on each file
  std::string source_dir;
  std::string node = "node";
  double peer_timeout_seconds = 1800;
  std::function<void(std::string_view line)> progress;
  std::string command_line;
};

Result<BenchReport> RunModelBench(const ModelBenchOptions& options);

}  // namespace edgepipe::bench
