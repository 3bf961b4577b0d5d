#include "edgepipe/bench/measure.h"

#include <algorithm>
#include <cmath>

namespace edgepipe::bench {

Samples SamplesFromSeconds(std::vector<double> seconds) {
  Samples s;
  s.all = seconds;
  if (seconds.empty()) return s;
  std::sort(seconds.begin(), seconds.end());
  const size_t n = seconds.size();
  s.min = seconds.front();
  s.median = n % 2 == 1 ? seconds[n / 2] : 0.5 * (seconds[n / 2 - 1] + seconds[n / 2]);
  // Nearest rank: the smallest value with at least 90% of the runs at or below it.
  const size_t rank = static_cast<size_t>(std::ceil(0.9 * static_cast<double>(n)));
  s.p90 = seconds[std::clamp<size_t>(rank, 1, n) - 1];
  return s;
}

Result<Samples> Measure(const std::function<Status()>& run, const MeasureOptions& options,
                        const std::function<void()>& after_each) {
  if (options.runs < 1) return Status::InvalidArgument("Measure: runs must be >= 1");
  if (options.warmup < 0) return Status::InvalidArgument("Measure: warmup must be >= 0");
  for (int i = 0; i < options.warmup; ++i) {
    RETURN_NOT_OK(run());
    if (after_each) after_each();
  }
  std::vector<double> seconds;
  seconds.reserve(options.runs);
  for (int i = 0; i < options.runs; ++i) {
    Timer timer;
    RETURN_NOT_OK(run());
    seconds.push_back(timer.Seconds());
    if (after_each) after_each();
    if (options.progress) options.progress(i + 1, options.runs);
  }
  return SamplesFromSeconds(std::move(seconds));
}

}  // namespace edgepipe::bench
