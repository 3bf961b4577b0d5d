#include "edgepipe/bench/quant_scenario.h"

#include <fmt/core.h>
#include <stdlib.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <memory>
#include <random>

#include "edgepipe/bench/peer_runner.h"
#include "edgepipe/nn/executor.h"
#include "edgepipe/nn/onnx.h"
#include "edgepipe/nn/quantize_dynamic.h"

#ifndef EDGEPIPE_SOURCE_DIR_DEFAULT
#define EDGEPIPE_SOURCE_DIR_DEFAULT "."
#endif

namespace edgepipe::bench {

namespace fs = std::filesystem;

namespace {

std::string ResolveSourceDir(const std::string& given) {
  if (!given.empty()) return given;
  const char* env = std::getenv("EDGEPIPE_SOURCE_DIR");
  return env != nullptr && *env != '\0' ? env : EDGEPIPE_SOURCE_DIR_DEFAULT;
}

std::string RowId(const std::string& model, int64_t batch, int threads) {
  return fmt::format("{}_b{}_t{}", model, batch, threads);
}

std::string ModelLabel(const std::string& model) {
  if (model == "tinynet") return "TinyNet";
  if (model == "biggernet") return "BiggerNet";
  return model;
}

CellStatus FromPeer(PeerStatus s) {
  switch (s) {
    case PeerStatus::kOk: return CellStatus::kOk;
    case PeerStatus::kNotInstalled: return CellStatus::kNotInstalled;
    case PeerStatus::kTimedOut: return CellStatus::kTimedOut;
    case PeerStatus::kFailed: return CellStatus::kFailed;
  }
  return CellStatus::kFailed;
}

Result<nn::Tensor> RandomInput(const nn::Graph& g, int64_t batch, uint32_t seed) {
  nn::Shape shape = g.values[g.inputs.at(0)].shape;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] < 0) shape[d] = d == 0 ? batch : 1;
  }
  if (!shape.empty()) shape[0] = batch;
  ASSIGN_OR_RETURN(nn::Tensor t, nn::Tensor::Make(nn::DType::kF32, shape));
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  for (int64_t i = 0; i < t.num_elements(); ++i) t.mutable_data_as<float>()[i] = dist(rng);
  return t;
}

// Times one model with edgepipe at one thread count, every batch; fills
// `cells[batch index]`. `out` receives the output of the last batch.
Status TimeEdgepipe(const std::string& path, int threads, const std::vector<int64_t>& batches, int runs, int warmup,
                    std::vector<Cell>* cells, std::vector<nn::Tensor>* outputs_per_batch) {
  ASSIGN_OR_RETURN(nn::Graph graph, nn::ImportOnnxFile(path));
  nn::ExecutorOptions options;
  options.threads = threads;
  ASSIGN_OR_RETURN(std::unique_ptr<nn::Executor> exec, nn::Executor::Create(std::move(graph), options));
  cells->assign(batches.size(), Cell{});
  outputs_per_batch->assign(batches.size(), nn::Tensor());
  for (size_t b = 0; b < batches.size(); ++b) {
    ASSIGN_OR_RETURN(nn::Tensor x, RandomInput(exec->graph(), batches[b], 1234));
    const std::vector<nn::Tensor> inputs = {x};
    std::vector<nn::Tensor> outputs;
    MeasureOptions m;
    m.runs = runs;
    m.warmup = warmup;
    Result<Samples> s = Measure([&] { return exec->Run(inputs, &outputs); }, m);
    Cell& cell = (*cells)[b];
    if (!s.ok()) {
      cell.status = CellStatus::kFailed;
      cell.message = s.status().ToString();
      continue;
    }
    cell.status = CellStatus::kOk;
    cell.samples = std::move(*s);
    (*outputs_per_batch)[b] = outputs.at(0);
  }
  return Status::OK();
}

double Cosine(const nn::Tensor& a, const nn::Tensor& b) {
  if (a.empty_tensor() || b.empty_tensor() || a.num_elements() != b.num_elements()) return NAN;
  double ab = 0, aa = 0, bb = 0;
  for (int64_t i = 0; i < a.num_elements(); ++i) {
    const double x = a.data_as<float>()[i], y = b.data_as<float>()[i];
    ab += x * y, aa += x * x, bb += y * y;
  }
  return ab / std::sqrt(aa * bb + 1e-300);
}

// Runs quant_ort.mjs on `models`; calls `store(model, batch, threads, cell)`.
void RunOrtPeer(const std::string& source_dir, const std::string& node, double timeout,
                const std::vector<std::string>& models, const std::vector<int64_t>& batches,
                const std::vector<int>& threads, int runs, int warmup, EngineInfo* engine,
                const std::function<void(const std::string&, int64_t, int, Cell)>& store,
                const std::function<void(std::string_view)>& progress) {
  std::string model_list, batch_list, thread_list;
  for (const auto& m : models) model_list += (model_list.empty() ? "" : ",") + m;
  for (int64_t b : batches) batch_list += (batch_list.empty() ? "" : ",") + std::to_string(b);
  for (int t : threads) thread_list += (thread_list.empty() ? "" : ",") + std::to_string(t);
  PeerCommand cmd;
  cmd.name = "onnxruntime";
  cmd.argv = {node, source_dir + "/bench/peers/quant_ort.mjs", "--models", model_list, "--batches", batch_list,
              "--threads", thread_list, "--runs", std::to_string(runs), "--warmup", std::to_string(warmup)};
  cmd.working_dir = source_dir;
  cmd.timeout_seconds = timeout;
  Result<PeerOutcome> outcome = PeerRunner().Run(cmd, [&](std::string_view line) {
    if (progress) progress("onnxruntime: " + std::string(line));
  });
  if (!outcome.ok() || outcome->status != PeerStatus::kOk) {
    engine->status = outcome.ok() ? FromPeer(outcome->status) : CellStatus::kFailed;
    engine->message = outcome.ok() ? outcome->message : outcome.status().ToString();
    return;
  }
  const nlohmann::json& out = outcome->output;
  engine->version = out.value("version", "");
  engine->details = {{"node", out.value("node", "")}, {"timing", "hrtime around await session.run() in node"}};
  for (const auto& r : out.value("results", nlohmann::json::array())) {
    Cell cell;
    if (r.contains("error")) {
      cell.status = CellStatus::kFailed;
      cell.message = r["error"].get<std::string>();
    } else {
      cell.status = CellStatus::kOk;
      cell.samples = SamplesFromSeconds(r["seconds"].get<std::vector<double>>());
    }
    store(r.value("model", ""), r.value("batch", int64_t{0}), r.value("threads", 0), std::move(cell));
  }
}

}  // namespace

Result<BenchReport> RunQuantBench(const QuantBenchOptions& o) {
  if (o.runs < 1 || o.warmup < 0) return Status::InvalidArgument("--runs must be >= 1 and --warmup >= 0");
  if (o.batches.empty() || o.threads.empty() || o.models.empty()) return Status::InvalidArgument("empty batch, thread or model list");
  for (const auto& m : o.models) {
    if (m != "tinynet" && m != "biggernet") return Status::InvalidArgument("unknown model '" + m + "' (tinynet, biggernet)");
  }
  auto wanted = [&](std::string_view id) { return std::find(o.engines.begin(), o.engines.end(), id) != o.engines.end(); };
  auto progress = [&](const std::string& line) {
    if (o.progress) o.progress("[bench quant] " + line);
  };
  const std::string source_dir = ResolveSourceDir(o.source_dir);
  std::string dir = o.dir;
  bool created = false;
  if (dir.empty()) {
    std::string templ = (fs::temp_directory_path() / "edgepipe-bench-quant-XXXXXX").string();
    if (mkdtemp(templ.data()) == nullptr) return Status::IOError("cannot create a directory under /tmp");
    dir = templ;
    created = true;
  }
  std::error_code ec;
  fs::create_directories(dir, ec);

  BenchReport report;
  report.scenario = "quant";
  report.title = "edgepipe bench quant: dynamic INT8 vs FP32 vs PyTorch and ONNX Runtime (latency per forward pass)";
  report.command = o.command_line;
  report.date = UtcNow();
  report.machine = GetMachineInfo();
  report.build = GetBuildInfo();
  report.config = {{"models", o.models}, {"batches", o.batches}, {"threads", o.threads}, {"runs", o.runs},
                   {"warmup", o.warmup}, {"seed", o.seed}, {"dir", dir}};
  struct Col {
    const char* id;
    const char* label;
  };
  const Col cols[] = {{"edgepipe_int8", "edgepipe INT8"},     {"edgepipe_fp32", "edgepipe FP32"},
                      {"torch_fp32", "PyTorch FP32"},         {"torch_qnnpack", "PyTorch INT8 qnnpack"},
                      {"torch_onednn", "PyTorch INT8 onednn"}, {"ort_fp32", "ORT FP32"},
                      {"ort_int8", "ORT INT8"}};
  for (const Col& c : cols) {
    EngineInfo e;
    e.id = c.id;
    e.label = c.label;
    const std::string id = c.id;
    if (id.rfind("edgepipe", 0) == 0) {
      e.version = report.build.edgepipe_version + ", " + nn::RuntimeDescription();
      e.is_peer = false;  // edgepipe FP32 has its own ratio line, INT8 vs FP32
    }
    if (id.rfind("torch", 0) == 0 && !wanted("pytorch")) e.status = CellStatus::kNotRun;
    if (id.rfind("ort", 0) == 0 && !wanted("onnxruntime")) e.status = CellStatus::kNotRun;
    report.engines.push_back(std::move(e));
  }
  std::map<std::string, size_t> row_of;
  for (const auto& m : o.models) {
    for (int t : o.threads) {
      for (int64_t b : o.batches) {
        row_of[RowId(m, b, t)] = report.rows.size();
        report.AddRow(RowId(m, b, t), fmt::format("{} batch {}, {} thread{}", ModelLabel(m), b, t, t == 1 ? "" : "s"), false);
      }
    }
  }
  auto put = [&](const std::string& model, int64_t batch, int threads, const std::string& engine, Cell cell) {
    auto r = row_of.find(RowId(model, batch, threads));
    const int e = report.EngineIndex(engine);
    if (r == row_of.end() || e < 0) return;
    report.rows[r->second].cells[e] = std::move(cell);
  };

  // 1. FP32 models from PyTorch (fixed seed), INT8 from edgepipe's quantizer.
  progress("exporting the FP32 models (PyTorch) to " + dir);
  PeerCommand exp;
  exp.name = "export";
  exp.argv = {o.python, source_dir + "/bench/peers/quant_torch.py", "export", "--dir", dir, "--seed", std::to_string(o.seed)};
  exp.timeout_seconds = o.peer_timeout_seconds;
  ASSIGN_OR_RETURN(PeerOutcome exported, PeerRunner().Run(exp));
  if (exported.status != PeerStatus::kOk) {
    return Status::NotFound("cannot export the models with PyTorch (" + std::string(PeerStatusName(exported.status)) +
                            "): " + exported.message);
  }
  std::map<std::string, std::string> fp32_path, int8_path;
  for (const auto& m : o.models) {
    fp32_path[m] = dir + "/" + m + ".onnx";
    int8_path[m] = dir + "/" + m + ".int8.onnx";
    ASSIGN_OR_RETURN(nn::Graph g, nn::ImportOnnxFile(fp32_path[m]));
    ASSIGN_OR_RETURN(nn::QuantizeDynamicStats qs, nn::QuantizeDynamic(&g));
    RETURN_NOT_OK(nn::ExportOnnxFile(g, int8_path[m]));
    const auto fb = fs::file_size(fp32_path[m], ec), ib = fs::file_size(int8_path[m], ec);
    report.notes.push_back(fmt::format("{} on disk: FP32 ONNX {} bytes, edgepipe INT8 ONNX {} bytes ({:.3f}x; {} layers quantized)",
                                       ModelLabel(m), fb, ib, fb ? double(ib) / double(fb) : 0.0, qs.quantized));
    report.config["files"][m] = {{"fp32", fp32_path[m]}, {"int8", int8_path[m]}, {"fp32_bytes", fb}, {"int8_bytes", ib}};
  }

  // 2. edgepipe, in process.
  for (const auto& m : o.models) {
    for (int t : o.threads) {
      std::vector<Cell> cells_fp32, cells_int8;
      std::vector<nn::Tensor> out_fp32, out_int8;
      progress(fmt::format("edgepipe: {} threads={}", m, t));
      RETURN_NOT_OK(TimeEdgepipe(fp32_path[m], t, o.batches, o.runs, o.warmup, &cells_fp32, &out_fp32));
      RETURN_NOT_OK(TimeEdgepipe(int8_path[m], t, o.batches, o.runs, o.warmup, &cells_int8, &out_int8));
      for (size_t b = 0; b < o.batches.size(); ++b) {
        if (t == o.threads.front()) {
          report.notes.push_back(fmt::format("{} batch {}: edgepipe INT8 vs FP32 output cosine similarity {:.6f}",
                                             ModelLabel(m), o.batches[b], Cosine(out_int8[b], out_fp32[b])));
        }
        if (cells_fp32[b].status == CellStatus::kOk && cells_int8[b].status == CellStatus::kOk) {
          cells_int8[b].message = fmt::format("{:.2f}x vs edgepipe FP32", cells_fp32[b].samples.median / cells_int8[b].samples.median);
        }
        put(m, o.batches[b], t, "edgepipe_fp32", std::move(cells_fp32[b]));
        put(m, o.batches[b], t, "edgepipe_int8", std::move(cells_int8[b]));
      }
    }
  }
  for (const auto& row : report.rows) {
    if (!row.cells[0].message.empty()) report.notes.push_back(row.label + ": edgepipe INT8 " + row.cells[0].message);
  }

  // 3. PyTorch, one child process per model.
  if (wanted("pytorch")) {
    std::string batch_list, thread_list;
    for (int64_t b : o.batches) batch_list += (batch_list.empty() ? "" : ",") + std::to_string(b);
    for (int t : o.threads) thread_list += (thread_list.empty() ? "" : ",") + std::to_string(t);
    for (const auto& m : o.models) {
      progress("pytorch: " + m);
      PeerCommand cmd;
      cmd.name = "pytorch";
      cmd.argv = {o.python, source_dir + "/bench/peers/quant_torch.py", "bench", "--model", m, "--batches", batch_list,
                  "--threads", thread_list, "--runs", std::to_string(o.runs), "--warmup", std::to_string(o.warmup),
                  "--seed", std::to_string(o.seed), "--dir", dir};
      cmd.timeout_seconds = o.peer_timeout_seconds;
      Result<PeerOutcome> outcome = PeerRunner().Run(cmd, [&](std::string_view line) { progress("pytorch: " + std::string(line)); });
      if (!outcome.ok() || outcome->status != PeerStatus::kOk) {
        for (const char* id : {"torch_fp32", "torch_qnnpack", "torch_onednn"}) {
          EngineInfo& e = report.engines[report.EngineIndex(id)];
          e.status = outcome.ok() ? FromPeer(outcome->status) : CellStatus::kFailed;
          e.message = outcome.ok() ? outcome->message : outcome.status().ToString();
        }
        continue;
      }
      const nlohmann::json& out = outcome->output;
      for (const char* id : {"torch_fp32", "torch_qnnpack", "torch_onednn"}) {
        EngineInfo& e = report.engines[report.EngineIndex(id)];
        e.version = out.value("version", "") + ", BLAS " + out.value("blas", "?");
      }
      if (out.contains("sizes")) {
        report.notes.push_back(fmt::format("{} PyTorch state_dict on disk (bytes): {}", ModelLabel(m), out["sizes"].dump()));
      }
      for (const auto& r : out.value("results", nlohmann::json::array())) {
        const std::string engine = "torch_" + r.value("engine", std::string());
        Cell cell;
        if (r.contains("error")) {
          cell.status = CellStatus::kFailed;
          cell.message = r["error"].get<std::string>();
          for (int64_t b : o.batches) {
            for (int t : o.threads) put(m, b, t, engine, cell);
          }
          continue;
        }
        cell.status = CellStatus::kOk;
        cell.samples = SamplesFromSeconds(r["seconds"].get<std::vector<double>>());
        cell.message = r.value("granularity", "");
        put(m, r.value("batch", int64_t{0}), r.value("threads", 0), engine, std::move(cell));
      }
    }
  }

  // 4. ONNX Runtime on the same FP32 and INT8 files.
  if (wanted("onnxruntime")) {
    progress("onnxruntime: starting");
    std::vector<std::string> files;
    std::map<std::string, std::pair<std::string, std::string>> what;  // file -> (model, engine)
    for (const auto& m : o.models) {
      files.push_back(fp32_path[m]);
      files.push_back(int8_path[m]);
      what[fp32_path[m]] = {m, "ort_fp32"};
      what[int8_path[m]] = {m, "ort_int8"};
    }
    EngineInfo info;
    RunOrtPeer(source_dir, o.node, o.peer_timeout_seconds, files, o.batches, o.threads, o.runs, o.warmup, &info,
               [&](const std::string& file, int64_t b, int t, Cell cell) {
                 auto it = what.find(file);
                 if (it != what.end()) put(it->second.first, b, t, it->second.second, std::move(cell));
               },
               o.progress);
    for (const char* id : {"ort_fp32", "ort_int8"}) {
      EngineInfo& e = report.engines[report.EngineIndex(id)];
      e.version = info.version;
      e.details = info.details;
      e.status = info.status;
      e.message = info.message;
    }
    report.notes.push_back("ONNX Runtime samples are timed inside node around `await session.run()`, so they include "
                           "onnxruntime-node's JS binding overhead (tens of microseconds per call); figures measured "
                           "from C or Python (e.g. docs peer-timings) do not.");
  }
  if (wanted("pytorch")) {
    report.notes.push_back("PyTorch samples are time.perf_counter() around model(x) in Python (includes the Python call "
                           "overhead); Debian's torch 1.13.1 runs FP32 Linear on the generic reference BLAS, which "
                           "inflates its INT8-over-FP32 speed-ups.");
  }
  if (!o.keep && created) fs::remove_all(dir, ec);
  return report;
}

Result<BenchReport> RunModelBench(const ModelBenchOptions& o) {
  if (o.model_paths.empty()) return Status::InvalidArgument("give at least one model");
  if (o.runs < 1 || o.warmup < 0) return Status::InvalidArgument("--runs must be >= 1 and --warmup >= 0");
  BenchReport report;
  report.scenario = "model";
  report.title = "edgepipe bench model: latency per forward pass";
  report.command = o.command_line;
  report.date = UtcNow();
  report.machine = GetMachineInfo();
  report.build = GetBuildInfo();
  report.config = {{"models", o.model_paths}, {"batches", o.batches}, {"threads", o.threads}, {"runs", o.runs},
                   {"warmup", o.warmup}};
  for (const auto& p : o.model_paths) {
    EngineInfo e;
    e.id = "edgepipe:" + p;
    e.label = "edgepipe " + fs::path(p).filename().string();
    e.version = report.build.edgepipe_version;
    e.is_peer = false;  // another model, not another engine
    report.engines.push_back(std::move(e));
  }
  report.engines.front().is_peer = true;
  if (o.compare) {
    for (const auto& p : o.model_paths) {
      EngineInfo e;
      e.id = "ort:" + p;
      e.label = "ORT " + fs::path(p).filename().string();
      // Only ONNX Runtime on the subject's own file is its peer.
      e.is_peer = p == o.model_paths.front();
      report.engines.push_back(std::move(e));
    }
  }
  std::map<std::string, size_t> row_of;
  for (int t : o.threads) {
    for (int64_t b : o.batches) {
      row_of[RowId("", b, t)] = report.rows.size();
      report.AddRow(RowId("", b, t), fmt::format("batch {}, {} thread{}", b, t, t == 1 ? "" : "s"), false);
    }
  }
  for (const auto& p : o.model_paths) {
    for (int t : o.threads) {
      if (o.progress) o.progress(fmt::format("[bench model] edgepipe: {} threads={}", p, t));
      std::vector<Cell> cells;
      std::vector<nn::Tensor> outs;
      RETURN_NOT_OK(TimeEdgepipe(p, t, o.batches, o.runs, o.warmup, &cells, &outs));
      for (size_t b = 0; b < o.batches.size(); ++b) {
        report.rows[row_of[RowId("", o.batches[b], t)]].cells[report.EngineIndex("edgepipe:" + p)] = std::move(cells[b]);
      }
    }
    std::error_code ec;
    report.notes.push_back(fmt::format("{}: {} bytes on disk", p, fs::file_size(p, ec)));
  }
  if (o.compare) {
    EngineInfo info;
    std::vector<std::string> abs;
    for (const auto& p : o.model_paths) abs.push_back(fs::absolute(p).string());
    RunOrtPeer(ResolveSourceDir(o.source_dir), o.node, o.peer_timeout_seconds, abs, o.batches, o.threads, o.runs,
               o.warmup, &info,
               [&](const std::string& file, int64_t b, int t, Cell cell) {
                 for (size_t i = 0; i < abs.size(); ++i) {
                   if (abs[i] != file) continue;
                   auto r = row_of.find(RowId("", b, t));
                   if (r != row_of.end()) report.rows[r->second].cells[report.EngineIndex("ort:" + o.model_paths[i])] = cell;
                 }
               },
               o.progress);
    for (const auto& p : o.model_paths) {
      EngineInfo& e = report.engines[report.EngineIndex("ort:" + p)];
      e.version = info.version;
      e.status = info.status;
      e.message = info.message;
    }
    report.notes.push_back("ONNX Runtime samples include onnxruntime-node's JS binding overhead (timed in node).");
  }
  return report;
}

}  // namespace edgepipe::bench
