#include "edgepipe/core/parallel.h"

#include <tbb/global_control.h>
#include <tbb/info.h>
#include <tbb/parallel_for.h>

#include <memory>

namespace edgepipe {
namespace {
std::unique_ptr<tbb::global_control>& Control() {
  static std::unique_ptr<tbb::global_control> control;
  return control;
}
int g_threads = 0;
}  // namespace

void SetNumThreads(int threads) {
  if (threads <= 0) {
    Control().reset();
    g_threads = 0;
    return;
  }
  Control() = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism,
                                                    static_cast<size_t>(threads));
  g_threads = threads;
}

int GetNumThreads() { return g_threads > 0 ? g_threads : tbb::info::default_concurrency(); }

void ParallelFor(int64_t num_tasks, const std::function<void(int64_t)>& fn) {
  if (num_tasks <= 0) return;
  if (num_tasks == 1 || GetNumThreads() == 1) {
    for (int64_t i = 0; i < num_tasks; ++i) fn(i);
    return;
  }
  // One task per index: callers pass coarse tasks (a chunk, a row group).
  tbb::parallel_for(tbb::blocked_range<int64_t>(0, num_tasks, 1), [&](const tbb::blocked_range<int64_t>& r) {
    for (int64_t i = r.begin(); i != r.end(); ++i) fn(i);
  });
}

}  // namespace edgepipe
