#pragma once
// What every scenario benchmark (io, vectorize, groupby, quant, model) and the
// report generator share: number formatting, the repository root, progress
// lines and timing options, the work directory, the engine table of a
// scenario, peer commands and outcomes, and the notes every report carries.
// Module-private: included as "bench/scenario_util.h".

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include "edgepipe/bench/bench_report.h"
#include "edgepipe/bench/measure.h"
#include "edgepipe/bench/peer_runner.h"
#include "edgepipe/core/status.h"

namespace edgepipe::bench {

// ---- formatting

// 1234567 -> "1,234,567".
std::string WithThousands(int64_t v);
// An operation id as words: "csv_read" -> "csv read".
std::string OpWords(std::string_view id);
// {1, 32} -> "1,32" (peer command-line lists).
template <typename T>
std::string JoinList(const std::vector<T>& values) {
  std::string out;
  for (const auto& v : values) {
    if (!out.empty()) out += ",";
    if constexpr (std::is_arithmetic_v<T>) {
      out += std::to_string(v);
    } else {
      out += v;
    }
  }
  return out;
}

// The `id` of every row of a spec table (engines, operations, sections),
// in order.
template <typename Table>
std::vector<std::string> IdsOf(const Table& table) {
  std::vector<std::string> ids;
  for (const auto& row : table) ids.emplace_back(row.id);
  return ids;
}

// ---- where things are

// The repository root (bench/peers/, node_modules/, scripts/): `given`,
// else $EDGEPIPE_SOURCE_DIR, else the source tree the library was built from.
std::string ResolveSourceDir(const std::string& given);

// A scenario's work directory. Given a path, uses it (created when absent);
// else a fresh <temp dir>/<name>-XXXXXX. Cleanup() removes a directory made
// here as a whole, in a directory that existed only the files Track()ed;
// the destructor cleans up unless Keep(true). Not copyable (owns the files).
class WorkDir {
 public:
  WorkDir() = default;
  ~WorkDir() { Cleanup(); }
  WorkDir(const WorkDir&) = delete;
  WorkDir& operator=(const WorkDir&) = delete;

  // IOError when the directory cannot be made, InvalidArgument when `given`
  // exists and is not a directory.
  Status Prepare(const std::string& given, std::string_view name);
  const std::string& path() const { return path_; }
  // <path>/<name>
  std::string File(std::string_view name) const { return path_ + "/" + std::string(name); }
  // A file written here, removed at cleanup.
  void Track(std::string file) { written_.push_back(std::move(file)); }
  void Keep(bool keep) { keep_ = keep; }
  // Idempotent; nothing when kept.
  void Cleanup();

 private:
  std::string path_;
  bool created_ = false;
  bool keep_ = false;
  std::vector<std::string> written_;
};

// ---- progress and timing

// The progress lines of one scenario: "<prefix> <line>" to the caller's
// callback; silent when it is empty. Copies are independent.
class ScenarioProgress {
 public:
  ScenarioProgress(std::string prefix, std::function<void(std::string_view)> sink);

  void operator()(const std::string& line) const;
  // The timing rule for an engine's in-process runs: `warmup` untimed,
  // `runs` timed, each timed run saying "<engine>: <op words> <done>/<runs>"
  // (the same words as ForPeer's).
  MeasureOptions Timing(int warmup, int runs, std::string_view engine, std::string_view op) const;
  // Turns a peer's progress ("csv_read 3/5", "csv_read warmup") into
  // "<engine>: csv read 3/5" / "<engine>: csv read warm-up"; a line of
  // another shape is passed on as "<engine>: <line>".
  PeerRunner::ProgressFn ForPeer(const std::string& engine) const;

 private:
  std::string prefix_;
  std::function<void(std::string_view)> sink_;
};

// InvalidArgument for runs < 1, warmup < 0 or threads < 0 (option names as
// on the command line).
Status CheckTimingOptions(int runs, int warmup, int threads = 0);

// Measure's `after_each` for an operation whose output the scenario checks
// afterwards: drops `*out` after every run but the last, outside the timed
// region, so that each run builds its output in fresh memory.
template <typename T>
std::function<void()> ReleaseAllButLast(T* out, const MeasureOptions& timing) {
  return [out, left = timing.warmup + timing.runs]() mutable {
    if (--left > 0) *out = T();
  };
}

// A cell from edgepipe's own measurement: kOk with the samples (and bytes),
// or kFailed with the error.
Cell CellFromSamples(Result<Samples> samples, std::optional<int64_t> bytes = std::nullopt);

// ---- the report

// An empty report with its scenario, command, date, machine and build facts.
BenchReport NewReport(std::string scenario, std::string command_line);

// "Ratios compare medians: fastest peer / edgepipe ("faster") or edgepipe /
// fastest peer ("slower")", then "; <more>" when given, then ".".
std::string RatioNote(std::string_view more = {});
// How the Python peers' environment differs from everyone else's.
std::string PythonEnvNote(const std::string& python);

// ---- engines

enum class EngineKind { kSelf, kC, kPython, kNode };

// One engine of a scenario: a row of its table, edgepipe (kSelf) first.
struct EngineSpec {
  const char* id;      // "polars": in --engines, the JSON and the report
  const char* label;   // "Polars": the table header
  EngineKind kind;
  const char* script;  // under bench/peers/ ("" for edgepipe)
  // kNode: the npm package; kPython: the script's --engine; kC: an extra
  // compiler flag ("" for none).
  const char* arg;
};
using EngineTable = std::span<const EngineSpec>;

// The row of `id`, or nullptr.
const EngineSpec* FindEngine(EngineTable table, std::string_view id);
// InvalidArgument when `requested` is empty or names an engine `table` lacks.
Status CheckEngines(EngineTable table, const std::vector<std::string>& requested);
// One EngineInfo per row of `table` that `requested` names, in table order.
// edgepipe's carries its version and thread count.
std::vector<EngineInfo> SelectEngines(EngineTable table, const std::vector<std::string>& requested);

// ---- peers

// <source_dir>/bench/peers/<script>
std::string PeerScript(const std::string& source_dir, std::string_view script);
// `node --expose-gc <script>`: the peers collect garbage between runs.
std::vector<std::string> NodePeerArgv(const std::string& node, const std::string& source_dir,
                                      std::string_view script);
// `/usr/bin/env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE <python> <script>`:
// PeerCommand can only set variables, these must be absent (a value for
// another CPU makes OpenBLAS pick wrong kernels).
std::vector<std::string> PythonPeerArgv(const std::string& python, const std::string& source_dir,
                                        std::string_view script);
// ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"], for the report's details.
nlohmann::json PythonEnvUnset();
// `--threads N` and POLARS_MAX_THREADS=N when threads > 0.
void AddPeerThreads(int threads, PeerCommand* cmd);

CellStatus CellStatusFromPeer(PeerStatus status);

// Engine `col` as a whole and every cell of its column get `status` and
// `message`; progress says "<engine>: <status>: <message>".
void MarkEngine(BenchReport* report, size_t col, CellStatus status, const std::string& message,
                const ScenarioProgress& progress);
// Runs `cmd` as the peer of engine `col`, its progress lines shown through
// ForPeer. A peer that ran to a result sets the engine's version from its
// "version"; one that did not (not installed, failed, timed out) marks the
// engine and its column (MarkEngine): check the outcome's status. The
// Status is an error only when the harness itself fails (PeerRunner::Run).
Result<PeerOutcome> RunEnginePeer(const PeerCommand& cmd, BenchReport* report, size_t col,
                                  const ScenarioProgress& progress);

// The entry of operation `op` in a peer's {"operations": {...}}, or nullptr.
const nlohmann::json* PeerOperation(const nlohmann::json& out, const std::string& op);
// entry[key] when it is an integer / a number.
std::optional<int64_t> JsonInt(const nlohmann::json& entry, const char* key);
std::optional<double> JsonNumber(const nlohmann::json& entry, const char* key);

}  // namespace edgepipe::bench
