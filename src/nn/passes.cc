#include "edgepipe/nn/passes.h"

#include <cmath>
#include <limits>

#include "edgepipe/nn/executor.h"
#include "edgepipe/nn/quantize_dynamic.h"
#include "edgepipe/nn/shape_inference.h"
#include "nn/op_params.h"

namespace edgepipe::nn {
namespace {

void RemoveNodes(Graph* graph, const std::vector<bool>& remove) {
  std::vector<Node> kept;
  kept.reserve(graph->nodes.size());
  for (size_t n = 0; n < graph->nodes.size(); ++n) {
    if (!remove[n]) kept.push_back(std::move(graph->nodes[n]));
  }
  graph->nodes = std::move(kept);
}

bool IsConstant(const Graph& g, ValueId id) { return id != kNoValue && g.values[id].is_constant(); }

const Tensor* ConstantF32(const Graph& g, ValueId id) {
  if (!IsConstant(g, id) || g.values[id].constant->dtype() != DType::kF32) return nullptr;
  return g.values[id].constant.get();
}

bool IsGraphOutput(const Graph& g, ValueId id) {
  for (ValueId out : g.outputs) {
    if (out == id) return true;
  }
  return false;
}

}  // namespace

Result<int> FoldConstants(Graph* graph) {
  int folded = 0;
  std::vector<bool> remove(graph->nodes.size(), false);
  for (size_t n = 0; n < graph->nodes.size(); ++n) {
    const Node& node = graph->nodes[n];
    bool all_constant = !node.inputs.empty();
    for (ValueId in : node.inputs) {
      if (in != kNoValue && !graph->values[in].is_constant()) all_constant = false;
    }
    if (!all_constant) continue;
    Result<std::vector<Tensor>> outputs = EvaluateConstantNode(*graph, node);
    if (!outputs.ok()) {
      // No kernel (e.g. quantized ops today): leave the node to run time.
      if (outputs.status().IsNotSupported()) continue;
      return outputs.status().WithContext("constant folding");
    }
    size_t o = 0;
    for (ValueId out : node.outputs) {
      if (out == kNoValue) continue;
      Tensor t = std::move((*outputs)[o++]);
      graph->values[out].dtype = t.dtype();
      graph->values[out].shape = t.shape();
      graph->values[out].shape_known = true;
      graph->values[out].constant = std::make_shared<const Tensor>(std::move(t));
    }
    remove[n] = true;
    ++folded;
  }
  RemoveNodes(graph, remove);
  return folded;
}

Result<int> FoldBatchNorm(Graph* graph) {
  int folded = 0;
  const std::vector<int> producer = graph->Producers();
  const std::vector<int> uses = graph->UseCounts();
  std::vector<bool> remove(graph->nodes.size(), false);
  for (size_t n = 0; n < graph->nodes.size(); ++n) {
    const Node bn = graph->nodes[n];  // copy: AddConstant below may not touch nodes, but stay safe
    if (bn.op != "BatchNormalization" || bn.outputs.size() != 1) continue;
    const ValueId x = bn.inputs[0];
    if (producer[x] < 0 || uses[x] != 1 || IsGraphOutput(*graph, x)) continue;
    Node& prev = graph->nodes[producer[x]];
    if ((prev.op != "Conv" && prev.op != "Gemm") || prev.attrs.Has(kAttrActivation)) continue;
    const Tensor* gamma = ConstantF32(*graph, bn.inputs[1]);
    const Tensor* beta = ConstantF32(*graph, bn.inputs[2]);
    const Tensor* mean = ConstantF32(*graph, bn.inputs[3]);
    const Tensor* var = ConstantF32(*graph, bn.inputs[4]);
    const Tensor* w = ConstantF32(*graph, prev.inputs[1]);
    if (!gamma || !beta || !mean || !var || !w) continue;
    const ValueId bias_id = prev.input(2);
    const Tensor* bias = bias_id == kNoValue ? nullptr : ConstantF32(*graph, bias_id);
    if (bias_id != kNoValue && bias == nullptr) continue;
    ASSIGN_OR_RETURN(float eps, bn.attrs.GetFloat("epsilon", 1e-5f));
    const int64_t channels = gamma->num_elements();
    std::vector<float> scale(channels);
    for (int64_t c = 0; c < channels; ++c) {
      scale[c] = gamma->data_as<float>()[c] / std::sqrt(var->data_as<float>()[c] + eps);
    }
    ASSIGN_OR_RETURN(Tensor new_w, w->Clone());
    ASSIGN_OR_RETURN(Tensor new_b, Tensor::Make(DType::kF32, {channels}));
    float* wp = new_w.mutable_data_as<float>();
    float* bp = new_b.mutable_data_as<float>();
    float bias_scale = 1.0f;
    if (prev.op == "Conv") {
      if (w->shape().empty() || w->shape()[0] != channels) continue;
      const int64_t per = w->num_elements() / channels;
      for (int64_t c = 0; c < channels; ++c) {
        for (int64_t i = 0; i < per; ++i) wp[c * per + i] *= scale[c];
      }
      if (bias && bias->num_elements() != channels) continue;
    } else {
      ASSIGN_OR_RETURN(int64_t trans_b, prev.attrs.GetInt("transB", 0));
      ASSIGN_OR_RETURN(float gemm_beta, prev.attrs.GetFloat("beta", 1.0f));
      if (w->shape().size() != 2) continue;
      const int64_t rows = w->shape()[0], cols = w->shape()[1];
      if ((trans_b ? rows : cols) != channels) continue;
      // C must be a per-output vector (or scalar) to stay a bias.
      if (bias && bias->num_elements() != channels && bias->num_elements() != 1) continue;
      if (bias && bias->shape().size() == 2 && bias->shape()[0] != 1) continue;
      for (int64_t r = 0; r < rows; ++r) {
        for (int64_t c = 0; c < cols; ++c) wp[r * cols + c] *= scale[trans_b ? r : c];
      }
      bias_scale = gemm_beta;
      prev.attrs.SetFloat("beta", 1.0f);
    }
    for (int64_t c = 0; c < channels; ++c) {
      float b = 0;
      if (bias) b = bias_scale * bias->data_as<float>()[bias->num_elements() == 1 ? 0 : c];
      bp[c] = (b - mean->data_as<float>()[c]) * scale[c] + beta->data_as<float>()[c];
    }
    const std::string base = prev.name;
    const ValueId w_id = graph->AddConstant(graph->UniqueName(base + "_bnfold_w"), std::move(new_w));
    const ValueId b_id = graph->AddConstant(graph->UniqueName(base + "_bnfold_b"), std::move(new_b));
    Node& p = graph->nodes[producer[x]];
    p.inputs[1] = w_id;
    if (p.inputs.size() < 3) p.inputs.resize(3, kNoValue);
    p.inputs[2] = b_id;
    p.outputs[0] = bn.outputs[0];
    remove[n] = true;
    ++folded;
  }
  RemoveNodes(graph, remove);
  return folded;
}

Result<int> FuseActivations(Graph* graph) {
  int fused = 0;
  const std::vector<int> producer = graph->Producers();
  const std::vector<int> uses = graph->UseCounts();
  std::vector<bool> remove(graph->nodes.size(), false);
  for (size_t n = 0; n < graph->nodes.size(); ++n) {
    const Node& act = graph->nodes[n];
    if (act.op != "Relu" && act.op != "Clip") continue;
    const ValueId x = act.inputs[0];
    if (producer[x] < 0 || uses[x] != 1 || IsGraphOutput(*graph, x)) continue;
    Node& prev = graph->nodes[producer[x]];
    const bool fusable = prev.op == "Conv" || prev.op == "Gemm" || prev.op == "MatMul" ||
                         (prev.op == kOpDynamicQuantMatMul && act.op == "Relu");
    if (!fusable || prev.attrs.Has(kAttrActivation)) continue;
    if (graph->values[x].dtype != DType::kF32) continue;
    float lo = -std::numeric_limits<float>::infinity(), hi = std::numeric_limits<float>::infinity();
    if (act.op == "Clip") {
      const ValueId lo_id = act.input(1), hi_id = act.input(2);
      if (lo_id != kNoValue) {
        const Tensor* t = ConstantF32(*graph, lo_id);
        if (t == nullptr || t->num_elements() != 1) continue;
        lo = t->data_as<float>()[0];
      }
      if (hi_id != kNoValue) {
        const Tensor* t = ConstantF32(*graph, hi_id);
        if (t == nullptr || t->num_elements() != 1) continue;
        hi = t->data_as<float>()[0];
      }
      prev.attrs.SetFloat(std::string(kAttrClipMin), lo);
      prev.attrs.SetFloat(std::string(kAttrClipMax), hi);
    }
    prev.attrs.SetString(std::string(kAttrActivation), act.op);
    prev.outputs[0] = act.outputs[0];
    remove[n] = true;
    ++fused;
  }
  RemoveNodes(graph, remove);
  return fused;
}

Result<int> EliminateIdentities(Graph* graph) {
  int removed = 0;
  std::vector<bool> remove(graph->nodes.size(), false);
  for (size_t n = 0; n < graph->nodes.size(); ++n) {
    const Node& node = graph->nodes[n];
    if (node.op != "Identity" || node.outputs.size() != 1 || node.inputs.size() != 1) continue;
    const ValueId in = node.inputs[0], out = node.outputs[0];
    if (out == kNoValue || in == kNoValue || IsGraphOutput(*graph, out)) continue;
    for (Node& other : graph->nodes) {
      for (ValueId& v : other.inputs) {
        if (v == out) v = in;
      }
    }
    remove[n] = true;
    ++removed;
  }
  RemoveNodes(graph, remove);
  return removed;
}

Result<int> EliminateDeadNodes(Graph* graph) {
  const std::vector<int> producer = graph->Producers();
  std::vector<bool> live_value(graph->values.size(), false);
  std::vector<bool> live_node(graph->nodes.size(), false);
  std::vector<ValueId> stack(graph->outputs.begin(), graph->outputs.end());
  while (!stack.empty()) {
    const ValueId v = stack.back();
    stack.pop_back();
    if (v == kNoValue || live_value[v]) continue;
    live_value[v] = true;
    const int p = producer[v];
    if (p < 0 || live_node[p]) continue;
    live_node[p] = true;
    for (ValueId in : graph->nodes[p].inputs) stack.push_back(in);
  }
  std::vector<bool> remove(graph->nodes.size());
  int removed = 0;
  for (size_t n = 0; n < graph->nodes.size(); ++n) {
    remove[n] = !live_node[n];
    removed += remove[n] ? 1 : 0;
  }
  RemoveNodes(graph, remove);
  for (size_t v = 0; v < graph->values.size(); ++v) {
    if (!live_value[v] && graph->values[v].is_constant()) graph->values[v].constant.reset();
  }
  return removed;
}

Status OptimizeGraph(Graph* graph, OptimizeStats* stats) {
  OptimizeStats local;
  OptimizeStats& s = stats ? *stats : local;
  RETURN_NOT_OK(graph->SortTopologically());
  RETURN_NOT_OK(InferShapes(graph));
  ASSIGN_OR_RETURN(s.identities, EliminateIdentities(graph));
  ASSIGN_OR_RETURN(s.folded_constants, FoldConstants(graph));
  ASSIGN_OR_RETURN(s.folded_batchnorms, FoldBatchNorm(graph));
  ASSIGN_OR_RETURN(s.dynamic_quant_matmuls, FuseDynamicQuantMatMul(graph));
  ASSIGN_OR_RETURN(s.fused_activations, FuseActivations(graph));
  ASSIGN_OR_RETURN(s.dead_nodes, EliminateDeadNodes(graph));
  RETURN_NOT_OK(graph->SortTopologically());
  return InferShapes(graph);
}

}  // namespace edgepipe::nn
