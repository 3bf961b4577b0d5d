#pragma once
// Activation memory planning for an execution plan: which bytes of one
// arena each intermediate tensor uses. Module-private (the executor's).
//
// The plan is seen as buffers and the steps that read and write them, in
// run order. A buffer's lifetime runs from the first step that writes it to
// the last step that reads or writes it (or any alias of it); graph outputs
// live past the last step. Buffers whose lifetimes do not overlap may share
// bytes: a greedy first-fit, largest first, gives each arena buffer an
// offset (docs/nn.md "plan", step 4).

#include <cstddef>
#include <span>
#include <vector>

#include "edgepipe/core/status.h"

namespace edgepipe::nn {

struct MemoryPlanBuffer {
  size_t bytes = 0;
  // False for bytes owned elsewhere (graph inputs, constants, aliases):
  // they get no offset but still take part in lifetimes.
  bool in_arena = false;
  int alias_of = -1;  // >= 0: these are that buffer's bytes (Reshape, Flatten)
};

struct MemoryPlanStep {
  std::span<const int> reads;   // buffer ids; -1 when absent
  std::span<const int> writes;  // buffer ids; -1 when absent
};

struct MemoryPlan {
  std::vector<size_t> offsets;  // per buffer; 64-byte aligned; 0 when not in the arena
  size_t arena_bytes = 0;       // after sharing
  size_t unshared_bytes = 0;    // what one aligned buffer per arena buffer would take
};

// OutOfMemory when one buffer or the whole arena exceeds `max_arena_bytes`.
Result<MemoryPlan> PlanMemory(const std::vector<MemoryPlanBuffer>& buffers, const std::vector<MemoryPlanStep>& steps,
                              std::span<const int> outputs, size_t max_arena_bytes);

}  // namespace edgepipe::nn
