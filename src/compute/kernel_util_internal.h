#pragma once
// Shared plumbing of the compute kernels: splitting work over the pool,
// combining validity bitmaps, allocating outputs.

#include <algorithm>
#include <cstdint>
#include <memory>

#include "edgepipe/compute/elementwise.h"
#include "edgepipe/core/bit_util.h"
#include "edgepipe/core/buffer.h"
#include "edgepipe/core/column.h"
#include "edgepipe/core/parallel.h"
#include "edgepipe/core/status.h"

namespace edgepipe::compute::internal {

// Outputs at least this large use non-temporal stores: far beyond the
// 32 MiB L3 of the machines we target, nothing of the output stays cached
// anyway, and skipping the read-for-ownership saves a quarter of the traffic
// of a two-input kernel.
inline constexpr int64_t kStreamMinBytes = int64_t{64} << 20;

// Runs fn(begin, end) over [0, n): on the calling thread below
// kParallelMinElements (or with one thread), else in 4 tasks per thread
// (slack for a core busy with other work). Chunk starts are multiples of
// `align` elements (512 keeps bitmap outputs byte-aligned per task and
// array slices 64-byte aligned relative to the base).
template <class Fn>
void ForEachChunk(int64_t n, const Fn& fn, int64_t align = 512) {
  const int threads = GetNumThreads();
  if (n < kParallelMinElements || threads <= 1) {
    if (n > 0) fn(int64_t{0}, n);
    return;
  }
  const int64_t tasks = std::min<int64_t>(int64_t{4} * threads, (n + align - 1) / align);
  int64_t chunk = (n + tasks - 1) / tasks;
  chunk = (chunk + align - 1) / align * align;
  const int64_t num_chunks = (n + chunk - 1) / chunk;
  ParallelFor(num_chunks, [&](int64_t task_idx) {
    const int64_t begin = task_idx * chunk;
    fn(begin, std::min(n, begin + chunk));
  });
}

// Validity of a binary result: null where either input is null. Returns
// nullptr when neither has nulls.
Result<std::shared_ptr<Buffer>> CombineValidity(const Column& a, const Column& b);
// Validity of `a` alone rebased to offset 0 (nullptr when a has no nulls).
Result<std::shared_ptr<Buffer>> CopyValidity(const Column& a);

// Allocates an uninitialized buffer for n values of `byte_width` bytes
// (BytesForBits(n) for byte_width 0 = bits).
Result<std::shared_ptr<Buffer>> AllocateValues(int64_t n, int byte_width);

// Converts a double scalar to the column's storage type T: float32 rounds
// to nearest, integers must be integral and in range.
template <typename T>
Result<T> ConvertScalar(double scalar);

}  // namespace edgepipe::compute::internal
