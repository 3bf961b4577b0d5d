#pragma once
// The group-by scenario of `edgepipe bench groupby` (the seed's Day 1 B):
// mean of float64 values per int64 key, keys uniform in [0, keys), values
// uniform in [0, 1), `rows` rows. Engines, all on the same data in the same
// run:
//   edgepipe     compute::GroupBy in process (groups in first-seen order)
//   python_dict  a CPython dict loop (the seed's baseline) on a prefix of
//                `python_dict_rows` rows; its times are scaled to `rows`
//   numpy        np.bincount(k, weights=v) / np.bincount(k)
//   pandas       DataFrame.groupby('k', sort=False)['v'].mean()
//   torch        zeros(K).index_add_(0, k, v) / bincount(k)
//   polars       nodejs-polars df.groupBy('k').agg(col('v').mean())
//   duckdb       @duckdb/node-api SELECT k, avg(v) FROM t GROUP BY k (materialized)
// The Python peers (bench/peers/groupby_python.py) read the raw arrays
// written to the work directory; the Node peers (groupby_polars.mjs,
// groupby_duckdb.mjs) a Parquet file of them, loaded untimed. Each engine's
// sum of the group means is cross-checked against edgepipe's (1e-9
// relative); a wrong result fails its cell. OPENBLAS_CORETYPE and
// OPENBLAS_L2_SIZE are removed from the Python peers' environment (and
// only theirs): a value for another CPU makes OpenBLAS pick wrong kernels.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "edgepipe/bench/bench_report.h"
#include "edgepipe/core/status.h"

namespace edgepipe::bench {

// Every engine id of the scenario, in table order.
const std::vector<std::string>& GroupByEngines();

struct GroupByBenchOptions {
  int64_t rows = 5000000;
  int64_t keys = 1000;
  int runs = 5;
  int warmup = 1;
  int threads = 0;  // 0 = each engine's default (all cores); passed to the peers
  std::vector<std::string> engines = GroupByEngines();
  // The dict loop runs on min(rows, python_dict_rows) rows, scaled.
  int64_t python_dict_rows = 500000;
  uint64_t seed = 42;
  std::string dir;  // work directory; empty: a fresh one under /tmp (removed at the end)
  std::string source_dir;  // repo root (bench/peers, node_modules); empty: $EDGEPIPE_SOURCE_DIR, else the build's
  std::string node = "node";
  std::string python = "/usr/bin/python3";  // Debian's, where NumPy/pandas/PyTorch are installed
  double peer_timeout_seconds = 1800;
  std::function<void(std::string_view line)> progress;  // "[bench groupby] numpy: group by mean 3/5"
  std::string command_line;
};

// One row, "group_by_mean", one column per engine. InvalidArgument for bad
// options; IOError when the work files cannot be written. Engines that
// cannot run are cells ("not installed", "failed"), not errors.
Result<BenchReport> RunGroupByBench(const GroupByBenchOptions& options);

}  // namespace edgepipe::bench
