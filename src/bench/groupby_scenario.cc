#include "edgepipe/bench/groupby_scenario.h"

#include <fmt/core.h>
#include <stdlib.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>

#include "edgepipe/bench/peer_runner.h"
#include "edgepipe/compute/group_by.h"
#include "edgepipe/core/atomic_file.h"
#include "edgepipe/core/buffer.h"
#include "edgepipe/core/parallel.h"
#include "edgepipe/core/table.h"
#include "edgepipe/parquet/writer.h"

#ifndef EDGEPIPE_SOURCE_DIR_DEFAULT
#define EDGEPIPE_SOURCE_DIR_DEFAULT "."
#endif

namespace edgepipe::bench {

namespace fs = std::filesystem;

namespace {

constexpr const char* kOp = "group_by_mean";

struct EngineSpec {
  const char* id;
  const char* label;
  enum Kind { kSelf, kPython, kNode } kind;
  const char* script;   // under bench/peers/
  const char* package;  // node package, or the Python module
};
constexpr EngineSpec kEngines[] = {
    {"edgepipe", "edgepipe", EngineSpec::kSelf, "", ""},
    {"python_dict", "Python dict", EngineSpec::kPython, "groupby_python.py", "dict"},
    {"numpy", "NumPy bincount", EngineSpec::kPython, "groupby_python.py", "numpy"},
    {"pandas", "pandas", EngineSpec::kPython, "groupby_python.py", "pandas"},
    {"torch", "PyTorch index_add_", EngineSpec::kPython, "groupby_python.py", "torch"},
    {"polars", "Polars", EngineSpec::kNode, "groupby_polars.mjs", "nodejs-polars"},
    {"duckdb", "DuckDB", EngineSpec::kNode, "groupby_duckdb.mjs", "@duckdb/node-api"},
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

uint64_t SplitMix64(uint64_t* state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

struct Facts {
  std::optional<int64_t> groups;
  std::optional<double> check;
};

class Scenario {
 public:
  explicit Scenario(const GroupByBenchOptions& options) : options_(options) {}
  Result<BenchReport> Run();

 private:
  void Progress(const std::string& line) const {
    if (options_.progress) options_.progress("[bench groupby] " + line);
  }
  Status PrepareDir();
  void Cleanup();
  Status MakeData();
  Status RunEdgepipe(int col);
  Status RunPeer(const EngineSpec& spec, int col);
  void CrossCheck();

  const GroupByBenchOptions& options_;
  BenchReport report_;
  std::string source_dir_, dir_;
  bool created_dir_ = false;
  std::vector<std::string> written_;
  Table table_;
  int64_t distinct_keys_ = 0;
  std::vector<Facts> facts_;
};

Status Scenario::PrepareDir() {
  std::error_code ec;
  if (options_.dir.empty()) {
    std::string tmpl = "/tmp/edgepipe-bench-groupby-XXXXXX";
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
  std::error_code ec;
  if (created_dir_) {
    fs::remove_all(dir_, ec);
    return;
  }
  for (const auto& f : written_) fs::remove(f, ec);
}

// keys uniform in [0, keys) (multiply-high of a 64-bit draw), values
// uniform in [0, 1) with 53 random bits: a pure function of (rows, keys, seed).
Status Scenario::MakeData() {
  const int64_t n = options_.rows;
  ASSIGN_OR_RETURN(auto kbuf, Buffer::Allocate(static_cast<size_t>(n) * 8));
  ASSIGN_OR_RETURN(auto vbuf, Buffer::Allocate(static_cast<size_t>(n) * 8));
  int64_t* k = kbuf->mutable_data_as<int64_t>();
  double* v = vbuf->mutable_data_as<double>();
  uint64_t state = options_.seed;
  std::vector<uint8_t> seen(static_cast<size_t>(options_.keys), 0);
  for (int64_t row_idx = 0; row_idx < n; ++row_idx) {
    const uint64_t a = SplitMix64(&state), b = SplitMix64(&state);
    k[row_idx] = static_cast<int64_t>((static_cast<unsigned __int128>(a) * static_cast<uint64_t>(options_.keys)) >> 64);
    v[row_idx] = static_cast<double>(b >> 11) * 0x1.0p-53;
    seen[static_cast<size_t>(k[row_idx])] = 1;
  }
  distinct_keys_ = std::count(seen.begin(), seen.end(), 1);
  auto schema = std::make_shared<const Schema>(std::vector<Field>{{"k", Type::kInt64, false}, {"v", Type::kFloat64, false}});
  ASSIGN_OR_RETURN(RecordBatch batch,
                   RecordBatch::Make(schema, {Column(Type::kInt64, n, kbuf), Column(Type::kFloat64, n, vbuf)}));
  table_ = Table(schema);
  RETURN_NOT_OK(table_.Append(std::move(batch)));

  // Raw little-endian arrays for the Python peers, Parquet for the Node ones.
  const std::pair<std::string, std::shared_ptr<Buffer>> raw[] = {{dir_ + "/keys.i64", kbuf}, {dir_ + "/values.f64", vbuf}};
  for (const auto& [path, buf] : raw) {
    written_.push_back(path);
    ASSIGN_OR_RETURN(auto file, AtomicFile::Open(path));
    RETURN_NOT_OK(file->Write(buf->data(), static_cast<size_t>(n) * 8));
    RETURN_NOT_OK(file->Commit());
  }
  written_.push_back(dir_ + "/groupby.parquet");
  parquet::ParquetWriteOptions wopts;
  wopts.compression = parquet::Compression::kSnappy;
  return parquet::WriteParquet(table_, dir_ + "/groupby.parquet", wopts);
}

Status Scenario::RunEdgepipe(int col) {
  Cell& cell = report_.rows[0].cells[col];
  compute::GroupByOptions gopts;
  gopts.sort_keys = false;  // as the peers: groups in any order
  const std::vector<compute::Aggregate> aggs = {{compute::AggKind::kMean, "v", ""}};
  Table out;
  MeasureOptions m;
  m.warmup = options_.warmup;
  m.runs = options_.runs;
  m.progress = [&](int done, int runs) { Progress(fmt::format("edgepipe: group by mean {}/{}", done, runs)); };
  const int total = options_.warmup + options_.runs;
  int done = 0;
  auto samples = Measure(
      [&]() -> Status {
        ASSIGN_OR_RETURN(out, compute::GroupBy(table_, {"k"}, aggs, gopts));
        return Status::OK();
      },
      m, [&] {
        if (++done < total) out = Table();
      });
  if (!samples.ok()) {
    cell.status = CellStatus::kFailed;
    cell.message = samples.status().ToString();
    return Status::OK();
  }
  cell.status = CellStatus::kOk;
  cell.samples = std::move(*samples);
  double check = 0;
  for (const auto& batch : out.batches()) {
    const double* means = batch.column(1).values<double>();
    for (int64_t row_idx = 0; row_idx < batch.num_rows(); ++row_idx) check += means[row_idx];
  }
  facts_[col] = {out.num_rows(), check};
  return Status::OK();
}

Status Scenario::RunPeer(const EngineSpec& spec, int col) {
  EngineInfo& engine = report_.engines[col];
  Cell& cell = report_.rows[0].cells[col];
  auto mark_all = [&](CellStatus status, const std::string& message) {
    engine.status = status;
    engine.message = message;
    cell.status = status;
    cell.message = message;
    Progress(fmt::format("{}: {}: {}", spec.id, CellStatusName(status), message));
  };
  const std::string script = source_dir_ + "/bench/peers/" + spec.script;
  PeerCommand cmd;
  cmd.name = spec.id;
  const std::string runs = std::to_string(options_.runs), warmup = std::to_string(options_.warmup);
  if (spec.kind == EngineSpec::kPython) {
    if (!FindOnPath(options_.python)) {
      mark_all(CellStatus::kNotInstalled, "'" + options_.python + "' not found");
      return Status::OK();
    }
    // env -u: PeerCommand can only set variables; these must be absent.
    cmd.argv = {"/usr/bin/env", "-u", "OPENBLAS_CORETYPE", "-u", "OPENBLAS_L2_SIZE", options_.python, script,
                "--engine", spec.package, "--dir", dir_, "--rows", std::to_string(options_.rows),
                "--keys", std::to_string(options_.keys), "--runs", runs, "--warmup", warmup};
    if (spec.package == std::string_view("dict")) {
      cmd.argv.insert(cmd.argv.end(),
                      {"--prefix", std::to_string(std::min(options_.rows, options_.python_dict_rows))});
    }
  } else {
    const std::string node_modules = source_dir_ + "/node_modules";
    if (auto v = NodePackageVersion(node_modules, spec.package); v.ok()) engine.version = *v;
    cmd.argv = {options_.node, "--expose-gc", script, "--parquet", dir_ + "/groupby.parquet", "--runs", runs,
                "--warmup", warmup};
    cmd.working_dir = source_dir_;
  }
  if (options_.threads > 0) {
    cmd.argv.insert(cmd.argv.end(), {"--threads", std::to_string(options_.threads)});
    cmd.env.emplace_back("POLARS_MAX_THREADS", std::to_string(options_.threads));
  }
  cmd.timeout_seconds = options_.peer_timeout_seconds;
  Progress(fmt::format("{}: starting ({})", spec.id, spec.script));
  PeerRunner runner;
  ASSIGN_OR_RETURN(PeerOutcome outcome, runner.Run(cmd, [&](std::string_view line) {
    const size_t space = line.find(' ');
    const std::string what(space == std::string_view::npos ? line : line.substr(space + 1));
    Progress(fmt::format("{}: group by mean {}", spec.id, what == "warmup" ? std::string("warm-up") : what));
  }));
  if (outcome.status != PeerStatus::kOk) {
    mark_all(outcome.status == PeerStatus::kNotInstalled ? CellStatus::kNotInstalled
             : outcome.status == PeerStatus::kTimedOut   ? CellStatus::kTimedOut
                                                         : CellStatus::kFailed,
             outcome.message);
    return Status::OK();
  }
  const nlohmann::json& out = outcome.output;
  if (out.contains("version") && out["version"].is_string()) engine.version = out["version"].get<std::string>();
  engine.details = {{"runtime", out.value("runtime", "")},
                    {"threads", out.contains("threads") ? out["threads"] : nlohmann::json()},
                    {"wall_seconds", outcome.wall_seconds}};
  if (spec.kind == EngineSpec::kPython) engine.details["env_unset"] = {"OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"};
  const nlohmann::json* entry = nullptr;
  if (out.contains("operations") && out["operations"].is_object() && out["operations"].contains(kOp)) {
    entry = &out["operations"][kOp];
  }
  cell = CellFromPeerEntry(entry, CellStatus::kFailed, "not reported by the peer");
  if (cell.status != CellStatus::kOk) return Status::OK();
  std::vector<double> seconds = cell.samples.all;
  // A prefix run (the dict loop) is scaled to the full row count: the loop
  // is linear in rows and the 1000 groups stay in cache.
  const int64_t timed_rows = entry->value("rows", options_.rows);
  if (timed_rows > 0 && timed_rows < options_.rows) {
    const double scale = static_cast<double>(options_.rows) / static_cast<double>(timed_rows);
    for (double& s : seconds) s *= scale;
    cell.message = fmt::format("timed on the first {} rows, scaled ×{:.3g}", WithThousands(timed_rows), scale);
  } else {
    Facts& f = facts_[col];
    if (entry->contains("groups") && (*entry)["groups"].is_number_integer()) f.groups = (*entry)["groups"].get<int64_t>();
    if (entry->contains("check") && (*entry)["check"].is_number()) f.check = (*entry)["check"].get<double>();
  }
  cell.samples = SamplesFromSeconds(std::move(seconds));
  return Status::OK();
}

void Scenario::CrossCheck() {
  std::optional<double> reference;
  std::string reference_engine;
  for (size_t col = 0; col < facts_.size(); ++col) {
    if (facts_[col].check) {
      reference = facts_[col].check;
      reference_engine = report_.engines[col].label;
      break;
    }
  }
  for (size_t col = 0; col < facts_.size(); ++col) {
    Cell& cell = report_.rows[0].cells[col];
    const Facts& f = facts_[col];
    if (cell.status != CellStatus::kOk) continue;
    std::string problem;
    if (f.groups && *f.groups != distinct_keys_) {
      problem = fmt::format("{} groups, expected {}", *f.groups, distinct_keys_);
    } else if (f.check && reference && std::fabs(*f.check - *reference) > 1e-9 * (1 + std::fabs(*reference))) {
      problem = fmt::format("sum of the group means is {:.12g}, {} has {:.12g}", *f.check, reference_engine, *reference);
    }
    if (problem.empty()) continue;
    cell.status = CellStatus::kFailed;
    cell.message = "wrong result: " + problem;
    report_.notes.push_back(report_.engines[col].label + ": " + cell.message);
  }
}

Result<BenchReport> Scenario::Run() {
  if (options_.rows < 1) return Status::InvalidArgument("--rows must be >= 1");
  if (options_.keys < 1 || options_.keys > (int64_t{1} << 30)) return Status::InvalidArgument("--keys must be in [1, 2^30]");
  if (options_.runs < 1) return Status::InvalidArgument("--runs must be >= 1");
  if (options_.warmup < 0) return Status::InvalidArgument("--warmup must be >= 0");
  if (options_.threads < 0) return Status::InvalidArgument("--threads must be >= 0");
  if (options_.python_dict_rows < 1) return Status::InvalidArgument("python_dict_rows must be >= 1");
  if (options_.engines.empty()) return Status::InvalidArgument("--engines: no engine given");
  for (const auto& e : options_.engines) {
    if (std::find(GroupByEngines().begin(), GroupByEngines().end(), e) == GroupByEngines().end()) {
      std::string all;
      for (const auto& id : GroupByEngines()) all += (all.empty() ? "" : ",") + id;
      return Status::InvalidArgument("unknown engine '" + e + "' (expected some of " + all + ")");
    }
  }
  source_dir_ = options_.source_dir;
  if (source_dir_.empty()) {
    const char* env = std::getenv("EDGEPIPE_SOURCE_DIR");
    source_dir_ = env != nullptr && *env != '\0' ? env : EDGEPIPE_SOURCE_DIR_DEFAULT;
  }
  for (const auto& spec : kEngines) {
    if (std::find(options_.engines.begin(), options_.engines.end(), spec.id) == options_.engines.end()) continue;
    EngineInfo e;
    e.id = spec.id;
    e.label = spec.label;
    // The dict loop's prefix is scaled: marked in the table, explained in the notes.
    if (spec.id == std::string_view("python_dict") && options_.python_dict_rows < options_.rows) e.label += "*";
    if (spec.kind == EngineSpec::kSelf) {
      e.version = GetBuildInfo().edgepipe_version;
      e.details = {{"threads", GetNumThreads()}};
    }
    report_.engines.push_back(std::move(e));
  }
  facts_.resize(report_.engines.size());
  report_.AddRow(kOp, fmt::format("Group-by mean, {} rows, {} keys", WithThousands(options_.rows),
                                  WithThousands(options_.keys)),
                 false);
  report_.scenario = "groupby";
  report_.command = options_.command_line;
  report_.date = UtcNow();
  report_.machine = GetMachineInfo();
  report_.build = GetBuildInfo();
  report_.title = fmt::format("edgepipe bench groupby: mean per int64 key, {} rows, {} keys, median of {} run{} after {} warm-up",
                              WithThousands(options_.rows), WithThousands(options_.keys), options_.runs,
                              options_.runs == 1 ? "" : "s", options_.warmup);
  report_.config = {{"rows", options_.rows},     {"keys", options_.keys},   {"runs", options_.runs},
                    {"warmup", options_.warmup}, {"threads", options_.threads}, {"engines", options_.engines},
                    {"seed", options_.seed},     {"python_dict_rows", std::min(options_.rows, options_.python_dict_rows)},
                    {"python", options_.python}, {"source_dir", source_dir_},
                    {"python_env_unset", {"OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"}}};

  RETURN_NOT_OK(PrepareDir());
  Progress(fmt::format("generating {} rows, keys in [0, {}) -> {}", WithThousands(options_.rows), options_.keys, dir_));
  Status st = MakeData();
  for (size_t col = 0; col < report_.engines.size() && st.ok(); ++col) {
    for (const auto& spec : kEngines) {
      if (report_.engines[col].id != spec.id) continue;
      st = spec.kind == EngineSpec::kSelf ? RunEdgepipe(static_cast<int>(col)) : RunPeer(spec, static_cast<int>(col));
    }
  }
  Cleanup();
  RETURN_NOT_OK(st);
  CrossCheck();
  if (report_.EngineIndex("python_dict") >= 0 && options_.python_dict_rows < options_.rows) {
    report_.notes.push_back(fmt::format(
        "Python dict*: a CPython loop over the first {} rows, its times scaled to {} rows (linear in rows).",
        WithThousands(std::min(options_.rows, options_.python_dict_rows)), WithThousands(options_.rows)));
  }
  report_.notes.push_back(
      "Python peers (/usr/bin/python3) run with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed from their "
      "environment; edgepipe and the Node peers keep the environment as is.");
  report_.notes.push_back("Ratios compare medians: fastest peer / edgepipe (\"faster\") or edgepipe / fastest peer (\"slower\").");
  return std::move(report_);
}

}  // namespace

const std::vector<std::string>& GroupByEngines() {
  static const std::vector<std::string> engines = [] {
    std::vector<std::string> v;
    for (const auto& spec : kEngines) v.push_back(spec.id);
    return v;
  }();
  return engines;
}

Result<BenchReport> RunGroupByBench(const GroupByBenchOptions& options) {
  Scenario scenario(options);
  return scenario.Run();
}

}  // namespace edgepipe::bench
