#include "edgepipe/bench/vectorize_scenario.h"

#include <fmt/core.h>
#include <stdlib.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>

#include "edgepipe/bench/peer_runner.h"
#include "edgepipe/compute/elementwise.h"
#include "edgepipe/core/buffer.h"
#include "edgepipe/core/column.h"
#include "edgepipe/core/parallel.h"

#ifndef EDGEPIPE_SOURCE_DIR_DEFAULT
#define EDGEPIPE_SOURCE_DIR_DEFAULT "."
#endif

namespace edgepipe::bench {

namespace fs = std::filesystem;

namespace {

struct OperationSpec {
  const char* id;
  const char* label;
};
constexpr OperationSpec kOperations[] = {
    {"multiply_out", "Multiply into reused output (out=)"},
    {"multiply_alloc", "Multiply, new output per call"},
};

enum class PeerKind { kC, kPython, kNode };
struct PeerSpec {
  const char* id;
  const char* label;
  PeerKind kind;
  const char* script;  // under bench/peers/
  const char* arg;     // --engine for the Python script, extra cc flag for C, package for Node
};
constexpr PeerSpec kPeers[] = {
    {"c", "C loop -O3", PeerKind::kC, "vectorize_c.c", ""},
    {"c_native", "C loop -O3 -march=native*", PeerKind::kC, "vectorize_c.c", "-march=native"},
    {"numpy", "NumPy", PeerKind::kPython, "vectorize_py.py", "numpy"},
    {"torch", "PyTorch", PeerKind::kPython, "vectorize_py.py", "torch"},
    {"pandas", "pandas", PeerKind::kPython, "vectorize_py.py", "pandas"},
    {"polars", "Polars", PeerKind::kNode, "vectorize_polars.mjs", "nodejs-polars"},
    {"duckdb", "DuckDB", PeerKind::kNode, "vectorize_duckdb.mjs", "@duckdb/node-api"},
    {"python", "Python loop*", PeerKind::kPython, "vectorize_py.py", "python"},
};

std::string WithThousands(int64_t v) {
  std::string digits = std::to_string(v < 0 ? -v : v);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return v < 0 ? "-" + out : out;
}

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

class Scenario {
 public:
  explicit Scenario(const VectorizeBenchOptions& options) : options_(options) {}
  Result<BenchReport> Run();

 private:
  void Progress(const std::string& line) const {
    if (options_.progress) options_.progress("[bench vectorize] " + line);
  }
  MeasureOptions Timing(const std::string& engine, const std::string& op) const {
    MeasureOptions m;
    m.warmup = options_.warmup;
    m.runs = options_.runs;
    m.progress = [this, engine, op](int done, int runs) { Progress(fmt::format("{}: {} {}/{}", engine, op, done, runs)); };
    return m;
  }
  OperationRow& Row(std::string_view id) {
    for (auto& row : report_.rows) {
      if (row.id == id) return row;
    }
    return report_.rows.front();
  }
  Status PrepareDir();
  void Cleanup();
  template <typename T>
  Status RunEdgepipe(int col);
  Status RunPeer(const PeerSpec& peer, int col);
  Status CompileC(const PeerSpec& peer, std::string* binary, std::string* why_not, CellStatus* status);
  void CrossCheck();

  const VectorizeBenchOptions& options_;
  BenchReport report_;
  std::string source_dir_;
  std::string dir_;
  bool created_dir_ = false;
  int64_t elem_size_ = 8;
  std::optional<double> reference_check_;         // sum of edgepipe's output
  std::optional<double> reference_prefix_check_;  // sum of its first python_prefix values
  std::map<std::string, std::map<int, double>> checks_;  // op -> col -> reported sum
  std::map<int, bool> prefix_checks_;                    // col -> check is over the prefix
  nlohmann::json bandwidth_ = nlohmann::json::object();
};

Status Scenario::PrepareDir() {
  std::error_code ec;
  if (options_.dir.empty()) {
    std::string tmpl = (fs::temp_directory_path(ec) / "edgepipe-bench-vectorize-XXXXXX").string();
    if (ec) tmpl = "/tmp/edgepipe-bench-vectorize-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) {
      return Status::IOError("cannot create a work directory " + tmpl + ": " + std::strerror(errno));
    }
    dir_ = tmpl;
    created_dir_ = true;
  } else {
    dir_ = options_.dir;
    if (!fs::exists(dir_, ec)) {
      fs::create_directories(dir_, ec);
      if (ec) return Status::IOError("cannot create --dir " + dir_ + ": " + ec.message());
      created_dir_ = true;
    }
  }
  dir_ = fs::absolute(dir_, ec).string();
  return Status::OK();
}

void Scenario::Cleanup() {
  if (dir_.empty()) return;
  std::error_code ec;
  if (created_dir_) {
    fs::remove_all(dir_, ec);
    return;
  }
  for (const auto& peer : kPeers) {
    if (peer.kind == PeerKind::kC) fs::remove(dir_ + "/vectorize_" + peer.id, ec);
  }
}

template <typename T>
Status Scenario::RunEdgepipe(int col) {
  const int64_t n = options_.n;
  const size_t bytes = static_cast<size_t>(n) * sizeof(T);
  ASSIGN_OR_RETURN(auto a_buf, Buffer::Allocate(bytes));
  ASSIGN_OR_RETURN(auto b_buf, Buffer::Allocate(bytes));
  ASSIGN_OR_RETURN(auto out_buf, Buffer::Allocate(bytes));
  T* a = a_buf->mutable_data_as<T>();
  T* b = b_buf->mutable_data_as<T>();
  T* out = out_buf->mutable_data_as<T>();
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

  // ---- Bandwidth floor: copy a -> out with every thread, best run of two
  // copies: glibc memcpy per chunk (on some VMs it uses `rep movsb`, slower
  // than streaming) and a copy with non-temporal stores (out = a * 1, the
  // scalar kernel: read one stream, write one, no read-for-ownership).
  {
    double best = 0;
    std::string best_method;
    for (const char* method : {"memcpy", "streaming copy"}) {
      std::vector<double> seconds;
      for (int run = 0; run < std::max(3, options_.runs); ++run) {
        const int64_t copy_tasks = std::max<int64_t>(1, std::min<int64_t>(4 * GetNumThreads(), n / 65536));
        Timer timer;
        if (std::string_view(method) == "memcpy") {
          ParallelFor(copy_tasks, [&](int64_t t) {
            const int64_t begin = n * t / copy_tasks, end = n * (t + 1) / copy_tasks;
            std::memcpy(out + begin, a + begin, static_cast<size_t>(end - begin) * sizeof(T));
          });
        } else {
          RETURN_NOT_OK(compute::ArithmeticScalarInto(compute::ArithOp::kMultiply, a, T(1), out, n));
        }
        seconds.push_back(timer.Seconds());
      }
      const double t = *std::min_element(seconds.begin(), seconds.end());
      bandwidth_["copy_seconds_" + std::string(method == std::string_view("memcpy") ? "memcpy" : "streaming")] = t;
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
  }

  auto set_cell = [&](std::string_view op, Result<Samples> samples, double check) {
    Cell& cell = Row(op).cells[col];
    if (!samples.ok()) {
      cell.status = CellStatus::kFailed;
      cell.message = samples.status().ToString();
      return;
    }
    cell.status = CellStatus::kOk;
    cell.samples = std::move(*samples);
    checks_[std::string(op)][col] = check;
  };

  // ---- multiply_out: the raw kernel into the reused buffer.
  {
    auto samples = Measure(
        [&] {
          compute::MultiplyInto(a, b, out, n);
          return Status::OK();
        },
        Timing("edgepipe", "multiply_out"));
    const double check = SumOf(out, n);
    reference_check_ = check;
    reference_prefix_check_ = SumOf(out, std::min(n, options_.python_prefix));
    set_cell("multiply_out", std::move(samples), check);
  }
  // ---- multiply_alloc: the Column API, a new output each call (freed
  // outside the timed region; the buffer cache reuses its pages).
  {
    const Type type = sizeof(T) == 8 ? Type::kFloat64 : Type::kFloat32;
    const Column ca(type, n, a_buf), cb(type, n, b_buf);
    Column result;
    double check = 0;
    auto samples = Measure(
        [&]() -> Status {
          ASSIGN_OR_RETURN(result, compute::Multiply(ca, cb));
          return Status::OK();
        },
        Timing("edgepipe", "multiply_alloc"),
        [&] {
          if (result.length() == n) check = SumOf(result.values<T>(), n);
          result = Column();
        });
    set_cell("multiply_alloc", std::move(samples), check);
  }
  return Status::OK();
}

Status Scenario::CompileC(const PeerSpec& peer, std::string* binary, std::string* why_not, CellStatus* status) {
  *binary = dir_ + "/vectorize_" + peer.id;
  PeerCommand cmd;
  cmd.name = std::string(peer.id) + " (compile)";
  cmd.argv = {options_.cc, "-O3", "-fopenmp"};
  if (*peer.arg != '\0') cmd.argv.emplace_back(peer.arg);
  cmd.argv.insert(cmd.argv.end(), {"-o", *binary, source_dir_ + "/bench/peers/" + peer.script, "-lm"});
  cmd.timeout_seconds = 300;
  PeerRunner runner;
  ASSIGN_OR_RETURN(PeerOutcome outcome, runner.Run(cmd));
  if (outcome.status == PeerStatus::kNotInstalled) {
    *status = CellStatus::kNotInstalled;
    *why_not = "C compiler '" + options_.cc + "' not found";
  } else if (outcome.exit_code != 0) {
    *status = CellStatus::kFailed;
    *why_not = "compile failed: " + outcome.stderr_text.substr(0, 500);
  } else {
    *status = CellStatus::kOk;
  }
  return Status::OK();
}

Status Scenario::RunPeer(const PeerSpec& peer, int col) {
  EngineInfo& engine = report_.engines[col];
  auto fail_all = [&](CellStatus status, const std::string& message) {
    engine.status = status;
    engine.message = message;
    for (auto& row : report_.rows) {
      row.cells[col].status = status;
      row.cells[col].message = message;
    }
    Progress(fmt::format("{}: {}: {}", peer.id, CellStatusName(status), message));
  };
  const std::string threads = std::to_string(options_.threads > 0 ? options_.threads : 0);
  PeerCommand cmd;
  cmd.name = peer.id;
  cmd.working_dir = source_dir_;
  cmd.timeout_seconds = options_.peer_timeout_seconds;
  const std::vector<std::string> common = {"--n", std::to_string(options_.n), "--dtype", options_.dtype,
                                           "--runs", std::to_string(options_.runs), "--warmup",
                                           std::to_string(options_.warmup), "--threads", threads};
  switch (peer.kind) {
    case PeerKind::kC: {
      std::string binary, why_not;
      CellStatus status = CellStatus::kOk;
      Progress(fmt::format("{}: compiling {} with {} -O3 -fopenmp {}", peer.id, peer.script, options_.cc, peer.arg));
      RETURN_NOT_OK(CompileC(peer, &binary, &why_not, &status));
      if (status != CellStatus::kOk) {
        fail_all(status, why_not);
        return Status::OK();
      }
      engine.version = std::string("cc -O3 -fopenmp") + (*peer.arg ? " " : "") + peer.arg;
      cmd.argv = {binary};
      if (options_.threads > 0) cmd.env.emplace_back("OMP_NUM_THREADS", threads);
      break;
    }
    case PeerKind::kPython:
      cmd.argv = {options_.python, source_dir_ + "/bench/peers/" + peer.script, "--engine", peer.arg};
      if (std::string_view(peer.arg) == "python") {
        cmd.argv.insert(cmd.argv.end(), {"--prefix", std::to_string(options_.python_prefix)});
      }
      break;
    case PeerKind::kNode:
      cmd.argv = {options_.node, "--expose-gc", source_dir_ + "/bench/peers/" + peer.script};
      if (auto v = NodePackageVersion(source_dir_ + "/node_modules", peer.arg); v.ok()) engine.version = *v;
      if (options_.threads > 0) cmd.env.emplace_back("POLARS_MAX_THREADS", threads);
      break;
  }
  cmd.argv.insert(cmd.argv.end(), common.begin(), common.end());

  Progress(fmt::format("{}: starting", peer.id));
  PeerRunner runner;
  ASSIGN_OR_RETURN(PeerOutcome outcome, runner.Run(cmd, [&](std::string_view line) {
    Progress(fmt::format("{}: {}", peer.id, line));
  }));
  if (outcome.status != PeerStatus::kOk) {
    fail_all(outcome.status == PeerStatus::kNotInstalled ? CellStatus::kNotInstalled
             : outcome.status == PeerStatus::kTimedOut   ? CellStatus::kTimedOut
                                                         : CellStatus::kFailed,
             outcome.message);
    return Status::OK();
  }
  const nlohmann::json& out = outcome.output;
  if (out.contains("version") && out["version"].is_string()) engine.version = out["version"].get<std::string>();
  engine.details = {{"threads", out.contains("threads") ? out["threads"] : nlohmann::json()},
                    {"wall_seconds", outcome.wall_seconds}};
  if (out.contains("details")) engine.details["peer"] = out["details"];
  const nlohmann::json empty = nlohmann::json::object();
  const nlohmann::json& ops = out.contains("operations") && out["operations"].is_object() ? out["operations"] : empty;
  for (auto& row : report_.rows) {
    Cell& cell = row.cells[col];
    const nlohmann::json* entry = ops.contains(row.id) ? &ops[row.id] : nullptr;
    cell = CellFromPeerEntry(entry, CellStatus::kNotRun, "no such API");
    if (cell.status != CellStatus::kOk) continue;
    if (entry->contains("check") && (*entry)["check"].is_number()) checks_[row.id][col] = (*entry)["check"].get<double>();
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

Result<BenchReport> Scenario::Run() {
  if (options_.n < 1) return Status::InvalidArgument("--n must be >= 1");
  if (options_.runs < 1) return Status::InvalidArgument("--runs must be >= 1");
  if (options_.warmup < 0) return Status::InvalidArgument("--warmup must be >= 0");
  if (options_.threads < 0) return Status::InvalidArgument("--threads must be >= 0");
  if (options_.python_prefix < 1) return Status::InvalidArgument("the Python prefix must be >= 1");
  if (options_.dtype != "f64" && options_.dtype != "f32") {
    return Status::InvalidArgument("--dtype must be f64 or f32, got '" + options_.dtype + "'");
  }
  if (options_.engines.empty()) return Status::InvalidArgument("--engines: no engine given");
  for (const auto& e : options_.engines) {
    if (std::find(VectorizeEngines().begin(), VectorizeEngines().end(), e) == VectorizeEngines().end()) {
      return Status::InvalidArgument("unknown engine '" + e + "' (expected one of edgepipe, c, c_native, numpy, torch, "
                                     "pandas, polars, duckdb, python)");
    }
  }
  elem_size_ = options_.dtype == "f64" ? 8 : 4;
  source_dir_ = options_.source_dir;
  if (source_dir_.empty()) {
    const char* env = std::getenv("EDGEPIPE_SOURCE_DIR");
    source_dir_ = env != nullptr && *env != '\0' ? env : EDGEPIPE_SOURCE_DIR_DEFAULT;
  }
  auto wanted = [&](std::string_view id) {
    return std::find(options_.engines.begin(), options_.engines.end(), id) != options_.engines.end();
  };
  if (wanted("edgepipe")) {
    EngineInfo e;
    e.id = "edgepipe";
    e.label = "edgepipe";
    e.version = GetBuildInfo().edgepipe_version;
    e.details = {{"threads", GetNumThreads()}, {"simd_target", std::string(compute::KernelTargetName())}};
    report_.engines.push_back(std::move(e));
  }
  for (const auto& peer : kPeers) {
    if (!wanted(peer.id)) continue;
    EngineInfo e;
    e.id = peer.id;
    e.label = peer.label;
    report_.engines.push_back(std::move(e));
  }
  for (const auto& spec : kOperations) report_.AddRow(spec.id, spec.label, false);

  report_.scenario = "vectorize";
  report_.command = options_.command_line;
  report_.date = UtcNow();
  report_.machine = GetMachineInfo();
  report_.build = GetBuildInfo();
  report_.title = fmt::format("edgepipe bench vectorize: multiply of {} {} values, median of {} run{} after {} warm-up",
                              WithThousands(options_.n), options_.dtype == "f64" ? "float64" : "float32",
                              options_.runs, options_.runs == 1 ? "" : "s", options_.warmup);
  RETURN_NOT_OK(PrepareDir());

  Status st;
  for (size_t col = 0; col < report_.engines.size() && st.ok(); ++col) {
    const std::string& id = report_.engines[col].id;
    if (id == "edgepipe") {
      Progress(fmt::format("edgepipe: {} values, {} threads, SIMD {}", WithThousands(options_.n), GetNumThreads(),
                           compute::KernelTargetName()));
      st = options_.dtype == "f64" ? RunEdgepipe<double>(static_cast<int>(col))
                                   : RunEdgepipe<float>(static_cast<int>(col));
      continue;
    }
    for (const auto& peer : kPeers) {
      if (id == peer.id) st = RunPeer(peer, static_cast<int>(col));
    }
  }
  if (!st.ok()) {
    Cleanup();
    return st;
  }
  CrossCheck();

  // Bandwidth floor facts and edgepipe's fraction of it.
  const int ep = report_.EngineIndex("edgepipe");
  if (ep >= 0 && bandwidth_.contains("floor_seconds")) {
    const Cell& cell = Row("multiply_out").cells[ep];
    if (cell.status == CellStatus::kOk && cell.samples.median > 0) {
      const double floor = bandwidth_["floor_seconds"].get<double>();
      bandwidth_["edgepipe_seconds"] = cell.samples.median;
      bandwidth_["edgepipe_fraction_of_floor"] = floor / cell.samples.median;
      report_.notes.push_back(fmt::format(
          "Memory-bandwidth floor: the faster of a {}-thread memcpy and a streaming copy ({}) moves {:.1f} GB/s "
          "here; reading a and b and writing out ({} MB) takes {} s at that rate. edgepipe's multiply (out=) "
          "median {} s = {:.0f}% of the floor's speed.",
          bandwidth_["threads"].get<int>(), bandwidth_["copy_method"].get<std::string>(),
          bandwidth_["copy_gb_per_s"].get<double>(),
          bandwidth_["bytes_moved"].get<int64_t>() / 1000000, FormatSeconds(floor), FormatSeconds(cell.samples.median),
          100.0 * floor / cell.samples.median));
    }
  }
  report_.config = {{"n", options_.n},
                    {"dtype", options_.dtype},
                    {"runs", options_.runs},
                    {"warmup", options_.warmup},
                    {"threads", options_.threads},
                    {"engines", options_.engines},
                    {"python_prefix", options_.python_prefix},
                    {"bandwidth", bandwidth_},
                    {"source_dir", source_dir_}};
  if (wanted("python")) {
    report_.notes.push_back(fmt::format("* Python loop: timed on the first {} values and scaled x{:.4g} to {} values.",
                                        WithThousands(std::min(options_.n, options_.python_prefix)),
                                        static_cast<double>(options_.n) /
                                            static_cast<double>(std::min(options_.n, options_.python_prefix)),
                                        WithThousands(options_.n)));
  }
  if (wanted("c_native")) {
    report_.notes.push_back(
        "* C loop -march=native: compiled for this exact CPU, shown for reference only (edgepipe ships without "
        "-march and dispatches at run time).");
  }
  if (wanted("numpy") || wanted("torch") || wanted("pandas")) {
    report_.notes.push_back(
        "NumPy/PyTorch/pandas run under " + options_.python +
        " with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed from their environment (set on this class of machine, "
        "they slow OpenBLAS-backed NumPy).");
  }
  report_.notes.push_back(
      "multiply_out reuses one output buffer across runs (NumPy out=, torch.mul(out=)); multiply_alloc makes a new "
      "output per call. Ratios compare medians with the fastest peer; every engine's output sum is checked against "
      "edgepipe's.");
  Cleanup();
  return std::move(report_);
}

}  // namespace

const std::vector<std::string>& VectorizeOperations() {
  static const std::vector<std::string> ops = {"multiply_out", "multiply_alloc"};
  return ops;
}

const std::vector<std::string>& VectorizeEngines() {
  static const std::vector<std::string> engines = {"edgepipe", "c",      "c_native", "numpy", "torch",
                                                   "pandas",   "polars", "duckdb",   "python"};
  return engines;
}

Result<BenchReport> RunVectorizeBench(const VectorizeBenchOptions& options) {
  Scenario scenario(options);
  return scenario.Run();
}

}  // namespace edgepipe::bench
