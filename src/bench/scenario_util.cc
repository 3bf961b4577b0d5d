#include "bench/scenario_util.h"

#include <fmt/core.h>
#include <stdlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "edgepipe/core/parallel.h"

// Set by src/bench/CMakeLists.txt; "." keeps a build without it working.
#ifndef EDGEPIPE_SOURCE_DIR_DEFAULT
#define EDGEPIPE_SOURCE_DIR_DEFAULT "."
#endif

namespace edgepipe::bench {

namespace fs = std::filesystem;

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

std::string ResolveSourceDir(const std::string& given) {
  if (!given.empty()) return given;
  const char* env = std::getenv("EDGEPIPE_SOURCE_DIR");
  return env != nullptr && *env != '\0' ? env : EDGEPIPE_SOURCE_DIR_DEFAULT;
}

// ---- WorkDir

Status WorkDir::Prepare(const std::string& given, std::string_view name) {
  std::error_code ec;
  if (given.empty()) {
    std::string tmpl = (fs::temp_directory_path(ec) / (std::string(name) + "-XXXXXX")).string();
    if (ec) tmpl = "/tmp/" + std::string(name) + "-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) {
      return Status::IOError("cannot create a work directory " + tmpl + ": " + std::strerror(errno));
    }
    path_ = tmpl;
    created_ = true;
  } else {
    path_ = given;
    if (!fs::exists(path_, ec)) {
      fs::create_directories(path_, ec);
      if (ec) return Status::IOError("cannot create --dir " + path_ + ": " + ec.message());
      created_ = true;
    } else if (!fs::is_directory(path_, ec)) {
      return Status::InvalidArgument("--dir " + path_ + " exists and is not a directory");
    }
  }
  path_ = fs::absolute(path_, ec).string();
  return Status::OK();
}

void WorkDir::Cleanup() {
  if (keep_ || path_.empty()) return;
  std::error_code ec;
  if (created_) {
    fs::remove_all(path_, ec);
  } else {
    for (const auto& f : written_) fs::remove(f, ec);
  }
  written_.clear();
  created_ = false;
}

// ---- progress and timing

ScenarioProgress::ScenarioProgress(std::string prefix, std::function<void(std::string_view)> sink)
    : prefix_(std::move(prefix)), sink_(std::move(sink)) {}

void ScenarioProgress::operator()(const std::string& line) const {
  if (sink_) sink_(prefix_ + " " + line);
}

MeasureOptions ScenarioProgress::Timing(int warmup, int runs, std::string_view engine, std::string_view op) const {
  MeasureOptions m;
  m.warmup = warmup;
  m.runs = runs;
  m.progress = [progress = *this, what = fmt::format("{}: {}", engine, OpWords(op))](int done, int total) {
    progress(fmt::format("{} {}/{}", what, done, total));
  };
  return m;
}

PeerRunner::ProgressFn ScenarioProgress::ForPeer(const std::string& engine) const {
  return [progress = *this, engine](std::string_view line) {
    const size_t space = line.find(' ');
    if (space == std::string_view::npos) {
      progress(engine + ": " + std::string(line));
      return;
    }
    const std::string what(line.substr(space + 1));
    progress(fmt::format("{}: {} {}", engine, OpWords(line.substr(0, space)), what == "warmup" ? "warm-up" : what));
  };
}

Status CheckTimingOptions(int runs, int warmup, int threads) {
  if (runs < 1) return Status::InvalidArgument("--runs must be >= 1");
  if (warmup < 0) return Status::InvalidArgument("--warmup must be >= 0");
  if (threads < 0) return Status::InvalidArgument("--threads must be >= 0");
  return Status::OK();
}

Cell CellFromSamples(Result<Samples> samples, std::optional<int64_t> bytes) {
  Cell cell;
  if (!samples.ok()) {
    cell.status = CellStatus::kFailed;
    cell.message = samples.status().ToString();
    return cell;
  }
  cell.status = CellStatus::kOk;
  cell.samples = std::move(*samples);
  cell.bytes = bytes;
  return cell;
}

// ---- the report

BenchReport NewReport(std::string scenario, std::string command_line) {
  BenchReport report;
  report.scenario = std::move(scenario);
  report.command = std::move(command_line);
  report.date = UtcNow();
  report.machine = GetMachineInfo();
  report.build = GetBuildInfo();
  return report;
}

std::string RatioNote(std::string_view more) {
  std::string note = "Ratios compare medians: fastest peer / edgepipe (\"faster\") or edgepipe / fastest peer (\"slower\")";
  if (!more.empty()) note += "; " + std::string(more);
  return note + ".";
}

std::string PythonEnvNote(const std::string& python) {
  return "Python peers (" + python +
         ") run with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed from their environment (set on this class of "
         "machine, they slow OpenBLAS-backed NumPy); the other engines keep the environment as is.";
}

// ---- engines

const EngineSpec* FindEngine(EngineTable table, std::string_view id) {
  for (const auto& spec : table) {
    if (id == spec.id) return &spec;
  }
  return nullptr;
}

Status CheckEngines(EngineTable table, const std::vector<std::string>& requested) {
  if (requested.empty()) return Status::InvalidArgument("--engines: no engine given");
  for (const auto& id : requested) {
    if (FindEngine(table, id) == nullptr) {
      std::string known;
      for (const auto& spec : table) known += (known.empty() ? "" : ", ") + std::string(spec.id);
      return Status::InvalidArgument("unknown engine '" + id + "' (expected some of " + known + ")");
    }
  }
  return Status::OK();
}

std::vector<EngineInfo> SelectEngines(EngineTable table, const std::vector<std::string>& requested) {
  std::vector<EngineInfo> engines;
  for (const auto& spec : table) {
    if (std::find(requested.begin(), requested.end(), spec.id) == requested.end()) continue;
    EngineInfo e;
    e.id = spec.id;
    e.label = spec.label;
    if (spec.kind == EngineKind::kSelf) {
      e.version = GetBuildInfo().edgepipe_version;
      e.details = {{"threads", GetNumThreads()}};
    }
    engines.push_back(std::move(e));
  }
  return engines;
}

// ---- peers

std::string PeerScript(const std::string& source_dir, std::string_view script) {
  return source_dir + "/bench/peers/" + std::string(script);
}

std::vector<std::string> NodePeerArgv(const std::string& node, const std::string& source_dir,
                                      std::string_view script) {
  return {node, "--expose-gc", PeerScript(source_dir, script)};
}

std::vector<std::string> PythonPeerArgv(const std::string& python, const std::string& source_dir,
                                        std::string_view script) {
  return {"/usr/bin/env", "-u", "OPENBLAS_CORETYPE", "-u", "OPENBLAS_L2_SIZE", python, PeerScript(source_dir, script)};
}

nlohmann::json PythonEnvUnset() { return nlohmann::json::array({"OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"}); }

void AddPeerThreads(int threads, PeerCommand* cmd) {
  if (threads <= 0) return;
  cmd->argv.insert(cmd->argv.end(), {"--threads", std::to_string(threads)});
  cmd->env.emplace_back("POLARS_MAX_THREADS", std::to_string(threads));
}

CellStatus CellStatusFromPeer(PeerStatus status) {
  switch (status) {
    case PeerStatus::kOk: return CellStatus::kOk;
    case PeerStatus::kNotInstalled: return CellStatus::kNotInstalled;
    case PeerStatus::kTimedOut: return CellStatus::kTimedOut;
    case PeerStatus::kFailed: return CellStatus::kFailed;
  }
  return CellStatus::kFailed;
}

void MarkEngine(BenchReport* report, size_t col, CellStatus status, const std::string& message,
                const ScenarioProgress& progress) {
  EngineInfo& engine = report->engines[col];
  engine.status = status;
  engine.message = message;
  for (auto& row : report->rows) {
    row.cells[col].status = status;
    row.cells[col].message = message;
  }
  progress(fmt::format("{}: {}: {}", engine.id, CellStatusName(status), message));
}

Result<PeerOutcome> RunEnginePeer(const PeerCommand& cmd, BenchReport* report, size_t col,
                                  const ScenarioProgress& progress) {
  ASSIGN_OR_RETURN(PeerOutcome outcome, PeerRunner().Run(cmd, progress.ForPeer(report->engines[col].id)));
  if (outcome.status != PeerStatus::kOk) {
    MarkEngine(report, col, CellStatusFromPeer(outcome.status), outcome.message, progress);
    return outcome;
  }
  const nlohmann::json& out = outcome.output;
  if (out.contains("version") && out["version"].is_string()) {
    report->engines[col].version = out["version"].get<std::string>();
  }
  return outcome;
}

const nlohmann::json* PeerOperation(const nlohmann::json& out, const std::string& op) {
  if (!out.contains("operations") || !out["operations"].is_object()) return nullptr;
  const nlohmann::json& ops = out["operations"];
  return ops.contains(op) ? &ops[op] : nullptr;
}

std::optional<int64_t> JsonInt(const nlohmann::json& entry, const char* key) {
  if (!entry.contains(key) || !entry[key].is_number_integer()) return std::nullopt;
  return entry[key].get<int64_t>();
}

std::optional<double> JsonNumber(const nlohmann::json& entry, const char* key) {
  if (!entry.contains(key) || !entry[key].is_number()) return std::nullopt;
  return entry[key].get<double>();
}

}  // namespace edgepipe::bench
