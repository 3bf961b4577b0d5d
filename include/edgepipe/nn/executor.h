#pragma once
// Runs a Graph on the CPU: oneDNN primitives for Conv/Gemm/MatMul/pooling/
// elementwise ops, direct kernels where oneDNN's per-call overhead dominates
// (tiny GEMMs) or it has no primitive (Softmax, Concat, ...).
//
// Create() optimizes the graph (passes.h) and checks that every node has a
// kernel. A *plan* binds the graph to concrete input shapes: one kernel per
// node, prepared once (primitives created, weights reordered to the
// primitive's preferred layout), activations in oneDNN's blocked layouts
// between oneDNN ops, and a static arena in which values whose lifetimes do
// not overlap share bytes. Run() builds the plan for a new set of input
// shapes on first use (Prepare() does it ahead of time) and reuses it.
//
// Thread safety: one Run() at a time per Executor (plans own scratch
// buffers); use one Executor per thread for concurrency.

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "edgepipe/nn/graph.h"

namespace edgepipe::nn {

struct ExecutorOptions {
  // Threads for oneDNN primitives (its OpenMP runtime here); 0 leaves the
  // OpenMP default (OMP_NUM_THREADS or all cores). The INT8 GEMM splits
  // large calls over this many tasks of the process pool (core/parallel.h);
  // the FP32 direct kernels are single-threaded: they only take shapes too
  // small to split.
  int threads = 1;
  bool optimize = true;        // run OptimizeGraph() in Create()
  bool direct_kernels = true;  // false: oneDNN wherever it has a primitive (for measurements)
  size_t max_arena_bytes = size_t{8} << 30;
  size_t max_cached_plans = 8;  // input-shape sets kept prepared
};

struct PlanStats {
  size_t arena_bytes = 0;     // activations, after buffer sharing
  size_t unshared_bytes = 0;  // what one buffer per value would take
  int kernel_steps = 0;
  int reorder_steps = 0;  // layout conversions inserted
  int alias_steps = 0;    // Reshape/Flatten/Identity: no work
};

class Executor {
 public:
  static Result<std::unique_ptr<Executor>> Create(Graph graph, ExecutorOptions options = {});
  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  // The graph as executed (after optimization).
  const Graph& graph() const;
  const ExecutorOptions& options() const;

  // Builds (or finds) the plan for these input shapes, one per graph input.
  Status Prepare(const std::vector<Shape>& input_shapes);

  // One tensor per graph input, f32/u8/s8/s32 as declared, C-order. Outputs
  // are written into `outputs`, reusing its tensors when their shape and
  // type fit and they are not shared, else allocating.
  Status Run(const std::vector<Tensor>& inputs, std::vector<Tensor>* outputs);

  // The last plan: one line per step (node, kernel, output layout) and the
  // arena size.
  std::string DescribePlan() const;
  PlanStats plan_stats() const;

 private:
  struct Impl;
  explicit Executor(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Runs one node whose inputs are all constants (for constant folding).
Result<std::vector<Tensor>> EvaluateConstantNode(const Graph& graph, const Node& node);

// "oneDNN 2.6.3 (OpenMP runtime, max N threads)".
std::string RuntimeDescription();

}  // namespace edgepipe::nn
