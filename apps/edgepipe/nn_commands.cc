// Inference subcommands:
//   edgepipe models export tinynet|biggernet|mobilenetv2 --out X.onnx
//   edgepipe run MODEL.onnx (--input x.npy | --random-input --seed N) [--out y.npy] [--threads N]
//   edgepipe inspect-model MODEL.onnx [--json] [--optimized]
//   edgepipe quantize MODEL.onnx --mode dynamic --out MODEL.int8.onnx

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <random>

#include "apps/edgepipe/commands.h"
#include "edgepipe/core/subprocess.h"
#include "edgepipe/nn/executor.h"
#include "edgepipe/nn/model_summary.h"
#include "edgepipe/nn/npy.h"
#include "edgepipe/nn/onnx.h"
#include "edgepipe/nn/passes.h"
#include "edgepipe/nn/quantize_dynamic.h"

namespace edgepipe::cli {
namespace {

namespace fs = std::filesystem;

// "13.3 MiB" (kept local so this file depends on the nn library only).
std::string Bytes(size_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 3) v /= 1024, ++u;
  return u == 0 ? fmt::format("{} B", bytes) : fmt::format("{:.1f} {}", v, units[u]);
}

// scripts/models/export.py: $EDGEPIPE_SOURCE_DIR, else next to the binary
// in a build tree (<repo>/<build>/bin/edgepipe) or an install
// (<prefix>/share/edgepipe).
Result<std::string> FindExportScript(const std::string& explicit_path) {
  if (!explicit_path.empty()) return explicit_path;
  std::vector<fs::path> candidates;
  if (const char* src = std::getenv("EDGEPIPE_SOURCE_DIR"); src && *src) {
    candidates.push_back(fs::path(src) / "scripts/models/export.py");
  }
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    candidates.push_back(exe.parent_path() / "../../scripts/models/export.py");
    candidates.push_back(exe.parent_path() / "../share/edgepipe/scripts/models/export.py");
  }
  for (const fs::path& p : candidates) {
    if (fs::exists(p, ec)) return fs::weakly_canonical(p, ec).string();
  }
  return Status::NotFound("cannot find scripts/models/export.py; set EDGEPIPE_SOURCE_DIR to the repository or pass --script");
}

// export.py talks to the user: its stderr lines are passed on as they
// arrive (torch's warnings, the missing-package hint), its stdout after it
// exits. Exit code 3 is its "PyTorch missing" signal.
Status RunPython(const std::vector<std::string>& args) {
  const char* py_env = std::getenv("EDGEPIPE_PYTHON");
  const std::string python = py_env && *py_env ? py_env : "/usr/bin/python3";
  std::vector<std::string> argv = {python};
  argv.insert(argv.end(), args.begin(), args.end());
  SubprocessOptions options;
  options.own_process_group = false;  // Ctrl-C stops the export too
  options.on_stderr_line = [](std::string_view line) {
    fmt::print(stderr, "{}\n", line);
    return true;
  };
  ASSIGN_OR_RETURN(SubprocessResult run, RunSubprocess(argv, options));
  if (run.spawn_error != 0) {
    return Status::NotFound("cannot run " + python + ": " + std::strerror(run.spawn_error) +
                            " (install the Debian packages python3 python3-torch python3-torchvision python3-onnx)");
  }
  std::fwrite(run.stdout_text.data(), 1, run.stdout_text.size(), stdout);
  std::fflush(stdout);
  if (run.exit_code == 0) return Status::OK();
  if (run.exit_code == 3) {
    return Status::NotFound("the model export needs PyTorch (see the message above for the Debian package)");
  }
  return Status::IOError("model export failed (" + python + " exited with status " +
                         std::to_string(run.term_signal != 0 ? 128 + run.term_signal : run.exit_code) + ")");
}

Result<nn::Tensor> RandomInput(const nn::Value& input, int64_t batch, uint64_t seed) {
  nn::Shape shape = input.shape;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] < 0) shape[i] = i == 0 ? batch : 1;
  }
  if (input.dtype != nn::DType::kF32) return Status::NotSupported("--random-input makes f32 inputs only");
  ASSIGN_OR_RETURN(nn::Tensor t, nn::Tensor::Make(nn::DType::kF32, shape));
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  float* p = t.mutable_data_as<float>();
  for (int64_t i = 0; i < t.num_elements(); ++i) p[i] = dist(rng);
  return t;
}

nlohmann::ordered_json ShapeJson(const nn::TensorInfo& t) {
  if (!t.shape_known) return nullptr;
  return t.shape;  // -1: known only at run time
}

nlohmann::ordered_json TensorJson(const nn::TensorInfo& t) {
  if (t.name.empty()) return nullptr;  // omitted optional input
  nlohmann::ordered_json j = {{"name", t.name}, {"dtype", std::string(nn::DTypeName(t.dtype))}, {"shape", ShapeJson(t)}};
  if (t.constant) j["constant"] = true;
  return j;
}

nlohmann::ordered_json RangeJson(const nn::ValueRange& r) { return {{"count", r.count}, {"min", r.min}, {"max", r.max}}; }

nlohmann::ordered_json QuantJson(const nn::QuantParams& q) {
  if (!q.present) return nullptr;
  nlohmann::ordered_json j = {{"tensor", q.tensor},
                      {"shape", q.shape},
                      {"dtype", std::string(nn::DTypeName(q.dtype))},
                      {"granularity", std::string(nn::QuantGranularityName(q.granularity))},
                      {"dynamic", q.dynamic}};
  if (q.granularity == nn::QuantGranularity::kPerChannel) j["axis"] = q.axis;
  j["scale"] = q.scale.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(q.scale);
  if (q.scales.count > 0) j["scales"] = RangeJson(q.scales);
  j["zero_point"] = q.zero_point.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(q.zero_point);
  if (q.zero_points.count > 0) j["zero_points"] = RangeJson(q.zero_points);
  if (q.values.count > 0) j["values"] = RangeJson(q.values);
  return j;
}

// Field for field the library's ModelSummary (include/edgepipe/nn/model_summary.h).
nlohmann::ordered_json SummaryJson(const nn::ModelSummary& s) {
  nlohmann::ordered_json j;
  j["graph"] = s.graph_name;
  j["opset"] = s.opset;
  j["num_nodes"] = s.nodes.size();
  j["inputs"] = nlohmann::ordered_json::array();
  for (const nn::TensorInfo& t : s.inputs) j["inputs"].push_back(TensorJson(t));
  j["outputs"] = nlohmann::ordered_json::array();
  for (const nn::TensorInfo& t : s.outputs) j["outputs"].push_back(TensorJson(t));
  j["parameter_bytes"] = s.parameter_bytes;
  j["parameter_tensors"] = s.parameter_tensors;
  j["parameters_by_dtype"] = nlohmann::ordered_json::array();
  for (const nn::ParameterBytesByType& p : s.parameters) {
    j["parameters_by_dtype"].push_back({{"dtype", std::string(nn::DTypeName(p.dtype))},
                                        {"bytes", p.bytes},
                                        {"tensors", p.tensors},
                                        {"elements", p.elements}});
  }
  j["op_counts"] = s.op_counts;
  j["quantized_layers"] = nlohmann::ordered_json::array();
  for (const nn::QuantizedLayer& q : s.quantized_layers) {
    j["quantized_layers"].push_back({{"name", q.name},
                                     {"op", q.op},
                                     {"scheme", std::string(nn::QuantSchemeName(q.scheme))},
                                     {"weights", QuantJson(q.weights)},
                                     {"input", QuantJson(q.input)},
                                     {"output", QuantJson(q.output)},
                                     {"bias", q.bias.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(q.bias)},
                                     {"nodes", q.nodes}});
  }
  j["nodes"] = nlohmann::ordered_json::array();
  for (const nn::NodeInfo& n : s.nodes) {
    nlohmann::ordered_json jn = {{"name", n.name}, {"op", n.op}, {"parameter_bytes", n.parameter_bytes}};
    if (!n.fused_activation.empty()) jn["fused_activation"] = n.fused_activation;
    jn["inputs"] = nlohmann::ordered_json::array();
    for (const nn::TensorInfo& t : n.inputs) jn["inputs"].push_back(TensorJson(t));
    jn["outputs"] = nlohmann::ordered_json::array();
    for (const nn::TensorInfo& t : n.outputs) jn["outputs"].push_back(TensorJson(t));
    jn["quantized_layer"] = n.layer >= 0 ? nlohmann::ordered_json(n.layer) : nlohmann::ordered_json(nullptr);
    j["nodes"].push_back(jn);
  }
  return j;
}

struct ModelsFlags {
  std::string model, out, script;
  int opset = 13;
  int seed = 0;
};

struct RunFlags {
  std::string model, input, out;
  bool random_input = false;
  uint64_t seed = 0;
  int64_t batch = 1;
  int threads = 0;
  int repeat = 0;
  bool no_optimize = false;
  bool onednn_only = false;
  bool print_plan = false;
};

struct QuantizeFlags {
  std::string model, out, mode = "dynamic";
  int64_t min_macs = 0;
  bool full_range = false;
};

struct InspectFlags {
  std::string model;
  bool json = false;
  bool optimized = false;
};

}  // namespace

void AddModelsCommand(CLI::App* app, RunFn* run) {
  auto* cmd = app->add_subcommand("models", "The model zoo (PyTorch -> ONNX via scripts/models/export.py)");
  cmd->require_subcommand(1);
  auto* exp = cmd->add_subcommand("export", "Export tinynet, biggernet or mobilenetv2 to ONNX (fixed-seed weights)");
  auto flags = std::make_shared<ModelsFlags>();
  exp->add_option("model", flags->model, "tinynet | biggernet | mobilenetv2")
      ->required()
      ->check(CLI::IsMember({"tinynet", "biggernet", "mobilenetv2"}));
  exp->add_option("--out,-o", flags->out, "Output .onnx file")->required();
  exp->add_option("--opset", flags->opset, "ONNX opset (13-17)")->check(CLI::Range(13, 17));
  exp->add_option("--seed", flags->seed, "Weight seed");
  exp->add_option("--script", flags->script, "Path of export.py (default: found from the source tree)");
  exp->callback([run, flags] {
    *run = [flags]() -> Status {
      ASSIGN_OR_RETURN(std::string script, FindExportScript(flags->script));
      return RunPython({script, flags->model, "--out", flags->out, "--opset", std::to_string(flags->opset), "--seed",
                        std::to_string(flags->seed)});
    };
  });
}

void AddRunCommand(CLI::App* app, RunFn* run) {
  auto* cmd = app->add_subcommand("run", "Run an ONNX model on a .npy input (FP32 on oneDNN)");
  auto flags = std::make_shared<RunFlags>();
  cmd->add_option("model", flags->model, "Model (.onnx)")->required();
  auto* input = cmd->add_option("--input,-i", flags->input, "Input tensor (.npy, float32, C order)");
  auto* random = cmd->add_flag("--random-input", flags->random_input, "Generate a N(0,1) input of the model's shape");
  input->excludes(random);
  cmd->add_option("--seed", flags->seed, "Seed for --random-input");
  cmd->add_option("--batch", flags->batch, "Batch size for --random-input (dynamic batch dims)")->check(CLI::PositiveNumber);
  cmd->add_option("--out,-o", flags->out, "Write the first output here (.npy); default: print a summary");
  cmd->add_option("--threads", flags->threads, "oneDNN threads (0 = all cores)")->check(CLI::NonNegativeNumber);
  cmd->add_option("--repeat", flags->repeat, "Run N more times after a warm-up and print latency (median, min)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--no-optimize", flags->no_optimize, "Skip graph passes (folding, fusion)");
  cmd->add_flag("--onednn-only", flags->onednn_only, "Use oneDNN even where a direct kernel is faster");
  cmd->add_flag("--plan", flags->print_plan, "Print the execution plan (kernels, layouts, arena)");
  cmd->callback([run, flags] {
    *run = [flags]() -> Status {
      if (flags->input.empty() && !flags->random_input) {
        return Status::InvalidArgument("give --input x.npy or --random-input");
      }
      ASSIGN_OR_RETURN(nn::Graph graph, nn::ImportOnnxFile(flags->model));
      if (graph.inputs.size() != 1) {
        return Status::NotSupported("run takes models with one input; this one has " + std::to_string(graph.inputs.size()));
      }
      nn::Tensor x;
      if (flags->random_input) {
        ASSIGN_OR_RETURN(x, RandomInput(graph.values[graph.inputs[0]], flags->batch, flags->seed));
      } else {
        ASSIGN_OR_RETURN(x, nn::ReadNpy(flags->input));
      }
      nn::ExecutorOptions options;
      options.threads = flags->threads;
      options.optimize = !flags->no_optimize;
      options.direct_kernels = !flags->onednn_only;
      ASSIGN_OR_RETURN(std::unique_ptr<nn::Executor> exec, nn::Executor::Create(std::move(graph), options));
      std::vector<nn::Tensor> outputs;
      const std::vector<nn::Tensor> inputs = {x};
      RETURN_NOT_OK(exec->Run(inputs, &outputs));
      if (flags->print_plan) fmt::print(stderr, "{}", exec->DescribePlan());
      if (flags->repeat > 0) {
        for (int i = 0; i < std::min(flags->repeat, 20); ++i) RETURN_NOT_OK(exec->Run(inputs, &outputs));
        std::vector<double> ms;
        for (int i = 0; i < flags->repeat; ++i) {
          const auto t0 = std::chrono::steady_clock::now();
          RETURN_NOT_OK(exec->Run(inputs, &outputs));
          ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
        }
        std::sort(ms.begin(), ms.end());
        fmt::print(stderr, "latency over {} runs: median {:.4f} ms, min {:.4f} ms, p90 {:.4f} ms ({}, threads={})\n",
                   ms.size(), ms[ms.size() / 2], ms[0], ms[ms.size() * 9 / 10], nn::RuntimeDescription(),
                   flags->threads);
      }
      const nn::Tensor& y = outputs.at(0);
      if (!flags->out.empty()) return nn::WriteNpy(flags->out, y);
      fmt::print("output {} {}:", nn::DTypeName(y.dtype()), nn::ShapeToString(y.shape()));
      if (y.dtype() == nn::DType::kF32) {
        for (int64_t i = 0; i < std::min<int64_t>(y.num_elements(), 10); ++i) fmt::print(" {:.6g}", y.data_as<float>()[i]);
        if (y.num_elements() > 10) fmt::print(" ...");
      }
      fmt::print("\n");
      return Status::OK();
    };
  });
}

void AddInspectModelCommand(CLI::App* app, RunFn* run) {
  auto* cmd = app->add_subcommand("inspect-model", "Ops, shapes, parameter bytes and quantization of an ONNX model");
  auto flags = std::make_shared<InspectFlags>();
  cmd->add_option("model", flags->model, "Model (.onnx)")->required();
  cmd->add_flag("--json", flags->json, "Print JSON");
  cmd->add_flag("--optimized", flags->optimized, "Show the graph after folding and fusion passes");
  cmd->callback([run, flags] {
    *run = [flags]() -> Status {
      ASSIGN_OR_RETURN(nn::Graph graph, nn::ImportOnnxFile(flags->model));
      if (flags->optimized) RETURN_NOT_OK(nn::OptimizeGraph(&graph));
      ASSIGN_OR_RETURN(nn::ModelSummary summary, nn::SummarizeModel(graph));
      if (flags->json) {
        nlohmann::ordered_json j = {{"path", flags->model}};
        j.update(SummaryJson(summary));
        fmt::print("{}\n", j.dump(2));
      } else {
        fmt::print("{}", nn::FormatModelSummary(summary, flags->model));
      }
      return Status::OK();
    };
  });
}

void AddQuantizeCommand(CLI::App* app, RunFn* run) {
  auto* cmd = app->add_subcommand(
      "quantize", "Quantize an ONNX model to INT8 (dynamic: per-channel s8 weights, per-tensor u8 activations at run "
                  "time; standard ONNX DynamicQuantizeLinear + MatMulInteger that ONNX Runtime runs too)");
  auto flags = std::make_shared<QuantizeFlags>();
  cmd->add_option("model", flags->model, "FP32 model (.onnx)")->required();
  cmd->add_option("--out,-o", flags->out, "Quantized model (.onnx)")->required();
  cmd->add_option("--mode", flags->mode, "dynamic (static PTQ is not implemented yet)")
      ->capture_default_str()
      ->check(CLI::IsMember({"dynamic"}));
  cmd->add_option("--min-macs", flags->min_macs, "Keep layers with fewer multiply-adds per row in FP32")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--full-range", flags->full_range,
                "8-bit weights in [-127, 127] instead of the default 7-bit [-63, 63]: slightly more accurate, but "
                "x86 u8*s8 kernels without VNNI (ONNX Runtime's, edgepipe's fast path) saturate or slow down");
  cmd->callback([run, flags] {
    *run = [flags]() -> Status {
      ASSIGN_OR_RETURN(nn::Graph graph, nn::ImportOnnxFile(flags->model));
      nn::QuantizeDynamicOptions options;
      options.min_macs_per_row = flags->min_macs;
      options.reduce_range = !flags->full_range;
      ASSIGN_OR_RETURN(nn::QuantizeDynamicStats stats, nn::QuantizeDynamic(&graph, options));
      if (stats.quantized == 0) {
        return Status::NotSupported("no Gemm/MatMul with constant weights to quantize in " + flags->model +
                                    (stats.skipped_reasons.empty() ? "" : ":\n" + stats.skipped_reasons));
      }
      RETURN_NOT_OK(nn::ExportOnnxFile(graph, flags->out));
      std::error_code ec;
      const auto in_bytes = fs::file_size(flags->model, ec);
      const auto out_bytes = ec ? 0 : fs::file_size(flags->out, ec);
      fmt::print("{}: quantized {} layer(s) (dynamic INT8, per-channel s8 weights in {}), kept {} in FP32\n",
                 flags->out, stats.quantized, options.reduce_range ? "[-63, 63]" : "[-127, 127]", stats.skipped);
      if (!stats.skipped_reasons.empty()) fmt::print("{}", stats.skipped_reasons);
      fmt::print("weights {} -> {}; file {} -> {} ({:.3f}x)\n", Bytes(stats.fp32_weight_bytes),
                 Bytes(stats.int8_weight_bytes), Bytes(in_bytes), Bytes(out_bytes),
                 in_bytes ? static_cast<double>(out_bytes) / static_cast<double>(in_bytes) : 0.0);
      return Status::OK();
    };
  });
}

}  // namespace edgepipe::cli
