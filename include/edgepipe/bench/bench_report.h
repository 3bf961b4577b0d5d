#pragma once
// BenchReport: the result of one scenario benchmark, as a grid of operations
// (rows) × engines (columns), each cell holding that engine's samples (and
// the bytes of the file it wrote, for write rows) or the reason it has none.
// Rendered as Markdown for people and JSON (every sample) for tools; shared
// by `edgepipe bench io` and the report generator.
//
// The first engine is the subject (edgepipe); the others are its peers. The
// Markdown table adds "subject vs fastest peer" (and, for rows with sizes,
// "subject size vs smallest peer") so losses are visible at a glance.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "edgepipe/bench/machine_info.h"
#include "edgepipe/bench/measure.h"
#include "edgepipe/core/status.h"

namespace edgepipe::bench {

enum class CellStatus { kOk, kNotInstalled, kFailed, kTimedOut, kNotRun };
// "ok", "not installed", "failed", "timed out", "not run"
std::string_view CellStatusName(CellStatus status);

struct Cell {
  CellStatus status = CellStatus::kNotRun;
  Samples samples;               // when kOk
  std::optional<int64_t> bytes;  // size of the file written, for write rows
  std::string message;           // why not ok, or a note on an ok cell
};

// One operation's result as a peer script reports it, {"seconds": [...]}
// (optional "bytes", "note") or {"error": "..."}, turned into a cell: kOk
// with the samples, or kFailed with the reason. `entry` null means the peer
// did not report the operation: `missing_status` with `missing_message`.
Cell CellFromPeerEntry(const nlohmann::json* entry, CellStatus missing_status, std::string_view missing_message);

struct EngineInfo {
  std::string id;       // "polars": keys Cell maps and JSON
  std::string label;    // "Polars": table header
  std::string version;  // "0.26.1", "v1.5.6" or "" when unknown
  CellStatus status = CellStatus::kOk;  // the engine as a whole (not installed, failed to start, ...)
  std::string message;
  nlohmann::json details;  // anything else worth recording (node version, threads, package versions)
  // False for edgepipe's own other variants (e.g. its FP32 next to its
  // INT8): shown, but not a peer in the "vs fastest peer" column.
  bool is_peer = true;
};

struct OperationRow {
  std::string id;     // "csv_read"
  std::string label;  // "CSV read"
  bool has_bytes = false;
  std::vector<Cell> cells;  // one per engine, in BenchReport::engines order
};

struct BenchReport {
  std::string scenario;  // "io"
  std::string title;     // "edgepipe bench io: 1,000,000 sensor rows"
  std::string command;   // the command line that produced it
  std::string date;      // ISO 8601, UTC
  MachineInfo machine;
  BuildInfo build;
  nlohmann::json config;  // scenario parameters (rows, runs, warmup, threads, ...)
  std::vector<EngineInfo> engines;  // engines[0] is the subject
  std::vector<OperationRow> rows;
  std::vector<std::string> notes;   // printed under the table (warnings, mismatches)

  // Index of an engine id, or -1.
  int EngineIndex(std::string_view id) const;
  // The row of an operation id, or nullptr.
  OperationRow* FindRow(std::string_view id);
  const OperationRow* FindRow(std::string_view id) const;
  // Appends a row with a kNotRun cell per engine; returns it.
  OperationRow& AddRow(std::string id, std::string label, bool has_bytes);
};

// "0.108", "0.0136", "1.25": about three significant digits, no exponent.
std::string FormatSeconds(double seconds);
// Current time as "2026-11-25T10:00:00Z".
std::string UtcNow();

// The whole report: title, machine and build facts, build warnings, engine
// versions, the table and the notes.
std::string RenderMarkdown(const BenchReport& report);
// Just the table (header, separator and one line per operation).
std::string RenderMarkdownTable(const BenchReport& report);

nlohmann::json ToJson(const BenchReport& report);
// Writes `doc` pretty-printed (2 spaces) to `path`, atomically.
Status WriteJsonFile(const nlohmann::json& doc, const std::string& path);

}  // namespace edgepipe::bench
