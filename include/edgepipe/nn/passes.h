#pragma once
// Graph passes. Each takes a topologically sorted graph with inferred
// shapes, rewrites it in place, keeps it sorted, and returns how many nodes
// it changed. Value ids stay valid (values are never removed; dead ones just
// lose their uses, and dead constants release their data).

#include "edgepipe/nn/graph.h"

namespace edgepipe::nn {

// Nodes whose inputs are all constants are evaluated once (with the
// executor's kernels) and replaced by constants.
Result<int> FoldConstants(Graph* graph);

// BatchNormalization after a Conv or Gemm with constant weights (and the
// Conv/Gemm output used only by it) is folded into the weights and bias:
// w' = w * s, b' = (b - mean) * s + beta with s = gamma / sqrt(var + eps).
Result<int> FoldBatchNorm(Graph* graph);

// Relu, and Clip with constant bounds (ReLU6 is Clip(0, 6)), after a
// Conv/Gemm/MatMul whose output has no other use become attributes of that
// node (kAttrActivation etc.), run as oneDNN post-ops.
Result<int> FuseActivations(Graph* graph);

// Identity nodes (and imported Dropout) whose output is not a graph output
// are bypassed.
Result<int> EliminateIdentities(Graph* graph);

// Nodes that no graph output depends on are removed; constants nothing reads
// drop their tensors.
Result<int> EliminateDeadNodes(Graph* graph);

struct OptimizeStats {
  int identities = 0, folded_constants = 0, folded_batchnorms = 0, fused_activations = 0, dead_nodes = 0;
  int dynamic_quant_matmuls = 0;  // DynamicQuantizeLinear..Mul[..Add] patterns fused (quantize_dynamic.h)
};
// All of the above in order (FuseDynamicQuantMatMul from quantize_dynamic.h
// after BatchNorm folding, so a following Relu fuses into it), then sort and
// shape inference.
Status OptimizeGraph(Graph* graph, OptimizeStats* stats = nullptr);

}  // namespace edgepipe::nn
