#pragma once
// The vectorize scenario of `edgepipe bench vectorize` (the seed's Day 1
// "elementwise multiply of 50M values"): out = a * b on N values of
// float64 or float32, a and b uniform in [0.5, 1.5), timed two ways:
//   multiply_out    into an output buffer reused across runs (NumPy
//                   `np.multiply(a, b, out=)`, PyTorch `torch.mul(out=)`,
//                   edgepipe MultiplyInto)
//   multiply_alloc  a fresh output per call (NumPy `a*b`, PyTorch `a*b`,
//                   pandas, Polars Series multiply, DuckDB `SELECT a*b`
//                   materialized, edgepipe compute::Multiply on Columns)
// Peers run as child processes with the same warm-up + N runs rule: a
// plain C loop (bench/peers/vectorize_c.c, compiled at run time with
// `cc -O3 -fopenmp`, and once more with -march=native as a marked extra
// row), NumPy, PyTorch, pandas and a pure Python loop (timed on a prefix
// and scaled, marked) from /usr/bin/python3, Polars and DuckDB from npm.
// A peer that is missing is reported "not installed".
//
// Every engine generates the same inputs from a formula
// (a[i] = 0.5 + ((i * 2654435761 + 12345) mod 2^32) / 2^32, b likewise with
// 2246822519 and 67890; float32 rounds those doubles), and reports the sum
// of its output, which must match edgepipe's.
//
// The memory-bandwidth floor: a multi-threaded copy of N values is timed
// in-process (all threads, best of the runs); moving the multiply's bytes
// (read a and b, write out: 3 x N x sizeof) at that bandwidth takes
// floor = 1.5 x copy seconds. The report gives edgepipe's fraction of the
// floor (floor / edgepipe's median; 1.0 = at the floor).

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "edgepipe/bench/bench_report.h"
#include "edgepipe/core/status.h"

namespace edgepipe::bench {

// Operation ids in table order: "multiply_out", "multiply_alloc".
const std::vector<std::string>& VectorizeOperations();
// Every engine id: "edgepipe", "c", "c_native", "numpy", "torch", "pandas",
// "polars", "duckdb", "python".
const std::vector<std::string>& VectorizeEngines();

struct VectorizeBenchOptions {
  int64_t n = 50000000;
  std::string dtype = "f64";  // "f64" or "f32"
  int runs = 5;
  int warmup = 1;
  // Threads for every engine; 0 = each engine's default (all cores). The
  // caller sets edgepipe's pool (SetNumThreads); this is passed to the
  // peers (OMP_NUM_THREADS, torch.set_num_threads, POLARS_MAX_THREADS,
  // DuckDB SET threads) and recorded.
  int threads = 0;
  std::vector<std::string> engines = VectorizeEngines();
  // Values the pure Python loop runs on; its time is scaled by n / prefix.
  int64_t python_prefix = 1000000;
  // Work directory (the compiled C peer). Empty: a fresh directory under
  // /tmp, removed at the end.
  std::string dir;
  // Repository root: holds bench/peers/ and node_modules/. Empty: the
  // EDGEPIPE_SOURCE_DIR environment variable, else the source tree.
  std::string source_dir;
  std::string python = "/usr/bin/python3";
  std::string node = "node";
  std::string cc = "cc";
  double peer_timeout_seconds = 1800;
  std::function<void(std::string_view line)> progress;
  std::string command_line;  // recorded in the report
};

// InvalidArgument for bad options (n < 1, runs < 1, unknown dtype or
// engine); OutOfMemory when the inputs cannot be allocated. Peer failures
// are cells of the report, not errors. The report's config carries
// "bandwidth": {"copy_seconds", "copy_gb_per_s", "floor_seconds",
// "edgepipe_seconds", "edgepipe_fraction_of_floor"}.
Result<BenchReport> RunVectorizeBench(const VectorizeBenchOptions& options);

}  // namespace edgepipe::bench
