#pragma once
// The io scenario of `edgepipe bench io`: on one generated sensor CSV
// (sensor_csv.h), each engine times
//   csv_read                     CSV -> in-memory table (all columns)
//   parquet_write_zstd|snappy    that table -> Parquet, the engine's defaults for the codec (+ file size)
//   parquet_read_zstd|snappy     its own files -> in-memory table (all columns)
//   parquet_read_edgepipe_zstd   edgepipe's zstd file (interop; same bytes for every decoder)
//   group_by_mean                mean of ax..gz per sensor_id on the in-memory table
// edgepipe runs in-process; Polars and DuckDB run as Node peers
// (bench/peers/io_*.mjs) through PeerRunner, one child process each, with
// the same warm-up + N runs rule. Results are cross-checked (row counts,
// group count, the sum of all group means); a wrong result fails its cell.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "edgepipe/bench/bench_report.h"
#include "edgepipe/core/status.h"

namespace edgepipe::bench {

// Every io operation id, in table order.
const std::vector<std::string>& IoOperations();
// Every engine id the scenario knows: "edgepipe", "polars", "duckdb".
const std::vector<std::string>& IoEngines();

struct IoBenchOptions {
  int64_t rows = 1000000;
  int runs = 5;
  int warmup = 1;
  // Threads for every engine; 0 = each engine's default (all cores). The
  // caller sets edgepipe's own pool (SetNumThreads); this passes it to the
  // peers (POLARS_MAX_THREADS, DuckDB SET threads).
  int threads = 0;
  std::vector<std::string> engines = {"edgepipe", "polars", "duckdb"};
  // Work directory for the CSV and the Parquet files. Empty: a fresh
  // directory under /tmp. Removed at the end unless `keep` (a given
  // directory is kept, only the files the benchmark wrote are removed).
  std::string dir;
  bool keep = false;
  uint64_t seed = 42;
  // Repository root: holds bench/peers/ and node_modules/. Empty: the
  // EDGEPIPE_SOURCE_DIR environment variable, else the source tree the
  // library was built from.
  std::string source_dir;
  std::string node = "node";
  double peer_timeout_seconds = 1800;
  // Progress lines ("[bench io] polars: csv read 5/5"); empty = silent.
  std::function<void(std::string_view line)> progress;
  std::string command_line;  // recorded in the report
};

// InvalidArgument for bad options (runs < 1, unknown engine, ...); IOError
// when the work directory or the CSV cannot be written. Engine failures
// are not errors: they are cells of the report.
Result<BenchReport> RunIoBench(const IoBenchOptions& options);

}  // namespace edgepipe::bench
