#include "edgepipe/bench/quant_scenario.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <span>

#include "bench/scenario_util.h"
#include "edgepipe/bench/peer_runner.h"
#include "edgepipe/nn/executor.h"
#include "edgepipe/nn/onnx.h"
#include "edgepipe/nn/quantize_dynamic.h"

namespace edgepipe::bench {

namespace fs = std::filesystem;

namespace {

// The latencies of a run: every batch size at every thread count, each
// warmed up then timed `runs` times.
struct Grid {
  std::vector<int64_t> batches;
  std::vector<int> threads;
  int runs = 1;
  int warmup = 0;
};

std::string RowId(const std::string& model, int64_t batch, int threads) {
  return fmt::format("{}_b{}_t{}", model, batch, threads);
}

std::string ModelLabel(const std::string& model) {
  if (model == "tinynet") return "TinyNet";
  if (model == "biggernet") return "BiggerNet";
  return model;
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

// Times one model with edgepipe at one thread count, every batch of the
// grid: `cells[batch index]`, and that batch's output in `outputs_per_batch`.
Status TimeEdgepipe(const std::string& path, int threads, const Grid& grid, std::vector<Cell>* cells,
                    std::vector<nn::Tensor>* outputs_per_batch) {
  ASSIGN_OR_RETURN(nn::Graph graph, nn::ImportOnnxFile(path));
  nn::ExecutorOptions options;
  options.threads = threads;
  ASSIGN_OR_RETURN(std::unique_ptr<nn::Executor> exec, nn::Executor::Create(std::move(graph), options));
  cells->assign(grid.batches.size(), Cell{});
  outputs_per_batch->assign(grid.batches.size(), nn::Tensor());
  for (size_t b = 0; b < grid.batches.size(); ++b) {
    ASSIGN_OR_RETURN(nn::Tensor x, RandomInput(exec->graph(), grid.batches[b], 1234));
    const std::vector<nn::Tensor> inputs = {x};
    std::vector<nn::Tensor> outputs;
    MeasureOptions m;
    m.runs = grid.runs;
    m.warmup = grid.warmup;
    (*cells)[b] = CellFromSamples(Measure([&] { return exec->Run(inputs, &outputs); }, m));
    if ((*cells)[b].status == CellStatus::kOk) (*outputs_per_batch)[b] = outputs.at(0);
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

// A peer result ({"seconds": [...]} or {"error": ...}) as a cell.
Cell CellFromResult(const nlohmann::json& r) {
  Cell cell;
  if (r.contains("error")) {
    cell.status = CellStatus::kFailed;
    cell.message = r["error"].get<std::string>();
  } else {
    cell.status = CellStatus::kOk;
    cell.samples = SamplesFromSeconds(r["seconds"].get<std::vector<double>>());
  }
  return cell;
}

// Where the peers are and how long they may take.
struct PeerSetup {
  std::string source_dir;
  std::string node;
  double timeout_seconds;
};

// Where an ONNX Runtime result goes: (file, batch, threads, cell).
using OrtStore = std::function<void(const std::string&, int64_t, int, Cell)>;

// Runs quant_ort.mjs on `files` over the grid; fills `engine` (version,
// details, or why it failed) and calls `store` per result.
void RunOrtPeer(const PeerSetup& setup, const Grid& grid, const std::vector<std::string>& files,
                const ScenarioProgress& progress, EngineInfo* engine, const OrtStore& store) {
  PeerCommand cmd;
  cmd.name = "onnxruntime";
  cmd.argv = {setup.node, PeerScript(setup.source_dir, "quant_ort.mjs"), "--models", JoinList(files),
              "--batches", JoinList(grid.batches), "--threads", JoinList(grid.threads),
              "--runs", std::to_string(grid.runs), "--warmup", std::to_string(grid.warmup)};
  cmd.working_dir = setup.source_dir;
  cmd.timeout_seconds = setup.timeout_seconds;
  Result<PeerOutcome> outcome = PeerRunner().Run(cmd, [&](std::string_view line) {
    progress("onnxruntime: " + std::string(line));
  });
  if (!outcome.ok() || outcome->status != PeerStatus::kOk) {
    engine->status = outcome.ok() ? CellStatusFromPeer(outcome->status) : CellStatus::kFailed;
    engine->message = outcome.ok() ? outcome->message : outcome.status().ToString();
    return;
  }
  const nlohmann::json& out = outcome->output;
  engine->version = out.value("version", "");
  engine->details = {{"node", out.value("node", "")}, {"timing", "hrtime around await session.run() in node"}};
  for (const auto& r : out.value("results", nlohmann::json::array())) {
    store(r.value("model", ""), r.value("batch", int64_t{0}), r.value("threads", 0), CellFromResult(r));
  }
}

// ---- bench quant

struct ColumnSpec {
  const char* id;
  const char* label;
};
constexpr ColumnSpec kQuantColumns[] = {
    {"edgepipe_int8", "edgepipe INT8"},      {"edgepipe_fp32", "edgepipe FP32"},
    {"torch_fp32", "PyTorch FP32"},          {"torch_qnnpack", "PyTorch INT8 qnnpack"},
    {"torch_onednn", "PyTorch INT8 onednn"}, {"torch_fp32_openblas", "PyTorch FP32 OpenBLAS"},
    {"ort_fp32", "ORT FP32"},                {"ort_int8", "ORT INT8"}};
const char* const kTorchColumns[] = {"torch_fp32", "torch_qnnpack", "torch_onednn"};
const char* const kTorchOpenBlasColumns[] = {"torch_fp32_openblas"};
// Where scripts/deps.sh unpacks OpenBLAS (not installed: that would switch
// the system's libblas.so.3).
constexpr const char* kOpenBlasDir = ".deps/openblas";

class QuantScenario {
 public:
  explicit QuantScenario(const QuantBenchOptions& o)
      : o_(o), progress_("[bench quant]", o.progress), grid_{o.batches, o.threads, o.runs, o.warmup} {}
  Result<BenchReport> Run();

 private:
  bool Wanted(std::string_view engine) const {
    return std::find(o_.engines.begin(), o_.engines.end(), engine) != o_.engines.end();
  }
  Status CheckOptions() const;
  void SetUp();
  void Put(const std::string& model, int64_t batch, int threads, const std::string& engine, Cell cell);
  Status ExportModels();
  Status RunEdgepipe();
  // PyTorch on the system BLAS (FP32, qnnpack, onednn), or with
  // `openblas` FP32 only, with OpenBLAS first on LD_LIBRARY_PATH.
  void RunPyTorch(const std::string& model, bool openblas);
  void RunOrt();

  const QuantBenchOptions& o_;
  const ScenarioProgress progress_;
  const Grid grid_;
  std::string source_dir_;
  WorkDir work_;
  BenchReport report_;
  std::map<std::string, size_t> row_of_;
  std::map<std::string, std::string> fp32_path_, int8_path_;  // by model
};

Status QuantScenario::CheckOptions() const {
  RETURN_NOT_OK(CheckTimingOptions(o_.runs, o_.warmup));
  if (o_.batches.empty() || o_.threads.empty() || o_.models.empty()) {
    return Status::InvalidArgument("empty batch, thread or model list");
  }
  for (const auto& m : o_.models) {
    if (m != "tinynet" && m != "biggernet") return Status::InvalidArgument("unknown model '" + m + "' (tinynet, biggernet)");
  }
  return Status::OK();
}

// The columns (peers not asked for are "not run") and one row per model,
// thread count and batch.
void QuantScenario::SetUp() {
  report_ = NewReport("quant", o_.command_line);
  report_.title = "edgepipe bench quant: dynamic INT8 vs FP32 vs PyTorch and ONNX Runtime (latency per forward pass)";
  report_.config = {{"models", o_.models}, {"batches", o_.batches}, {"threads", o_.threads}, {"runs", o_.runs},
                    {"warmup", o_.warmup}, {"seed", o_.seed},       {"dir", work_.path()}};
  for (const ColumnSpec& c : kQuantColumns) {
    EngineInfo e;
    e.id = c.id;
    e.label = c.label;
    if (e.id.rfind("edgepipe", 0) == 0) {
      e.version = report_.build.edgepipe_version + ", " + nn::RuntimeDescription();
      e.is_peer = false;  // edgepipe FP32 has its own ratio line, INT8 vs FP32
    }
    if (e.id.rfind("torch", 0) == 0 && !Wanted("pytorch")) e.status = CellStatus::kNotRun;
    if (e.id.rfind("ort", 0) == 0 && !Wanted("onnxruntime")) e.status = CellStatus::kNotRun;
    report_.engines.push_back(std::move(e));
  }
  for (const auto& m : o_.models) {
    for (int t : o_.threads) {
      for (int64_t b : o_.batches) {
        row_of_[RowId(m, b, t)] = report_.rows.size();
        report_.AddRow(RowId(m, b, t), fmt::format("{} batch {}, {} thread{}", ModelLabel(m), b, t, t == 1 ? "" : "s"),
                       false);
      }
    }
  }
}

void QuantScenario::Put(const std::string& model, int64_t batch, int threads, const std::string& engine, Cell cell) {
  auto r = row_of_.find(RowId(model, batch, threads));
  const int e = report_.EngineIndex(engine);
  if (r == row_of_.end() || e < 0) return;
  report_.rows[r->second].cells[e] = std::move(cell);
}

// FP32 models from PyTorch (fixed seed), INT8 from edgepipe's quantizer.
Status QuantScenario::ExportModels() {
  progress_("exporting the FP32 models (PyTorch) to " + work_.path());
  PeerCommand exp;
  exp.name = "export";
  exp.argv = {o_.python, PeerScript(source_dir_, "quant_torch.py"), "export", "--dir", work_.path(), "--seed",
              std::to_string(o_.seed)};
  exp.timeout_seconds = o_.peer_timeout_seconds;
  ASSIGN_OR_RETURN(PeerOutcome exported, PeerRunner().Run(exp));
  if (exported.status != PeerStatus::kOk) {
    return Status::NotFound("cannot export the models with PyTorch (" + std::string(PeerStatusName(exported.status)) +
                            "): " + exported.message);
  }
  for (const auto& m : o_.models) {
    const std::string fp32 = fp32_path_[m] = work_.File(m + ".onnx");
    const std::string int8 = int8_path_[m] = work_.File(m + ".int8.onnx");
    ASSIGN_OR_RETURN(nn::Graph g, nn::ImportOnnxFile(fp32));
    ASSIGN_OR_RETURN(nn::QuantizeDynamicStats qs, nn::QuantizeDynamic(&g));
    RETURN_NOT_OK(nn::ExportOnnxFile(g, int8));
    std::error_code ec;
    const auto fb = fs::file_size(fp32, ec), ib = fs::file_size(int8, ec);
    report_.notes.push_back(fmt::format(
        "{} on disk: FP32 ONNX {} bytes, edgepipe INT8 ONNX {} bytes ({:.3f}x; {} layers quantized, 7-bit weights "
        "that ORT's AVX2 kernel also computes exactly)",
        ModelLabel(m), fb, ib, fb ? double(ib) / double(fb) : 0.0, qs.quantized));
    report_.config["files"][m] = {{"fp32", fp32}, {"int8", int8}, {"fp32_bytes", fb}, {"int8_bytes", ib}};
  }
  return Status::OK();
}

// edgepipe FP32 and INT8 in process; INT8's speed-up over FP32 and the
// agreement of their outputs go to the notes.
Status QuantScenario::RunEdgepipe() {
  for (const auto& m : o_.models) {
    for (int t : o_.threads) {
      std::vector<Cell> cells_fp32, cells_int8;
      std::vector<nn::Tensor> out_fp32, out_int8;
      progress_(fmt::format("edgepipe: {} threads={}", m, t));
      RETURN_NOT_OK(TimeEdgepipe(fp32_path_[m], t, grid_, &cells_fp32, &out_fp32));
      RETURN_NOT_OK(TimeEdgepipe(int8_path_[m], t, grid_, &cells_int8, &out_int8));
      for (size_t b = 0; b < o_.batches.size(); ++b) {
        if (t == o_.threads.front()) {
          report_.notes.push_back(fmt::format("{} batch {}: edgepipe INT8 vs FP32 output cosine similarity {:.6f}",
                                              ModelLabel(m), o_.batches[b], Cosine(out_int8[b], out_fp32[b])));
        }
        if (cells_fp32[b].status == CellStatus::kOk && cells_int8[b].status == CellStatus::kOk) {
          cells_int8[b].message =
              fmt::format("{:.2f}x vs edgepipe FP32", cells_fp32[b].samples.median / cells_int8[b].samples.median);
        }
        Put(m, o_.batches[b], t, "edgepipe_fp32", std::move(cells_fp32[b]));
        Put(m, o_.batches[b], t, "edgepipe_int8", std::move(cells_int8[b]));
      }
    }
  }
  for (const auto& row : report_.rows) {
    if (!row.cells[0].message.empty()) report_.notes.push_back(row.label + ": edgepipe INT8 " + row.cells[0].message);
  }
  return Status::OK();
}

// PyTorch FP32, qnnpack and onednn on one model, one child process.
void QuantScenario::RunPyTorch(const std::string& model, bool openblas) {
  const std::string name = openblas ? "pytorch (OpenBLAS)" : "pytorch";
  const std::span<const char* const> columns(openblas ? std::span<const char* const>(kTorchOpenBlasColumns)
                                                      : std::span<const char* const>(kTorchColumns));
  auto mark_all = [&](CellStatus status, const std::string& message) {
    for (const char* id : columns) {
      EngineInfo& e = report_.engines[report_.EngineIndex(id)];
      e.status = status;
      e.message = message;
    }
  };
  const fs::path blas_dir = fs::path(source_dir_) / kOpenBlasDir;
  std::error_code ec;
  if (openblas && !fs::exists(blas_dir / "libblas.so.3", ec)) {
    mark_all(CellStatus::kNotInstalled, "no " + (blas_dir / "libblas.so.3").string() + " (scripts/deps.sh unpacks it)");
    return;
  }
  progress_(name + ": " + model);
  PeerCommand cmd;
  cmd.name = name;
  // Without the OPENBLAS_* variables (OPENBLAS_CORETYPE slows OpenBLAS here).
  cmd.argv = PythonPeerArgv(o_.python, source_dir_, "quant_torch.py");
  for (const std::string& arg :
       {std::string("bench"), std::string("--model"), model, std::string("--batches"), JoinList(o_.batches),
        std::string("--threads"), JoinList(o_.threads), std::string("--runs"), std::to_string(o_.runs),
        std::string("--warmup"), std::to_string(o_.warmup), std::string("--seed"), std::to_string(o_.seed),
        std::string("--dir"), work_.path(), std::string("--engines"),
        std::string(openblas ? "fp32" : "fp32,qnnpack,onednn")}) {
    cmd.argv.push_back(arg);
  }
  if (openblas) cmd.env = {{"LD_LIBRARY_PATH", fs::absolute(blas_dir, ec).string()}};
  cmd.timeout_seconds = o_.peer_timeout_seconds;
  Result<PeerOutcome> outcome =
      PeerRunner().Run(cmd, [&](std::string_view line) { progress_(name + ": " + std::string(line)); });
  if (!outcome.ok() || outcome->status != PeerStatus::kOk) {
    mark_all(outcome.ok() ? CellStatusFromPeer(outcome->status) : CellStatus::kFailed,
             outcome.ok() ? outcome->message : outcome.status().ToString());
    return;
  }
  const nlohmann::json& out = outcome->output;
  for (const char* id : columns) {
    report_.engines[report_.EngineIndex(id)].version = out.value("version", "") + ", BLAS " + out.value("blas", "?");
  }
  if (openblas) {
    for (const auto& r : out.value("results", nlohmann::json::array())) {
      Cell cell = CellFromResult(r);
      Put(model, r.value("batch", int64_t{0}), r.value("threads", 0), "torch_fp32_openblas", std::move(cell));
    }
    return;
  }
  if (out.contains("sizes")) {
    report_.notes.push_back(fmt::format("{} PyTorch state_dict on disk (bytes): {}", ModelLabel(model), out["sizes"].dump()));
  }
  for (const auto& r : out.value("results", nlohmann::json::array())) {
    const std::string engine = "torch_" + r.value("engine", std::string());
    Cell cell = CellFromResult(r);
    if (cell.status != CellStatus::kOk) {
      for (int64_t b : o_.batches) {
        for (int t : o_.threads) Put(model, b, t, engine, cell);
      }
      continue;
    }
    cell.message = r.value("granularity", "");
    Put(model, r.value("batch", int64_t{0}), r.value("threads", 0), engine, std::move(cell));
  }
}

// ONNX Runtime on the same FP32 and INT8 files.
void QuantScenario::RunOrt() {
  progress_("onnxruntime: starting");
  std::vector<std::string> files;
  std::map<std::string, std::pair<std::string, std::string>> what;  // file -> (model, engine)
  for (const auto& m : o_.models) {
    files.push_back(fp32_path_[m]);
    files.push_back(int8_path_[m]);
    what[fp32_path_[m]] = {m, "ort_fp32"};
    what[int8_path_[m]] = {m, "ort_int8"};
  }
  EngineInfo info;
  RunOrtPeer({source_dir_, o_.node, o_.peer_timeout_seconds}, grid_, files, progress_, &info,
             [&](const std::string& file, int64_t b, int t, Cell cell) {
               auto it = what.find(file);
               if (it != what.end()) Put(it->second.first, b, t, it->second.second, std::move(cell));
             });
  for (const char* id : {"ort_fp32", "ort_int8"}) {
    EngineInfo& e = report_.engines[report_.EngineIndex(id)];
    e.version = info.version;
    e.details = info.details;
    e.status = info.status;
    e.message = info.message;
  }
}

Result<BenchReport> QuantScenario::Run() {
  RETURN_NOT_OK(CheckOptions());
  source_dir_ = ResolveSourceDir(o_.source_dir);
  RETURN_NOT_OK(work_.Prepare(o_.dir, "edgepipe-bench-quant"));
  work_.Keep(o_.keep || !o_.dir.empty());  // a directory the caller named keeps its files
  SetUp();
  RETURN_NOT_OK(ExportModels());
  RETURN_NOT_OK(RunEdgepipe());
  if (Wanted("pytorch")) {
    for (const auto& m : o_.models) {
      RunPyTorch(m, false);
      RunPyTorch(m, true);
    }
  }
  if (Wanted("onnxruntime")) {
    RunOrt();
    report_.notes.push_back("ONNX Runtime samples are timed inside node around `await session.run()`, so they include "
                            "onnxruntime-node's JS binding overhead (tens of microseconds per call); figures measured "
                            "from C or Python (e.g. docs peer-timings) do not.");
  }
  if (Wanted("pytorch")) {
    report_.notes.push_back("PyTorch samples are time.perf_counter() around model(x) in Python (includes the Python call "
                            "overhead); Debian's torch 1.13.1 runs FP32 Linear on the generic reference BLAS, which "
                            "inflates its INT8-over-FP32 speed-ups. \"PyTorch FP32 OpenBLAS\" is the same torch with "
                            "Debian's OpenBLAS 0.3.21 first on LD_LIBRARY_PATH (unpacked into .deps/openblas by "
                            "scripts/deps.sh; the system BLAS is unchanged).");
  }
  return std::move(report_);
}

}  // namespace

Result<BenchReport> RunQuantBench(const QuantBenchOptions& options) {
  return QuantScenario(options).Run();
}

Result<BenchReport> RunModelBench(const ModelBenchOptions& o) {
  if (o.model_paths.empty()) return Status::InvalidArgument("give at least one model");
  RETURN_NOT_OK(CheckTimingOptions(o.runs, o.warmup));
  const ScenarioProgress progress("[bench model]", o.progress);
  const Grid grid{o.batches, o.threads, o.runs, o.warmup};
  BenchReport report = NewReport("model", o.command_line);
  report.title = "edgepipe bench model: latency per forward pass";
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
      progress(fmt::format("edgepipe: {} threads={}", p, t));
      std::vector<Cell> cells;
      std::vector<nn::Tensor> outs;
      RETURN_NOT_OK(TimeEdgepipe(p, t, grid, &cells, &outs));
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
    std::error_code ec;
    for (const auto& p : o.model_paths) abs.push_back(fs::absolute(p, ec).string());
    RunOrtPeer({ResolveSourceDir(o.source_dir), o.node, o.peer_timeout_seconds}, grid, abs, progress, &info,
               [&](const std::string& file, int64_t b, int t, Cell cell) {
                 for (size_t i = 0; i < abs.size(); ++i) {
                   if (abs[i] != file) continue;
                   auto r = row_of.find(RowId("", b, t));
                   if (r != row_of.end()) report.rows[r->second].cells[report.EngineIndex("ort:" + o.model_paths[i])] = cell;
                 }
               });
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
