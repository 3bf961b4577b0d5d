#pragma once
// One thread pool for the whole process (oneTBB's arena). Library code calls
// ParallelFor; the CLI's --threads sets the limit once.

#include <cstdint>
#include <functional>

namespace edgepipe {

// Limits the pool to `threads` workers (0 = all hardware threads). Call once,
// early (the CLI does it before any work).
void SetNumThreads(int threads);
int GetNumThreads();

// Runs fn(task_idx) for task_idx in [0, num_tasks) on the pool; returns when
// all are done. Tasks must not throw.
void ParallelFor(int64_t num_tasks, const std::function<void(int64_t)>& fn);

}  // namespace edgepipe
