#include "edgepipe/bench/io_scenario.h"

#include <fmt/core.h>
#include <stdlib.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>

#include "edgepipe/bench/peer_runner.h"
#include "edgepipe/bench/sensor_csv.h"
#include "edgepipe/compute/group_by.h"
#include "edgepipe/core/parallel.h"
#include "edgepipe/core/table.h"
#include "edgepipe/csv/reader.h"
#include "edgepipe/parquet/reader.h"
#include "edgepipe/parquet/writer.h"

#ifndef EDGEPIPE_SOURCE_DIR_DEFAULT
#define EDGEPIPE_SOURCE_DIR_DEFAULT "."
#endif

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

struct PeerSpec {
  const char* id;
  const char* label;
  const char* script;   // under bench/peers/
  const char* package;  // under node_modules/
};
constexpr PeerSpec kPeers[] = {
    {"polars", "Polars", "io_polars.mjs", "nodejs-polars"},
    {"duckdb", "DuckDB", "io_duckdb.mjs", "@duckdb/node-api"},
};

// What a run produced, for the cross-engine checks.
struct ResultFacts {
  std::optional<int64_t> rows;
  std::optional<int64_t> groups;
  std::optional<double> check;  // sum of every group mean
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

std::string OpWords(std::string_view id) {
  std::string s(id);
  std::replace(s.begin(), s.end(), '_', ' ');
  return s;
}

class Scenario {
 public:
  explicit Scenario(const IoBenchOptions& options) : options_(options) {}

  Result<BenchReport> Run();

 private:
  void Progress(const std::string& line) const {
    if (options_.progress) options_.progress("[bench io] " + line);
  }
  MeasureOptions Timing(const std::string& engine, const std::string& op) const {
    MeasureOptions m;
    m.warmup = options_.warmup;
    m.runs = options_.runs;
    m.progress = [this, engine, op](int done, int runs) {
      Progress(fmt::format("{}: {} {}/{}", engine, OpWords(op), done, runs));
    };
    return m;
  }
  OperationRow* Row(std::string_view id) {
    for (auto& row : report_.rows) {
      if (row.id == id) return &row;
    }
    return nullptr;
  }
  Status PrepareDir();
  void Cleanup();
  Status RunEdgepipe(int col);
  Status WriteCrossFile();
  Status RunPeer(const PeerSpec& peer, int col);
  void CrossCheck();

  const IoBenchOptions& options_;
  BenchReport report_;
  std::string source_dir_;
  std::string dir_;
  bool created_dir_ = false;
  std::string csv_path_;
  std::string cross_path_;  // edgepipe's zstd file, read by every engine
  std::vector<std::string> written_;  // files to remove unless --keep
  // facts_[op][engine col]
  std::map<std::string, std::map<int, ResultFacts>> facts_;
};

Status Scenario::PrepareDir() {
  std::error_code ec;
  if (options_.dir.empty()) {
    std::string tmpl = (fs::temp_directory_path(ec) / "edgepipe-bench-io-XXXXXX").string();
    if (ec) tmpl = "/tmp/edgepipe-bench-io-XXXXXX";
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
    } else if (!fs::is_directory(dir_, ec)) {
      return Status::InvalidArgument("--dir " + dir_ + " exists and is not a directory");
    }
  }
  dir_ = fs::absolute(dir_, ec).string();
  return Status::OK();
}

void Scenario::Cleanup() {
  if (options_.keep || dir_.empty()) return;
  std::error_code ec;
  if (created_dir_) {
    fs::remove_all(dir_, ec);
    return;
  }
  for (const auto& f : written_) fs::remove(f, ec);
}

Status Scenario::RunEdgepipe(int col) {
  const std::string engine = "edgepipe";
  auto fail_cell = [&](std::string_view op, const Status& st) {
    OperationRow* row = Row(op);
    if (row == nullptr) return;
    row->cells[col].status = CellStatus::kFailed;
    row->cells[col].message = st.ToString();
    Progress(fmt::format("{}: {} failed: {}", engine, OpWords(op), st.ToString()));
  };
  auto set_cell = [&](std::string_view op, Samples samples, std::optional<int64_t> bytes = std::nullopt) {
    Cell& cell = Row(op)->cells[col];
    cell.status = CellStatus::kOk;
    cell.samples = std::move(samples);
    cell.bytes = bytes;
  };
  // Runs `body` warmup + runs times; `keep_last` sees the final run's output.
  // Every run's output is dropped outside the timed region except the last.
  const int total_runs = options_.warmup + options_.runs;

  // ---- CSV read
  Table table;
  {
    Table out;
    int done = 0;
    auto samples = Measure(
        [&]() -> Status {
          ASSIGN_OR_RETURN(out, csv::ReadCsv(csv_path_));
          return Status::OK();
        },
        Timing(engine, "csv_read"),
        [&] {
          if (++done < total_runs) out = Table();
        });
    if (samples.ok()) {
      set_cell("csv_read", std::move(*samples));
      facts_["csv_read"][col].rows = out.num_rows();
      table = std::move(out);
    } else {
      fail_cell("csv_read", samples.status());
      // The other operations still need the table: one untimed read.
      auto again = csv::ReadCsv(csv_path_);
      if (!again.ok()) {
        for (const auto& spec : kOperations) {
          if (std::string_view(spec.id) != "csv_read") fail_cell(spec.id, Status::Internal("no input table: CSV read failed"));
        }
        return Status::OK();
      }
      table = std::move(*again);
    }
  }
  // The scenario's contract: the CSV's float columns are float64 in memory.
  for (const char* name : kMeanColumns) {
    const int idx = table.schema()->FieldIndex(name);
    if (idx < 0 || table.schema()->field(idx).type != Type::kFloat64) {
      report_.notes.push_back(fmt::format("edgepipe read column '{}' as {}, not float64", name,
                                          idx < 0 ? "absent" : std::string(TypeName(table.schema()->field(idx).type))));
    }
  }

  // ---- Parquet writes
  const std::pair<const char*, parquet::Compression> codecs[] = {{"zstd", parquet::Compression::kZstd},
                                                                 {"snappy", parquet::Compression::kSnappy}};
  for (const auto& [codec, compression] : codecs) {
    const std::string op = std::string("parquet_write_") + codec;
    const std::string path = dir_ + "/edgepipe." + codec + ".parquet";
    written_.push_back(path);
    parquet::ParquetWriteOptions wopts;
    wopts.compression = compression;
    auto samples = Measure([&] { return parquet::WriteParquet(table, path, wopts); }, Timing(engine, op));
    if (!samples.ok()) {
      fail_cell(op, samples.status());
      continue;
    }
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    set_cell(op, std::move(*samples), ec ? std::nullopt : std::optional<int64_t>(static_cast<int64_t>(size)));
  }

  // ---- Parquet reads (own files, then the cross-read file, which for
  // edgepipe is its own zstd file read again)
  const std::pair<const char*, std::string> reads[] = {
      {"parquet_read_zstd", dir_ + "/edgepipe.zstd.parquet"},
      {"parquet_read_snappy", dir_ + "/edgepipe.snappy.parquet"},
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
        Timing(engine, op),
        [&] {
          rows = out.num_rows();
          out = Table();
        });
    if (!samples.ok()) {
      fail_cell(op, samples.status());
      continue;
    }
    set_cell(op, std::move(*samples));
    facts_[op][col].rows = rows;
  }

  // ---- Group-by mean per sensor
  {
    std::vector<compute::Aggregate> aggs;
    for (const char* name : kMeanColumns) aggs.push_back({compute::AggKind::kMean, name, ""});
    compute::GroupByOptions gopts;
    gopts.sort_keys = false;  // as the peers: groups in any order
    Table out;
    int done = 0;
    auto samples = Measure(
        [&]() -> Status {
          ASSIGN_OR_RETURN(out, compute::GroupBy(table, {"sensor_id"}, aggs, gopts));
          return Status::OK();
        },
        Timing(engine, "group_by_mean"),
        [&] {
          if (++done < total_runs) out = Table();
        });
    if (!samples.ok()) {
      fail_cell("group_by_mean", samples.status());
    } else {
      set_cell("group_by_mean", std::move(*samples));
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
  }
  return Status::OK();
}

// The file every engine cross-reads. edgepipe's timed zstd write leaves it
// in place; without edgepipe in the run it is written here, untimed.
Status Scenario::WriteCrossFile() {
  std::error_code ec;
  if (fs::exists(cross_path_, ec)) return Status::OK();
  ASSIGN_OR_RETURN(Table table, csv::ReadCsv(csv_path_));
  parquet::ParquetWriteOptions wopts;
  wopts.compression = parquet::Compression::kZstd;
  written_.push_back(cross_path_);
  return parquet::WriteParquet(table, cross_path_, wopts);
}

Status Scenario::RunPeer(const PeerSpec& peer, int col) {
  EngineInfo& engine = report_.engines[col];
  const std::string node_modules = source_dir_ + "/node_modules";
  if (auto v = NodePackageVersion(node_modules, peer.package); v.ok()) engine.version = *v;
  for (const char* codec : {"zstd", "snappy"}) written_.push_back(dir_ + "/" + peer.id + "." + codec + ".parquet");

  PeerCommand cmd;
  cmd.name = peer.id;
  cmd.argv = {options_.node, "--expose-gc", source_dir_ + "/bench/peers/" + peer.script,
              "--csv", csv_path_, "--dir", dir_,
              "--runs", std::to_string(options_.runs), "--warmup", std::to_string(options_.warmup)};
  if (options_.threads > 0) {
    cmd.argv.insert(cmd.argv.end(), {"--threads", std::to_string(options_.threads)});
    cmd.env.emplace_back("POLARS_MAX_THREADS", std::to_string(options_.threads));
  }
  if (!cross_path_.empty()) cmd.argv.insert(cmd.argv.end(), {"--cross", cross_path_});
  cmd.working_dir = source_dir_;
  cmd.timeout_seconds = options_.peer_timeout_seconds;

  Progress(fmt::format("{}: starting ({})", peer.id, peer.script));
  PeerRunner runner;
  ASSIGN_OR_RETURN(PeerOutcome outcome, runner.Run(cmd, [&](std::string_view line) {
    // "csv_read 3/5" or "csv_read warmup"
    const size_t space = line.find(' ');
    if (space == std::string_view::npos) return;
    const std::string what(line.substr(space + 1));
    Progress(fmt::format("{}: {} {}", peer.id, OpWords(line.substr(0, space)),
                         what == "warmup" ? std::string("warm-up") : what));
  }));

  if (outcome.status != PeerStatus::kOk) {
    const CellStatus status = outcome.status == PeerStatus::kNotInstalled ? CellStatus::kNotInstalled
                              : outcome.status == PeerStatus::kTimedOut   ? CellStatus::kTimedOut
                                                                          : CellStatus::kFailed;
    engine.status = status;
    engine.message = outcome.message;
    for (auto& row : report_.rows) {
      row.cells[col].status = status;
      row.cells[col].message = outcome.message;
    }
    Progress(fmt::format("{}: {}: {}", peer.id, PeerStatusName(outcome.status), outcome.message));
    return Status::OK();
  }

  const nlohmann::json& out = outcome.output;
  if (out.contains("version") && out["version"].is_string()) engine.version = out["version"].get<std::string>();
  engine.details = {{"node", out.value("node", "")},
                    {"package", peer.package},
                    {"package_version", out.value("package_version", "")},
                    {"threads", out.contains("threads") ? out["threads"] : nlohmann::json()},
                    {"wall_seconds", outcome.wall_seconds}};
  const nlohmann::json empty = nlohmann::json::object();
  const nlohmann::json& ops = out.contains("operations") && out["operations"].is_object() ? out["operations"] : empty;
  for (auto& row : report_.rows) {
    Cell& cell = row.cells[col];
    const nlohmann::json* entry = ops.contains(row.id) ? &ops[row.id] : nullptr;
    cell = CellFromPeerEntry(entry, CellStatus::kNotRun, "not reported by the peer");
    if (cell.status != CellStatus::kOk) continue;
    ResultFacts& f = facts_[row.id][col];
    if (entry->contains("rows") && (*entry)["rows"].is_number_integer()) f.rows = (*entry)["rows"].get<int64_t>();
    if (entry->contains("groups") && (*entry)["groups"].is_number_integer()) {
      f.groups = (*entry)["groups"].get<int64_t>();
    }
    if (entry->contains("check") && (*entry)["check"].is_number()) f.check = (*entry)["check"].get<double>();
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

Result<BenchReport> Scenario::Run() {
  if (options_.rows < 1) return Status::InvalidArgument("--rows must be >= 1");
  if (options_.runs < 1) return Status::InvalidArgument("--runs must be >= 1");
  if (options_.warmup < 0) return Status::InvalidArgument("--warmup must be >= 0");
  if (options_.threads < 0) return Status::InvalidArgument("--threads must be >= 0");
  if (options_.engines.empty()) return Status::InvalidArgument("--engines: no engine given");
  for (const auto& e : options_.engines) {
    if (std::find(IoEngines().begin(), IoEngines().end(), e) == IoEngines().end()) {
      return Status::InvalidArgument("unknown engine '" + e + "' (expected edgepipe, polars or duckdb)");
    }
  }
  source_dir_ = options_.source_dir;
  if (source_dir_.empty()) {
    const char* env = std::getenv("EDGEPIPE_SOURCE_DIR");
    source_dir_ = env != nullptr && *env != '\0' ? env : EDGEPIPE_SOURCE_DIR_DEFAULT;
  }

  // Engines in canonical order (edgepipe first: the subject of the ratios).
  auto wanted = [&](std::string_view id) {
    return std::find(options_.engines.begin(), options_.engines.end(), id) != options_.engines.end();
  };
  if (wanted("edgepipe")) {
    EngineInfo e;
    e.id = "edgepipe";
    e.label = "edgepipe";
    e.version = GetBuildInfo().edgepipe_version;
    e.details = {{"threads", GetNumThreads()}};
    report_.engines.push_back(std::move(e));
  }
  for (const auto& peer : kPeers) {
    if (!wanted(peer.id)) continue;
    EngineInfo e;
    e.id = peer.id;
    e.label = peer.label;
    report_.engines.push_back(std::move(e));
  }
  for (const auto& spec : kOperations) report_.AddRow(spec.id, spec.label, spec.has_bytes);

  report_.scenario = "io";
  report_.command = options_.command_line;
  report_.date = UtcNow();
  report_.machine = GetMachineInfo();
  report_.build = GetBuildInfo();

  RETURN_NOT_OK(PrepareDir());
  csv_path_ = dir_ + "/sensors.csv";
  cross_path_ = dir_ + "/edgepipe.zstd.parquet";
  written_.push_back(csv_path_);
  Progress(fmt::format("generating {} sensor rows -> {}", WithThousands(options_.rows), csv_path_));
  SensorCsvOptions csv_options;
  csv_options.rows = options_.rows;
  csv_options.sensors = kSensors;
  csv_options.seed = options_.seed;
  auto csv_bytes = WriteSensorCsv(csv_path_, csv_options);
  if (!csv_bytes.ok()) {
    Cleanup();
    return csv_bytes.status();
  }

  report_.title = fmt::format("edgepipe bench io: {} sensor rows ({:.1f} MB CSV), median of {} run{} after {} warm-up",
                              WithThousands(options_.rows), static_cast<double>(*csv_bytes) / 1e6, options_.runs,
                              options_.runs == 1 ? "" : "s", options_.warmup);
  report_.config = {{"rows", options_.rows},
                    {"runs", options_.runs},
                    {"warmup", options_.warmup},
                    {"threads", options_.threads},
                    {"engines", options_.engines},
                    {"seed", options_.seed},
                    {"sensors", kSensors},
                    {"csv_bytes", *csv_bytes},
                    {"dir", options_.keep ? dir_ : ""},
                    {"source_dir", source_dir_}};

  Status st;
  bool cross_ready = false;
  for (size_t col = 0; col < report_.engines.size() && st.ok(); ++col) {
    const std::string& id = report_.engines[col].id;
    if (id == "edgepipe") {
      st = RunEdgepipe(static_cast<int>(col));
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
    for (const auto& peer : kPeers) {
      if (id == peer.id) st = RunPeer(peer, static_cast<int>(col));
    }
  }
  if (!st.ok()) {
    Cleanup();
    return st;
  }
  CrossCheck();
  report_.notes.push_back(
      "Ratios compare medians: fastest peer / edgepipe (\"faster\") or edgepipe / fastest peer (\"slower\"); "
      "sizes in MB = 10^6 bytes, size ratio = edgepipe / smallest peer at the same codec.");
  if (options_.keep) report_.notes.push_back("Files kept in " + dir_);
  Cleanup();
  return std::move(report_);
}

}  // namespace

const std::vector<std::string>& IoOperations() {
  static const std::vector<std::string> ops = [] {
    std::vector<std::string> v;
    for (const auto& spec : kOperations) v.push_back(spec.id);
    return v;
  }();
  return ops;
}

const std::vector<std::string>& IoEngines() {
  static const std::vector<std::string> engines = {"edgepipe", "polars", "duckdb"};
  return engines;
}

Result<BenchReport> RunIoBench(const IoBenchOptions& options) {
  Scenario scenario(options);
  return scenario.Run();
}

}  // namespace edgepipe::bench
