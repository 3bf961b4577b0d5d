#include "edgepipe/bench/vectorize_scenario.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <optional>

#include "bench/scenario_util.h"
#include "edgepipe/bench/peer_runner.h"
#include "edgepipe/compute/elementwise.h"
#include "edgepipe/core/buffer.h"
#include "edgepipe/core/column.h"
#include "edgepipe/core/parallel.h"

namespace edgepipe::bench {

namespace {

struct OperationSpec {
  const char* id;
  const char* label;
};
constexpr OperationSpec kOperations[] = {
    {"multiply_out", "Multiply into reused output (out=)"},
    {"multiply_alloc", "Multiply, new output per call"},
};

constexpr EngineSpec kEngines[] = {
    {"edgepipe", "edgepipe", EngineKind::kSelf, "", ""},
    {"c", "C loop -O3", EngineKind::kC, "vectorize_c.c", ""},
    {"c_native", "C loop -O3 -march=native*", EngineKind::kC, "vectorize_c.c", "-march=native"},
    {"numpy", "NumPy", EngineKind::kPython, "vectorize_py.py", "numpy"},
    {"torch", "PyTorch", EngineKind::kPython, "vectorize_py.py", "torch"},
    {"pandas", "pandas", EngineKind::kPython, "vectorize_py.py", "pandas"},
    {"polars", "Polars", EngineKind::kNode, "vectorize_polars.mjs", "nodejs-polars"},
    {"duckdb", "DuckDB", EngineKind::kNode, "vectorize_duckdb.mjs", "@duckdb/node-api"},
    {"python", "Python loop*", EngineKind::kPython, "vectorize_py.py", "python"},
};

// The shared input formula (vectorize_scenario.h; every peer implements it).
inline double InputA(int64_t i) {
  const uint64_t x = (static_cast<uint64_t>(i) * 2654435761u + 12345u) & 0xffffffffu;
  return 0.5 + static_cast<double>(x) / 4294967296.0;
}
inline double InputB(int64_t i) {
  const uint64_t x = (static_cast<uint64_t>(i) * 2246822519u + 67890u) & 0xffffffffu;
  return 0.5 + static_cast<double>(x) / 4294967296.0;
}

template <typename T>
double SumOf(const T* v, int64_t n) {
  // Plain double sum: the same order every peer uses is not needed, the
  // check tolerance (1e-9 relative) covers any summation order.
  double s = 0;
  for (int64_t i = 0; i < n; ++i) s += static_cast<double>(v[i]);
  return s;
}

// edgepipe's inputs and its reused output: N values each.
template <typename T>
struct Arrays {
  std::shared_ptr<Buffer> a_buf, b_buf, out_buf;
  T* a = nullptr;
  T* b = nullptr;
  T* out = nullptr;
};

class Scenario {
 public:
  explicit Scenario(const VectorizeBenchOptions& options)
      : options_(options), progress_("[bench vectorize]", options.progress) {}
  Result<BenchReport> Run();

 private:
  MeasureOptions Timing(std::string_view op) const {
    return progress_.Timing(options_.warmup, options_.runs, "edgepipe", op);
  }
  Status CheckOptions() const;
  template <typename T>
  Result<Arrays<T>> MakeInputs() const;
  template <typename T>
  Status RunEdgepipe(int col);
  template <typename T>
  Status MeasureBandwidth(const Arrays<T>& arrays);
  // edgepipe's cell of `op`, with its output's sum for the cross-check.
  void SetCell(std::string_view op, int col, Result<Samples> samples, double check);
  Status RunPeer(const EngineSpec& peer, int col);
  // Compiles the C peer into the work directory and points `cmd` at it; on
  // failure marks the engine and leaves `cmd->argv` empty.
  Status CompileC(const EngineSpec& peer, int col, PeerCommand* cmd);
  void CrossCheck();
  void AddNotes();

  const VectorizeBenchOptions& options_;
  const ScenarioProgress progress_;
  BenchReport report_;
  std::string source_dir_;
  WorkDir work_;
  std::optional<double> reference_check_;         // sum of edgepipe's output
  std::optional<double> reference_prefix_check_;  // sum of its first python_prefix values
  std::map<std::string, std::map<int, double>> checks_;  // op -> col -> reported sum
  std::map<int, bool> prefix_checks_;                    // col -> check is over the prefix
  nlohmann::json bandwidth_ = nlohmann::json::object();
};

template <typename T>
Result<Arrays<T>> Scenario::MakeInputs() const {
  const int64_t n = options_.n;
  const size_t bytes = static_cast<size_t>(n) * sizeof(T);
  Arrays<T> arrays;
  ASSIGN_OR_RETURN(arrays.a_buf, Buffer::Allocate(bytes));
  ASSIGN_OR_RETURN(arrays.b_buf, Buffer::Allocate(bytes));
  ASSIGN_OR_RETURN(arrays.out_buf, Buffer::Allocate(bytes));
  T* a = arrays.a = arrays.a_buf->template mutable_data_as<T>();
  T* b = arrays.b = arrays.b_buf->template mutable_data_as<T>();
  T* out = arrays.out = arrays.out_buf->template mutable_data_as<T>();
  // Generate (and first-touch) in parallel, as the pages will be used.
  const int64_t tasks = std::max<int64_t>(1, std::min<int64_t>(64, n / 65536));
  ParallelFor(tasks, [&](int64_t t) {
    const int64_t begin = n * t / tasks, end = n * (t + 1) / tasks;
    for (int64_t i = begin; i < end; ++i) {
      a[i] = static_cast<T>(InputA(i));
      b[i] = static_cast<T>(InputB(i));
      out[i] = 0;
    }
  });
  return arrays;
}

// Bandwidth floor: copy a -> out with every thread, best run of two copies:
// glibc memcpy per chunk (on some VMs it uses `rep movsb`, slower than
// streaming) and a copy with non-temporal stores (out = a * 1, the scalar
// kernel: read one stream, write one, no read-for-ownership).
template <typename T>
Status Scenario::MeasureBandwidth(const Arrays<T>& arrays) {
  const int64_t n = options_.n;
  const size_t bytes = static_cast<size_t>(n) * sizeof(T);
  double best = 0;
  std::string best_method;
  for (const char* method : {"memcpy", "streaming copy"}) {
    const bool use_memcpy = std::string_view(method) == "memcpy";
    std::vector<double> seconds;
    for (int run = 0; run < std::max(3, options_.runs); ++run) {
      const int64_t copy_tasks = std::max<int64_t>(1, std::min<int64_t>(4 * GetNumThreads(), n / 65536));
      Timer timer;
      if (use_memcpy) {
        ParallelFor(copy_tasks, [&](int64_t t) {
          const int64_t begin = n * t / copy_tasks, end = n * (t + 1) / copy_tasks;
          std::memcpy(arrays.out + begin, arrays.a + begin, static_cast<size_t>(end - begin) * sizeof(T));
        });
      } else {
        RETURN_NOT_OK(compute::ArithmeticScalarInto(compute::ArithOp::kMultiply, arrays.a, T(1), arrays.out, n));
      }
      seconds.push_back(timer.Seconds());
    }
    const double t = *std::min_element(seconds.begin(), seconds.end());
    bandwidth_[use_memcpy ? "copy_seconds_memcpy" : "copy_seconds_streaming"] = t;
    if (best_method.empty() || t < best) {
      best = t;
      best_method = method;
    }
  }
  bandwidth_["copy_method"] = best_method;
  bandwidth_["copy_seconds"] = best;
  bandwidth_["copy_gb_per_s"] = 2.0 * static_cast<double>(bytes) / best / 1e9;
  bandwidth_["floor_seconds"] = 1.5 * best;
  bandwidth_["bytes_moved"] = 3 * static_cast<int64_t>(bytes);
  bandwidth_["threads"] = GetNumThreads();
  return Status::OK();
}

void Scenario::SetCell(std::string_view op, int col, Result<Samples> samples, double check) {
  if (samples.ok()) checks_[std::string(op)][col] = check;
  report_.FindRow(op)->cells[col] = CellFromSamples(std::move(samples));
}

template <typename T>
Status Scenario::RunEdgepipe(int col) {
  const int64_t n = options_.n;
  ASSIGN_OR_RETURN(Arrays<T> arrays, MakeInputs<T>());
  RETURN_NOT_OK(MeasureBandwidth(arrays));

  // ---- multiply_out: the raw kernel into the reused buffer.
  {
    auto samples = Measure(
        [&] {
          compute::MultiplyInto(arrays.a, arrays.b, arrays.out, n);
          return Status::OK();
        },
        Timing("multiply_out"));
    const double check = SumOf(arrays.out, n);
    reference_check_ = check;
    reference_prefix_check_ = SumOf(arrays.out, std::min(n, options_.python_prefix));
    SetCell("multiply_out", col, std::move(samples), check);
  }
  // ---- multiply_alloc: the Column API, a new output each call (freed
  // outside the timed region; the buffer cache reuses its pages).
  {
    const Type type = sizeof(T) == 8 ? Type::kFloat64 : Type::kFloat32;
    const Column ca(type, n, arrays.a_buf), cb(type, n, arrays.b_buf);
    Column result;
    double check = 0;
    auto samples = Measure(
        [&]() -> Status {
          ASSIGN_OR_RETURN(result, compute::Multiply(ca, cb));
          return Status::OK();
        },
        Timing("multiply_alloc"),
        [&] {
          if (result.length() == n) check = SumOf(result.values<T>(), n);
          result = Column();
        });
    SetCell("multiply_alloc", col, std::move(samples), check);
  }
  return Status::OK();
}

Status Scenario::CompileC(const EngineSpec& peer, int col, PeerCommand* cmd) {
  progress_(fmt::format("{}: compiling {} with {} -O3 -fopenmp {}", peer.id, peer.script, options_.cc, peer.arg));
  const std::string binary = work_.File(std::string("vectorize_") + peer.id);
  PeerCommand compile;
  compile.name = std::string(peer.id) + " (compile)";
  compile.argv = {options_.cc, "-O3", "-fopenmp"};
  if (*peer.arg != '\0') compile.argv.emplace_back(peer.arg);
  compile.argv.insert(compile.argv.end(), {"-o", binary, PeerScript(source_dir_, peer.script), "-lm"});
  compile.timeout_seconds = 300;
  work_.Track(binary);
  ASSIGN_OR_RETURN(PeerOutcome outcome, PeerRunner().Run(compile));
  if (outcome.status == PeerStatus::kNotInstalled) {
    MarkEngine(&report_, col, CellStatus::kNotInstalled, "C compiler '" + options_.cc + "' not found", progress_);
    return Status::OK();
  }
  if (outcome.exit_code != 0) {
    MarkEngine(&report_, col, CellStatus::kFailed, "compile failed: " + outcome.stderr_text.substr(0, 500), progress_);
    return Status::OK();
  }
  report_.engines[col].version = std::string("cc -O3 -fopenmp") + (*peer.arg ? " " : "") + peer.arg;
  cmd->argv = {binary};
  if (options_.threads > 0) cmd->env.emplace_back("OMP_NUM_THREADS", std::to_string(options_.threads));
  return Status::OK();
}

Status Scenario::RunPeer(const EngineSpec& peer, int col) {
  EngineInfo& engine = report_.engines[col];
  PeerCommand cmd;
  cmd.name = peer.id;
  cmd.working_dir = source_dir_;
  cmd.timeout_seconds = options_.peer_timeout_seconds;
  switch (peer.kind) {
    case EngineKind::kSelf:
      return Status::Internal("edgepipe is not a peer");
    case EngineKind::kC:
      RETURN_NOT_OK(CompileC(peer, col, &cmd));
      if (cmd.argv.empty()) return Status::OK();
      break;
    case EngineKind::kPython:
      // vectorize_py.py removes the OPENBLAS_* variables itself.
      cmd.argv = {options_.python, PeerScript(source_dir_, peer.script), "--engine", peer.arg};
      if (std::string_view(peer.arg) == "python") {
        cmd.argv.insert(cmd.argv.end(), {"--prefix", std::to_string(options_.python_prefix)});
      }
      break;
    case EngineKind::kNode:
      cmd.argv = NodePeerArgv(options_.node, source_dir_, peer.script);
      if (auto v = NodePackageVersion(source_dir_ + "/node_modules", peer.arg); v.ok()) engine.version = *v;
      if (options_.threads > 0) cmd.env.emplace_back("POLARS_MAX_THREADS", std::to_string(options_.threads));
      break;
  }
  cmd.argv.insert(cmd.argv.end(), {"--n", std::to_string(options_.n), "--dtype", options_.dtype, "--runs",
                                   std::to_string(options_.runs), "--warmup", std::to_string(options_.warmup),
                                   "--threads", std::to_string(options_.threads)});

  progress_(fmt::format("{}: starting", peer.id));
  ASSIGN_OR_RETURN(PeerOutcome outcome, RunEnginePeer(cmd, &report_, col, progress_));
  if (outcome.status != PeerStatus::kOk) return Status::OK();
  const nlohmann::json& out = outcome.output;
  engine.details = {{"threads", out.contains("threads") ? out["threads"] : nlohmann::json()},
                    {"wall_seconds", outcome.wall_seconds}};
  if (out.contains("details")) engine.details["peer"] = out["details"];
  for (auto& row : report_.rows) {
    const nlohmann::json* entry = PeerOperation(out, row.id);
    row.cells[col] = CellFromPeerEntry(entry, CellStatus::kNotRun, "no such API");
    if (row.cells[col].status != CellStatus::kOk) continue;
    if (auto check = JsonNumber(*entry, "check")) checks_[row.id][col] = *check;
    if (entry->value("check_is_prefix", false)) prefix_checks_[col] = true;
  }
  return Status::OK();
}

// A timing of a wrong result is not a timing.
void Scenario::CrossCheck() {
  if (!reference_check_) return;
  for (auto& row : report_.rows) {
    for (const auto& [col, check] : checks_[row.id]) {
      Cell& cell = row.cells[col];
      if (cell.status != CellStatus::kOk) continue;
      const double ref = prefix_checks_.count(col) ? *reference_prefix_check_ : *reference_check_;
      if (std::fabs(check - ref) <= 1e-9 * std::fabs(ref)) continue;
      cell.status = CellStatus::kFailed;
      cell.message = fmt::format("wrong result: output sums to {:.12g}, edgepipe's to {:.12g}", check, ref);
      report_.notes.push_back(fmt::format("{} {}: {}", report_.engines[col].label, row.label, cell.message));
    }
  }
}

// The bandwidth floor and edgepipe's fraction of it, the marked rows, the
// Python environment, what the two operations mean.
void Scenario::AddNotes() {
  const int ep = report_.EngineIndex("edgepipe");
  const Cell* cell = ep >= 0 ? &report_.FindRow("multiply_out")->cells[ep] : nullptr;
  if (cell != nullptr && bandwidth_.contains("floor_seconds") && cell->status == CellStatus::kOk &&
      cell->samples.median > 0) {
    const double floor = bandwidth_["floor_seconds"].get<double>();
    bandwidth_["edgepipe_seconds"] = cell->samples.median;
    bandwidth_["edgepipe_fraction_of_floor"] = floor / cell->samples.median;
    report_.notes.push_back(fmt::format(
        "Memory-bandwidth floor: the faster of a {}-thread memcpy and a streaming copy ({}) moves {:.1f} GB/s "
        "here; reading a and b and writing out ({} MB) takes {} s at that rate. edgepipe's multiply (out=) "
        "median {} s = {:.0f}% of the floor's speed.",
        bandwidth_["threads"].get<int>(), bandwidth_["copy_method"].get<std::string>(),
        bandwidth_["copy_gb_per_s"].get<double>(), bandwidth_["bytes_moved"].get<int64_t>() / 1000000,
        FormatSeconds(floor), FormatSeconds(cell->samples.median), 100.0 * floor / cell->samples.median));
  }
  const auto wanted = [&](std::string_view id) { return report_.EngineIndex(id) >= 0; };
  if (wanted("python")) {
    const int64_t prefix = std::min(options_.n, options_.python_prefix);
    report_.notes.push_back(fmt::format("* Python loop: timed on the first {} values and scaled x{:.4g} to {} values.",
                                        WithThousands(prefix),
                                        static_cast<double>(options_.n) / static_cast<double>(prefix),
                                        WithThousands(options_.n)));
  }
  if (wanted("c_native")) {
    report_.notes.push_back(
        "* C loop -march=native: compiled for this exact CPU, shown for reference only (edgepipe ships without "
        "-march and dispatches at run time).");
  }
  if (wanted("numpy") || wanted("torch") || wanted("pandas")) report_.notes.push_back(PythonEnvNote(options_.python));
  report_.notes.push_back(
      "multiply_out reuses one output buffer across runs (NumPy out=, torch.mul(out=)); multiply_alloc makes a new "
      "output per call; every engine's output sum is checked against edgepipe's.");
  report_.notes.push_back(RatioNote());
}

Status Scenario::CheckOptions() const {
  if (options_.n < 1) return Status::InvalidArgument("--n must be >= 1");
  RETURN_NOT_OK(CheckTimingOptions(options_.runs, options_.warmup, options_.threads));
  if (options_.python_prefix < 1) return Status::InvalidArgument("the Python prefix must be >= 1");
  if (options_.dtype != "f64" && options_.dtype != "f32") {
    return Status::InvalidArgument("--dtype must be f64 or f32, got '" + options_.dtype + "'");
  }
  return CheckEngines(kEngines, options_.engines);
}

Result<BenchReport> Scenario::Run() {
  RETURN_NOT_OK(CheckOptions());
  source_dir_ = ResolveSourceDir(options_.source_dir);
  report_ = NewReport("vectorize", options_.command_line);
  report_.engines = SelectEngines(kEngines, options_.engines);
  if (const int ep = report_.EngineIndex("edgepipe"); ep >= 0) {
    report_.engines[ep].details["simd_target"] = std::string(compute::KernelTargetName());
  }
  for (const auto& spec : kOperations) report_.AddRow(spec.id, spec.label, false);
  report_.title = fmt::format("edgepipe bench vectorize: multiply of {} {} values, median of {} run{} after {} warm-up",
                              WithThousands(options_.n), options_.dtype == "f64" ? "float64" : "float32",
                              options_.runs, options_.runs == 1 ? "" : "s", options_.warmup);
  RETURN_NOT_OK(work_.Prepare(options_.dir, "edgepipe-bench-vectorize"));

  for (size_t col = 0; col < report_.engines.size(); ++col) {
    const EngineSpec& spec = *FindEngine(kEngines, report_.engines[col].id);
    if (spec.kind != EngineKind::kSelf) {
      RETURN_NOT_OK(RunPeer(spec, static_cast<int>(col)));
      continue;
    }
    progress_(fmt::format("edgepipe: {} values, {} threads, SIMD {}", WithThousands(options_.n), GetNumThreads(),
                          compute::KernelTargetName()));
    RETURN_NOT_OK(options_.dtype == "f64" ? RunEdgepipe<double>(static_cast<int>(col))
                                          : RunEdgepipe<float>(static_cast<int>(col)));
  }
  CrossCheck();
  AddNotes();
  report_.config = {{"n", options_.n},
                    {"dtype", options_.dtype},
                    {"runs", options_.runs},
                    {"warmup", options_.warmup},
                    {"threads", options_.threads},
                    {"engines", options_.engines},
                    {"python_prefix", options_.python_prefix},
                    {"bandwidth", bandwidth_},
                    {"source_dir", source_dir_}};
  return std::move(report_);
}

}  // namespace

const std::vector<std::string>& VectorizeOperations() {
  static const std::vector<std::string> ops = IdsOf(kOperations);
  return ops;
}

const std::vector<std::string>& VectorizeEngines() {
  static const std::vector<std::string> engines = IdsOf(kEngines);
  return engines;
}

Result<BenchReport> RunVectorizeBench(const VectorizeBenchOptions& options) {
  return Scenario(options).Run();
}

}  // namespace edgepipe::bench
