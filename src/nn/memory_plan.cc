#include "nn/memory_plan.h"

#include <algorithm>
#include <string>
#include <utility>

namespace edgepipe::nn {
namespace {

// A cache line: no two buffers share one, and any vector width divides it.
constexpr size_t kArenaAlign = 64;

size_t AlignUp(size_t n) { return (n + kArenaAlign - 1) / kArenaAlign * kArenaAlign; }

// Bytes a buffer takes in the arena (an empty tensor still gets a distinct address).
size_t ArenaSize(const MemoryPlanBuffer& buffer) { return AlignUp(std::max<size_t>(buffer.bytes, 1)); }

// In step indices; a buffer is busy over [def_step, last_use].
struct Lifetime {
  int def_step = -1;
  int last_use = -1;
};

// An alias keeps its source alive: uses are charged to the root buffer.
std::vector<Lifetime> ComputeLifetimes(const std::vector<MemoryPlanBuffer>& buffers,
                                       const std::vector<MemoryPlanStep>& steps, std::span<const int> outputs) {
  auto root = [&](int b) {
    while (buffers[b].alias_of >= 0) b = buffers[b].alias_of;
    return b;
  };
  std::vector<Lifetime> lifetimes(buffers.size());
  const int num_steps = static_cast<int>(steps.size());
  for (int step_idx = 0; step_idx < num_steps; ++step_idx) {
    const MemoryPlanStep& step = steps[step_idx];
    for (int b : step.writes) {
      if (b >= 0 && lifetimes[b].def_step < 0) lifetimes[b].def_step = step_idx;
    }
    for (std::span<const int> uses : {step.reads, step.writes}) {
      for (int b : uses) {
        if (b < 0) continue;
        Lifetime& r = lifetimes[root(b)];
        r.last_use = std::max(r.last_use, step_idx);
      }
    }
  }
  // The caller copies outputs out after the last step.
  for (int b : outputs) lifetimes[root(b)].last_use = num_steps;
  return lifetimes;
}

// Greedy first-fit, largest first: a buffer may take any bytes whose current
// owners are dead before it is defined or born after its last use.
Result<MemoryPlan> PlaceFirstFit(const std::vector<MemoryPlanBuffer>& buffers, const std::vector<Lifetime>& lifetimes,
                                 size_t max_arena_bytes) {
  MemoryPlan plan;
  plan.offsets.assign(buffers.size(), 0);
  std::vector<int> order;
  for (size_t b = 0; b < buffers.size(); ++b) {
    if (buffers[b].in_arena) order.push_back(static_cast<int>(b));
  }
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return buffers[a].bytes > buffers[b].bytes; });
  std::vector<int> placed;
  for (int b : order) {
    const size_t size = ArenaSize(buffers[b]);
    plan.unshared_bytes += size;
    if (size > max_arena_bytes) {
      return Status::OutOfMemory("value of " + std::to_string(buffers[b].bytes) + " bytes exceeds the arena limit");
    }
    std::vector<std::pair<size_t, size_t>> busy;  // [begin, end) of live placed buffers
    for (int other : placed) {
      if (lifetimes[other].last_use < lifetimes[b].def_step || lifetimes[other].def_step > lifetimes[b].last_use) {
        continue;
      }
      busy.push_back({plan.offsets[other], plan.offsets[other] + ArenaSize(buffers[other])});
    }
    std::sort(busy.begin(), busy.end());
    size_t offset = 0;
    for (const auto& [begin, end] : busy) {
      if (offset + size <= begin) break;
      offset = std::max(offset, end);
    }
    plan.offsets[b] = offset;
    plan.arena_bytes = std::max(plan.arena_bytes, offset + size);
    placed.push_back(b);
  }
  if (plan.arena_bytes > max_arena_bytes) {
    return Status::OutOfMemory("activation arena of " + std::to_string(plan.arena_bytes) +
                               " bytes exceeds the limit of " + std::to_string(max_arena_bytes));
  }
  return plan;
}

}  // namespace

Result<MemoryPlan> PlanMemory(const std::vector<MemoryPlanBuffer>& buffers, const std::vector<MemoryPlanStep>& steps,
                              std::span<const int> outputs, size_t max_arena_bytes) {
  return PlaceFirstFit(buffers, ComputeLifetimes(buffers, steps, outputs), max_arena_bytes);
}

}  // namespace edgepipe::nn
