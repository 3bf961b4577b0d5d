#include "edgepipe/bench/groupby_scenario.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <optional>

#include "bench/scenario_util.h"
#include "edgepipe/bench/peer_runner.h"
#include "edgepipe/compute/group_by.h"
#include "edgepipe/core/atomic_file.h"
#include "edgepipe/core/buffer.h"
#include "edgepipe/core/table.h"
#include "edgepipe/parquet/writer.h"

namespace edgepipe::bench {

namespace {

constexpr const char* kOp = "group_by_mean";

// Python engines: arg is groupby_python.py's --engine; Node: the npm package.
constexpr EngineSpec kEngines[] = {
    {"edgepipe", "edgepipe", EngineKind::kSelf, "", ""},
    {"python_dict", "Python dict", EngineKind::kPython, "groupby_python.py", "dict"},
    {"numpy", "NumPy bincount", EngineKind::kPython, "groupby_python.py", "numpy"},
    {"pandas", "pandas", EngineKind::kPython, "groupby_python.py", "pandas"},
    {"torch", "PyTorch index_add_", EngineKind::kPython, "groupby_python.py", "torch"},
    {"polars", "Polars", EngineKind::kNode, "groupby_polars.mjs", "nodejs-polars"},
    {"duckdb", "DuckDB", EngineKind::kNode, "groupby_duckdb.mjs", "@duckdb/node-api"},
};

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
  explicit Scenario(const GroupByBenchOptions& options)
      : options_(options), progress_("[bench groupby]", options.progress) {}
  Result<BenchReport> Run();

 private:
  Status CheckOptions() const;
  void SetUp();
  Status MakeData();
  void RunEdgepipe(int col);
  Status RunPeer(const EngineSpec& spec, int col);
  PeerCommand PeerCommandFor(const EngineSpec& spec) const;
  void CrossCheck();

  const GroupByBenchOptions& options_;
  const ScenarioProgress progress_;
  BenchReport report_;
  std::string source_dir_;
  WorkDir work_;
  Table table_;
  int64_t distinct_keys_ = 0;
  std::vector<Facts> facts_;
};

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
  const std::pair<std::string, std::shared_ptr<Buffer>> raw[] = {{work_.File("keys.i64"), kbuf}, {work_.File("values.f64"), vbuf}};
  for (const auto& [path, buf] : raw) {
    work_.Track(path);
    ASSIGN_OR_RETURN(auto file, AtomicFile::Open(path));
    RETURN_NOT_OK(file->Write(buf->data(), static_cast<size_t>(n) * 8));
    RETURN_NOT_OK(file->Commit());
  }
  work_.Track(work_.File("groupby.parquet"));
  parquet::ParquetWriteOptions wopts;
  wopts.compression = parquet::Compression::kSnappy;
  return parquet::WriteParquet(table_, work_.File("groupby.parquet"), wopts);
}

void Scenario::RunEdgepipe(int col) {
  compute::GroupByOptions gopts;
  gopts.sort_keys = false;  // as the peers: groups in any order
  const std::vector<compute::Aggregate> aggs = {{compute::AggKind::kMean, "v", ""}};
  Table out;
  const MeasureOptions timing = progress_.Timing(options_.warmup, options_.runs, "edgepipe", kOp);
  auto samples = Measure(
      [&]() -> Status {
        ASSIGN_OR_RETURN(out, compute::GroupBy(table_, {"k"}, aggs, gopts));
        return Status::OK();
      },
      timing, ReleaseAllButLast(&out, timing));
  Cell& cell = report_.rows[0].cells[col];
  cell = CellFromSamples(std::move(samples));
  if (cell.status != CellStatus::kOk) return;
  double check = 0;
  for (const auto& batch : out.batches()) {
    const double* means = batch.column(1).values<double>();
    for (int64_t row_idx = 0; row_idx < batch.num_rows(); ++row_idx) check += means[row_idx];
  }
  facts_[col] = {out.num_rows(), check};
}

// Python peers read the raw arrays, Node peers the Parquet file.
PeerCommand Scenario::PeerCommandFor(const EngineSpec& spec) const {
  const std::string runs = std::to_string(options_.runs), warmup = std::to_string(options_.warmup);
  PeerCommand cmd;
  cmd.name = spec.id;
  if (spec.kind == EngineKind::kPython) {
    cmd.argv = PythonPeerArgv(options_.python, source_dir_, spec.script);
    cmd.argv.insert(cmd.argv.end(), {"--engine", spec.arg, "--dir", work_.path(), "--rows", std::to_string(options_.rows),
                                     "--keys", std::to_string(options_.keys), "--runs", runs, "--warmup", warmup});
    if (spec.arg == std::string_view("dict")) {
      cmd.argv.insert(cmd.argv.end(), {"--prefix", std::to_string(std::min(options_.rows, options_.python_dict_rows))});
    }
  } else {
    cmd.argv = NodePeerArgv(options_.node, source_dir_, spec.script);
    cmd.argv.insert(cmd.argv.end(), {"--parquet", work_.File("groupby.parquet"), "--runs", runs, "--warmup", warmup});
    cmd.working_dir = source_dir_;
  }
  AddPeerThreads(options_.threads, &cmd);
  cmd.timeout_seconds = options_.peer_timeout_seconds;
  return cmd;
}

Status Scenario::RunPeer(const EngineSpec& spec, int col) {
  EngineInfo& engine = report_.engines[col];
  if (spec.kind == EngineKind::kPython && !FindOnPath(options_.python)) {
    MarkEngine(&report_, col, CellStatus::kNotInstalled, "'" + options_.python + "' not found", progress_);
    return Status::OK();
  }
  if (spec.kind == EngineKind::kNode) {
    if (auto v = NodePackageVersion(source_dir_ + "/node_modules", spec.arg); v.ok()) engine.version = *v;
  }
  progress_(fmt::format("{}: starting ({})", spec.id, spec.script));
  ASSIGN_OR_RETURN(PeerOutcome outcome, RunEnginePeer(PeerCommandFor(spec), &report_, col, progress_));
  if (outcome.status != PeerStatus::kOk) return Status::OK();
  const nlohmann::json& out = outcome.output;
  engine.details = {{"runtime", out.value("runtime", "")},
                    {"threads", out.contains("threads") ? out["threads"] : nlohmann::json()},
                    {"wall_seconds", outcome.wall_seconds}};
  if (spec.kind == EngineKind::kPython) engine.details["env_unset"] = PythonEnvUnset();
  const nlohmann::json* entry = PeerOperation(out, kOp);
  Cell& cell = report_.rows[0].cells[col];
  cell = CellFromPeerEntry(entry, CellStatus::kFailed, "not reported by the peer");
  if (cell.status != CellStatus::kOk) return Status::OK();
  // A prefix run (the dict loop) is scaled to the full row count: the loop
  // is linear in rows and the 1000 groups stay in cache.
  const int64_t timed_rows = entry->value("rows", options_.rows);
  if (timed_rows > 0 && timed_rows < options_.rows) {
    const double scale = static_cast<double>(options_.rows) / static_cast<double>(timed_rows);
    std::vector<double> seconds = cell.samples.all;
    for (double& s : seconds) s *= scale;
    cell.samples = SamplesFromSeconds(std::move(seconds));
    cell.message = fmt::format("timed on the first {} rows, scaled ×{:.3g}", WithThousands(timed_rows), scale);
  } else {
    facts_[col] = {JsonInt(*entry, "groups"), JsonNumber(*entry, "check")};
  }
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

Status Scenario::CheckOptions() const {
  if (options_.rows < 1) return Status::InvalidArgument("--rows must be >= 1");
  if (options_.keys < 1 || options_.keys > (int64_t{1} << 30)) return Status::InvalidArgument("--keys must be in [1, 2^30]");
  RETURN_NOT_OK(CheckTimingOptions(options_.runs, options_.warmup, options_.threads));
  if (options_.python_dict_rows < 1) return Status::InvalidArgument("python_dict_rows must be >= 1");
  return CheckEngines(kEngines, options_.engines);
}

// Engines, the one row, title and config.
void Scenario::SetUp() {
  source_dir_ = ResolveSourceDir(options_.source_dir);
  report_ = NewReport("groupby", options_.command_line);
  report_.engines = SelectEngines(kEngines, options_.engines);
  // The dict loop's prefix is scaled: marked in the table, explained in the notes.
  if (const int dict = report_.EngineIndex("python_dict"); dict >= 0 && options_.python_dict_rows < options_.rows) {
    report_.engines[dict].label += "*";
  }
  facts_.resize(report_.engines.size());
  report_.AddRow(kOp, fmt::format("Group-by mean, {} rows, {} keys", WithThousands(options_.rows),
                                  WithThousands(options_.keys)),
                 false);
  report_.title = fmt::format("edgepipe bench groupby: mean per int64 key, {} rows, {} keys, median of {} run{} after {} warm-up",
                              WithThousands(options_.rows), WithThousands(options_.keys), options_.runs,
                              options_.runs == 1 ? "" : "s", options_.warmup);
  report_.config = {{"rows", options_.rows},     {"keys", options_.keys},   {"runs", options_.runs},
                    {"warmup", options_.warmup}, {"threads", options_.threads}, {"engines", options_.engines},
                    {"seed", options_.seed},     {"python_dict_rows", std::min(options_.rows, options_.python_dict_rows)},
                    {"python", options_.python}, {"source_dir", source_dir_},
                    {"python_env_unset", PythonEnvUnset()}};
}

Result<BenchReport> Scenario::Run() {
  RETURN_NOT_OK(CheckOptions());
  SetUp();
  RETURN_NOT_OK(work_.Prepare(options_.dir, "edgepipe-bench-groupby"));
  progress_(fmt::format("generating {} rows, keys in [0, {}) -> {}", WithThousands(options_.rows), options_.keys,
                        work_.path()));
  RETURN_NOT_OK(MakeData());
  for (size_t col = 0; col < report_.engines.size(); ++col) {
    const EngineSpec& spec = *FindEngine(kEngines, report_.engines[col].id);
    if (spec.kind == EngineKind::kSelf) {
      RunEdgepipe(static_cast<int>(col));
    } else {
      RETURN_NOT_OK(RunPeer(spec, static_cast<int>(col)));
    }
  }
  work_.Cleanup();
  CrossCheck();
  if (report_.EngineIndex("python_dict") >= 0 && options_.python_dict_rows < options_.rows) {
    report_.notes.push_back(fmt::format(
        "Python dict*: a CPython loop over the first {} rows, its times scaled to {} rows (linear in rows).",
        WithThousands(std::min(options_.rows, options_.python_dict_rows)), WithThousands(options_.rows)));
  }
  report_.notes.push_back(PythonEnvNote(options_.python));
  report_.notes.push_back(RatioNote());
  return std::move(report_);
}

}  // namespace

const std::vector<std::string>& GroupByEngines() {
  static const std::vector<std::string> engines = IdsOf(kEngines);
  return engines;
}

Result<BenchReport> RunGroupByBench(const GroupByBenchOptions& options) {
  return Scenario(options).Run();
}

}  // namespace edgepipe::bench
