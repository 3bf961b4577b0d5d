// The executor's activation memory planner (src/nn/memory_plan.h): which
// buffers may share arena bytes, and its limits.

#include "nn/memory_plan.h"

#include <gtest/gtest.h>

#include <vector>

namespace edgepipe::nn {
namespace {

// A chain x -> a -> b -> c: step i reads buffer i and writes buffer i + 1.
struct Chain {
  std::vector<MemoryPlanBuffer> buffers;
  std::vector<std::vector<int>> ids;  // storage the step spans point into
  std::vector<MemoryPlanStep> steps;

  explicit Chain(const std::vector<size_t>& bytes) {
    for (size_t b = 0; b < bytes.size(); ++b) buffers.push_back({bytes[b], b > 0, -1});
    for (size_t s = 0; s + 1 < bytes.size(); ++s) {
      ids.push_back({static_cast<int>(s)});
      ids.push_back({static_cast<int>(s + 1)});
    }
    for (size_t s = 0; s + 1 < bytes.size(); ++s) steps.push_back({ids[2 * s], ids[2 * s + 1]});
  }
};

bool Overlap(const MemoryPlan& plan, const std::vector<MemoryPlanBuffer>& buffers, int a, int b) {
  const size_t a_end = plan.offsets[a] + buffers[a].bytes, b_end = plan.offsets[b] + buffers[b].bytes;
  return plan.offsets[a] < b_end && plan.offsets[b] < a_end;
}

TEST(MemoryPlanTest, DeadBuffersShareAndLiveOnesDoNot) {
  Chain c({100, 1000, 1000, 1000, 64});  // x (external), a, b, c, d
  const std::vector<int> outputs = {4};
  auto plan = PlanMemory(c.buffers, c.steps, outputs, 1 << 20);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_FALSE(Overlap(*plan, c.buffers, 1, 2));  // a is read while b is written
  EXPECT_FALSE(Overlap(*plan, c.buffers, 2, 3));
  EXPECT_EQ(plan->offsets[1], plan->offsets[3]);  // a is dead when c is written: same bytes
  EXPECT_EQ(plan->arena_bytes, 2048u);            // two 1000-byte buffers, 64-byte aligned
  EXPECT_EQ(plan->unshared_bytes, 3 * 1024u + 64u);
  for (size_t b = 1; b < c.buffers.size(); ++b) EXPECT_EQ(plan->offsets[b] % 64, 0u) << b;
}

TEST(MemoryPlanTest, OutputsLivePastTheLastStep) {
  // a is a graph output written by step 0; b and c come later and must not
  // reuse a's bytes.
  Chain c({8, 512, 512, 512});
  const std::vector<int> outputs = {1, 3};
  auto plan = PlanMemory(c.buffers, c.steps, outputs, 1 << 20);
  ASSERT_TRUE(plan.ok());
  EXPECT_FALSE(Overlap(*plan, c.buffers, 1, 3));
  EXPECT_FALSE(Overlap(*plan, c.buffers, 1, 2));
}

TEST(MemoryPlanTest, AnAliasKeepsItsSourceAlive) {
  // Step 0 writes a; b is a view of a (Reshape: no step of its own); step 1
  // reads x and writes c; step 2 reads b and writes d. c must not take a's
  // bytes, since b (= a) is still read after it.
  std::vector<MemoryPlanBuffer> buffers = {{8, false, -1}, {256, true, -1}, {256, false, 1}, {256, true, -1},
                                           {256, true, -1}};
  const std::vector<int> x = {0}, a = {1}, b = {2}, c = {3}, d = {4};
  const std::vector<MemoryPlanStep> steps = {{x, a}, {x, c}, {b, d}};
  const std::vector<int> outputs = {4};
  auto plan = PlanMemory(buffers, steps, outputs, 1 << 20);
  ASSERT_TRUE(plan.ok());
  EXPECT_FALSE(Overlap(*plan, buffers, 1, 3));
  EXPECT_FALSE(Overlap(*plan, buffers, 1, 4));
}

TEST(MemoryPlanTest, LimitsAreOutOfMemory) {
  Chain c({8, 4096, 4096});
  const std::vector<int> outputs = {2};
  auto too_big = PlanMemory(c.buffers, c.steps, outputs, 4000);
  ASSERT_FALSE(too_big.ok());
  EXPECT_TRUE(too_big.status().code() == StatusCode::kOutOfMemory) << too_big.status().ToString();
  auto arena = PlanMemory(c.buffers, c.steps, outputs, 6000);  // each fits, both live at once do not
  ASSERT_FALSE(arena.ok());
  EXPECT_TRUE(arena.status().code() == StatusCode::kOutOfMemory) << arena.status().ToString();
  EXPECT_TRUE(PlanMemory(c.buffers, c.steps, outputs, 8192).ok());
}

}  // namespace
}  // namespace edgepipe::nn
