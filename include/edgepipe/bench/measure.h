#pragma once
// Timing for scenario benchmarks: a monotonic Timer, Samples (every run's
// seconds plus their median, min and p90) and Measure(), which runs an
// operation `warmup` times untimed and then `runs` times, timing each run on
// its own. Peers measured in child processes follow the same rule
// (bench/peers/bench_common.mjs), so their samples are comparable.

#include <chrono>
#include <functional>
#include <vector>

#include "edgepipe/core/status.h"

namespace edgepipe::bench {

// Wall-clock seconds on the steady clock since construction or Reset().
class Timer {
 public:
  Timer() : start_(std::chrono::steady_clock::now()) {}
  void Reset() { start_ = std::chrono::steady_clock::now(); }
  double Seconds() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count(); }

 private:
  std::chrono::steady_clock::time_point start_;
};

struct Samples {
  std::vector<double> all;  // seconds, in run order
  double median = 0;        // mean of the two middle values for an even count
  double min = 0;
  double p90 = 0;           // nearest-rank 90th percentile

  bool empty() const { return all.empty(); }
};

// Summarizes `seconds` (any order). An empty input gives all-zero fields.
Samples SamplesFromSeconds(std::vector<double> seconds);

struct MeasureOptions {
  int warmup = 1;  // untimed runs first (page cache, allocator, lazy init)
  int runs = 5;    // timed runs, >= 1
  // Called after each timed run with (runs done, runs); may be empty.
  std::function<void(int, int)> progress;
};

// Runs `run` warmup + runs times; only the timed runs' seconds are kept.
// `after_each` (may be empty) runs after every run outside the timed region,
// to release the run's output so that each run really produces its full
// output in fresh memory. The first error of `run` is returned as is.
// InvalidArgument when runs < 1 or warmup < 0.
Result<Samples> Measure(const std::function<Status()>& run, const MeasureOptions& options,
                        const std::function<void()>& after_each = {});

}  // namespace edgepipe::bench
