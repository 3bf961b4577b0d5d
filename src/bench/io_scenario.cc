#include "edgepipe/bench/io_scenario.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <optional>

#include "bench/scenario_util.h"
#include "edgepipe/bench/peer_runner.h"
#include "edgepipe/bench/sensor_csv.h"
#include "edgepipe/compute/group_by.h"
#include "edgepipe/core/table.h"
#include "edgepipe/csv/reader.h"
#include "edgepipe/parquet/reader.h"
#include "edgepipe/parquet/writer.h"

namespace edgepipe::bench {

namespace fs = std::filesystem;

namespace {

constexpr int kSensors = 10;
const char* const kMeanColumns[] = {"ax", "ay", "az", "gx", "gy", "gz"};

struct OperationSpec {
  const char* id;
  const char* label;
  bool has_bytes;
};
constexpr OperationSpec kOperations[] = {
    {"csv_read", "CSV read", false},
    {"parquet_write_zstd", "Parquet write zstd", true},
    {"parquet_write_snappy", "Parquet write snappy", true},
    {"parquet_read_zstd", "Parquet read zstd (own file)", false},
    {"parquet_read_snappy", "Parquet read snappy (own file)", false},
    {"parquet_read_edgepipe_zstd", "Parquet read edgepipe's zstd file", false},
    {"group_by_mean", "Group-by mean per sensor (6 cols)", false},
};

// Canonical order: edgepipe first (the subject of the ratios).
constexpr EngineSpec kEngines[] = {
    {"edgepipe", "edgepipe", EngineKind::kSelf, "", ""},
    {"polars", "Polars", EngineKind::kNode, "io_polars.mjs", "nodejs-polars"},
    {"duckdb", "DuckDB", EngineKind::kNode, "io_duckdb.mjs", "@duckdb/node-api"},
};

// What a run produced, for the cross-engine checks.
struct ResultFacts {
  std::optional<int64_t> rows;
  std::optional<int64_t> groups;
  std::optional<double> check;  // sum of every group mean
};

class Scenario {
 public:
  explicit Scenario(const IoBenchOptions& options)
      : options_(options), progress_("[bench io]", options.progress) {}

  Result<BenchReport> Run();

 private:
  MeasureOptions Timing(std::string_view op) const {
    return progress_.Timing(options_.warmup, options_.runs, "edgepipe", op);
  }
  // edgepipe's cell of `op`; a failure is also said on progress.
  void SetCell(std::string_view op, int col, Result<Samples> samples, std::optional<int64_t> bytes = std::nullopt);
  Status CheckOptions() const;
  Status WriteInput();
  Status RunEngines();
  void RunEdgepipe(int col);
  std::optional<Table> TimeCsvRead(int col);
  void CheckFloatColumns(const Table& table);
  void TimeParquetWrites(const Table& table, int col);
  void TimeParquetReads(int col);
  void TimeGroupBy(const Table& table, int col);
  Status WriteCrossFile();
  Status RunPeer(const EngineSpec& peer, int col);
  void CrossCheck();

  const IoBenchOptions& options_;
  const ScenarioProgress progress_;
  BenchReport report_;
  std::string source_dir_;
  WorkDir work_;
  std::string csv_path_;
  std::string cross_path_;  // edgepipe's zstd file, read by every engine
  // facts_[op][engine col]
  std::map<std::string, std::map<int, ResultFacts>> facts_;
};

void Scenario::SetCell(std::string_view op, int col, Result<Samples> samples, std::optional<int64_t> bytes) {
  if (!samples.ok()) progress_(fmt::format("edgepipe: {} failed: {}", OpWords(op), samples.status().ToString()));
  report_.FindRow(op)->cells[col] = CellFromSamples(std::move(samples), bytes);
}

void Scenario::RunEdgepipe(int col) {
  std::optional<Table> table = TimeCsvRead(col);
  if (!table) return;
  CheckFloatColumns(*table);
  TimeParquetWrites(*table, col);
  TimeParquetReads(col);
  TimeGroupBy(*table, col);
}

// The table every other operation starts from: the timed read's, or (when
// it failed) one untimed read; nullopt when even that fails.
std::optional<Table> Scenario::TimeCsvRead(int col) {
  Table out;
  const MeasureOptions timing = Timing("csv_read");
  auto samples = Measure(
      [&]() -> Status {
        ASSIGN_OR_RETURN(out, csv::ReadCsv(csv_path_));
        return Status::OK();
      },
      timing, ReleaseAllButLast(&out, timing));
  const bool ok = samples.ok();
  SetCell("csv_read", col, std::move(samples));
  if (ok) {
    facts_["csv_read"][col].rows = out.num_rows();
    return out;
  }
  auto again = csv::ReadCsv(csv_path_);
  if (again.ok()) return std::move(*again);
  for (const auto& spec : kOperations) {
    if (std::string_view(spec.id) != "csv_read") {
      SetCell(spec.id, col, Status::Internal("no input table: CSV read failed"));
    }
  }
  return std::nullopt;
}

// The scenario's contract: the CSV's float columns are float64 in memory.
void Scenario::CheckFloatColumns(const Table& table) {
  for (const char* name : kMeanColumns) {
    const int idx = table.schema()->FieldIndex(name);
    if (idx < 0 || table.schema()->field(idx).type != Type::kFloat64) {
      report_.notes.push_back(fmt::format("edgepipe read column '{}' as {}, not float64", name,
                                          idx < 0 ? "absent" : std::string(TypeName(table.schema()->field(idx).type))));
    }
  }
}

void Scenario::TimeParquetWrites(const Table& table, int col) {
  const std::pair<const char*, parquet::Compression> codecs[] = {{"zstd", parquet::Compression::kZstd},
                                                                 {"snappy", parquet::Compression::kSnappy}};
  for (const auto& [codec, compression] : codecs) {
    const std::string op = std::string("parquet_write_") + codec;
    const std::string path = work_.File(fmt::format("edgepipe.{}.parquet", codec));
    work_.Track(path);
    parquet::ParquetWriteOptions wopts;
    wopts.compression = compression;
    auto samples = Measure([&] { return parquet::WriteParquet(table, path, wopts); }, Timing(op));
    std::error_code ec;
    const auto size = samples.ok() ? fs::file_size(path, ec) : 0;
    SetCell(op, col, std::move(samples), ec ? std::nullopt : std::optional<int64_t>(static_cast<int64_t>(size)));
  }
}

// Own files, then the cross-read file, which for edgepipe is its own zstd
// file read again.
void Scenario::TimeParquetReads(int col) {
  const std::pair<const char*, std::string> reads[] = {
      {"parquet_read_zstd", work_.File("edgepipe.zstd.parquet")},
      {"parquet_read_snappy", work_.File("edgepipe.snappy.parquet")},
      {"parquet_read_edgepipe_zstd", cross_path_},
  };
  for (const auto& read : reads) {
    // Named copies: clang 14 cannot capture structured bindings in lambdas.
    const char* op = read.first;
    const std::string& path = read.second;
    Table out;
    int64_t rows = -1;
    auto samples = Measure(
        [&]() -> Status {
          ASSIGN_OR_RETURN(out, parquet::ReadParquet(path));
          return Status::OK();
        },
        Timing(op),
        [&] {
          rows = out.num_rows();
          out = Table();
        });
    if (samples.ok()) facts_[op][col].rows = rows;
    SetCell(op, col, std::move(samples));
  }
}

void Scenario::TimeGroupBy(const Table& table, int col) {
  std::vector<compute::Aggregate> aggs;
  for (const char* name : kMeanColumns) aggs.push_back({compute::AggKind::kMean, name, ""});
  compute::GroupByOptions gopts;
  gopts.sort_keys = false;  // as the peers: groups in any order
  Table out;
  const MeasureOptions timing = Timing("group_by_mean");
  auto samples = Measure(
      [&]() -> Status {
        ASSIGN_OR_RETURN(out, compute::GroupBy(table, {"sensor_id"}, aggs, gopts));
        return Status::OK();
      },
      timing, ReleaseAllButLast(&out, timing));
  const bool ok = samples.ok();
  SetCell("group_by_mean", col, std::move(samples));
  if (!ok) return;
  ResultFacts& f = facts_["group_by_mean"][col];
  f.groups = out.num_rows();
  double check = 0;
  for (const auto& batch : out.batches()) {
    for (int c = 1; c < batch.num_columns(); ++c) {
      const Column& column = batch.column(c);
      if (column.type() != Type::kFloat64) continue;
      const double* v = column.values<double>();
      for (int64_t row_idx = 0; row_idx < column.length(); ++row_idx) {
        if (column.IsValid(row_idx)) check += v[row_idx];
      }
    }
  }
  f.check = check;
}

// The file every engine cross-reads. edgepipe's timed zstd write leaves it
// in place; without edgepipe in the run it is written here, untimed.
Status Scenario::WriteCrossFile() {
  std::error_code ec;
  if (fs::exists(cross_path_, ec)) return Status::OK();
  ASSIGN_OR_RETURN(Table table, csv::ReadCsv(csv_path_));
  parquet::ParquetWriteOptions wopts;
  wopts.compression = parquet::Compression::kZstd;
  work_.Track(cross_path_);
  return parquet::WriteParquet(table, cross_path_, wopts);
}

Status Scenario::RunPeer(const EngineSpec& peer, int col) {
  EngineInfo& engine = report_.engines[col];
  if (auto v = NodePackageVersion(source_dir_ + "/node_modules", peer.arg); v.ok()) engine.version = *v;
  for (const char* codec : {"zstd", "snappy"}) work_.Track(work_.File(fmt::format("{}.{}.parquet", peer.id, codec)));

  PeerCommand cmd;
  cmd.name = peer.id;
  cmd.argv = NodePeerArgv(options_.node, source_dir_, peer.script);
  cmd.argv.insert(cmd.argv.end(), {"--csv", csv_path_, "--dir", work_.path(), "--runs", std::to_string(options_.runs),
                                   "--warmup", std::to_string(options_.warmup)});
  AddPeerThreads(options_.threads, &cmd);
  if (!cross_path_.empty()) cmd.argv.insert(cmd.argv.end(), {"--cross", cross_path_});
  cmd.working_dir = source_dir_;
  cmd.timeout_seconds = options_.peer_timeout_seconds;

  progress_(fmt::format("{}: starting ({})", peer.id, peer.script));
  ASSIGN_OR_RETURN(PeerOutcome outcome, RunEnginePeer(cmd, &report_, col, progress_));
  if (outcome.status != PeerStatus::kOk) return Status::OK();

  const nlohmann::json& out = outcome.output;
  engine.details = {{"node", out.value("node", "")},
                    {"package", peer.arg},
                    {"package_version", out.value("package_version", "")},
                    {"threads", out.contains("threads") ? out["threads"] : nlohmann::json()},
                    {"wall_seconds", outcome.wall_seconds}};
  for (auto& row : report_.rows) {
    const nlohmann::json* entry = PeerOperation(out, row.id);
    row.cells[col] = CellFromPeerEntry(entry, CellStatus::kNotRun, "not reported by the peer");
    if (row.cells[col].status != CellStatus::kOk) continue;
    facts_[row.id][col] = {JsonInt(*entry, "rows"), JsonInt(*entry, "groups"), JsonNumber(*entry, "check")};
  }
  return Status::OK();
}

// A timing of a wrong result is not a timing: row counts must match the
// input, the group-by must find every sensor and agree on the means.
void Scenario::CrossCheck() {
  const int64_t expected_groups = std::min<int64_t>(kSensors, options_.rows);
  std::optional<double> reference_check;
  std::string reference_engine;
  for (const auto& [col, f] : facts_["group_by_mean"]) {
    if (f.check) {
      reference_check = f.check;
      reference_engine = report_.engines[col].id;
      break;  // lowest column first: edgepipe when it ran
    }
  }
  for (auto& row : report_.rows) {
    for (const auto& [col, f] : facts_[row.id]) {
      Cell& cell = row.cells[col];
      if (cell.status != CellStatus::kOk) continue;
      std::string problem;
      if (f.rows && *f.rows != options_.rows) {
        problem = fmt::format("produced {} rows, expected {}", *f.rows, options_.rows);
      } else if (f.groups && *f.groups != expected_groups) {
        problem = fmt::format("produced {} groups, expected {}", *f.groups, expected_groups);
      } else if (f.check && reference_check &&
                 std::fabs(*f.check - *reference_check) > 1e-6 * (1 + std::fabs(*reference_check))) {
        problem = fmt::format("sum of the group means is {:.9g}, {} has {:.9g}", *f.check, reference_engine,
                              *reference_check);
      }
      if (problem.empty()) continue;
      cell.status = CellStatus::kFailed;
      cell.message = "wrong result: " + problem;
      report_.notes.push_back(fmt::format("{} {}: {}", report_.engines[col].label, row.label, cell.message));
    }
  }
}

Status Scenario::CheckOptions() const {
  if (options_.rows < 1) return Status::InvalidArgument("--rows must be >= 1");
  RETURN_NOT_OK(CheckTimingOptions(options_.runs, options_.warmup, options_.threads));
  return CheckEngines(kEngines, options_.engines);
}

// The sensor CSV every engine reads, and the report's title and config.
Status Scenario::WriteInput() {
  RETURN_NOT_OK(work_.Prepare(options_.dir, "edgepipe-bench-io"));
  work_.Keep(options_.keep);
  csv_path_ = work_.File("sensors.csv");
  cross_path_ = work_.File("edgepipe.zstd.parquet");
  work_.Track(csv_path_);
  progress_(fmt::format("generating {} sensor rows -> {}", WithThousands(options_.rows), csv_path_));
  SensorCsvOptions csv_options;
  csv_options.rows = options_.rows;
  csv_options.sensors = kSensors;
  csv_options.seed = options_.seed;
  ASSIGN_OR_RETURN(int64_t csv_bytes, WriteSensorCsv(csv_path_, csv_options));

  report_.title = fmt::format("edgepipe bench io: {} sensor rows ({:.1f} MB CSV), median of {} run{} after {} warm-up",
                              WithThousands(options_.rows), static_cast<double>(csv_bytes) / 1e6, options_.runs,
                              options_.runs == 1 ? "" : "s", options_.warmup);
  report_.config = {{"rows", options_.rows},
                    {"runs", options_.runs},
                    {"warmup", options_.warmup},
                    {"threads", options_.threads},
                    {"engines", options_.engines},
                    {"seed", options_.seed},
                    {"sensors", kSensors},
                    {"csv_bytes", csv_bytes},
                    {"dir", options_.keep ? work_.path() : ""},
                    {"source_dir", source_dir_}};
  return Status::OK();
}

Status Scenario::RunEngines() {
  bool cross_ready = false;
  for (size_t col = 0; col < report_.engines.size(); ++col) {
    const EngineSpec& spec = *FindEngine(kEngines, report_.engines[col].id);
    if (spec.kind == EngineKind::kSelf) {
      RunEdgepipe(static_cast<int>(col));
      continue;
    }
    if (!cross_ready) {
      // Before the first peer: edgepipe's zstd file must exist (written
      // untimed when edgepipe did not run or its write failed).
      cross_ready = true;
      Status cross = WriteCrossFile();
      if (!cross.ok()) {
        report_.notes.push_back("could not write edgepipe's zstd file for the cross-read row: " + cross.ToString());
        cross_path_.clear();
      }
    }
    RETURN_NOT_OK(RunPeer(spec, static_cast<int>(col)));
  }
  return Status::OK();
}

Result<BenchReport> Scenario::Run() {
  RETURN_NOT_OK(CheckOptions());
  source_dir_ = ResolveSourceDir(options_.source_dir);
  report_ = NewReport("io", options_.command_line);
  report_.engines = SelectEngines(kEngines, options_.engines);
  for (const auto& spec : kOperations) report_.AddRow(spec.id, spec.label, spec.has_bytes);

  RETURN_NOT_OK(WriteInput());
  RETURN_NOT_OK(RunEngines());
  CrossCheck();
  report_.notes.push_back(RatioNote("sizes in MB = 10^6 bytes, size ratio = edgepipe / smallest peer at the same codec"));
  if (options_.keep) report_.notes.push_back("Files kept in " + work_.path());
  return std::move(report_);
}

}  // namespace

const std::vector<std::string>& IoOperations() {
  static const std::vector<std::string> ops = IdsOf(kOperations);
  return ops;
}

const std::vector<std::string>& IoEngines() {
  static const std::vector<std::string> engines = IdsOf(kEngines);
  return engines;
}

Result<BenchReport> RunIoBench(const IoBenchOptions& options) {
  return Scenario(options).Run();
}

}  // namespace edgepipe::bench
