#include "edgepipe/nn/quantize_dynamic.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <unordered_set>

#include "edgepipe/nn/shape_inference.h"
#include "nn/op_params.h"

namespace edgepipe::nn {
namespace {

const Tensor* ConstantOf(const Graph& g, ValueId id, DType dtype) {
  if (id == kNoValue || !g.values[id].is_constant() || g.values[id].constant->dtype() != dtype) return nullptr;
  return g.values[id].constant.get();
}

bool IsGraphOutput(const Graph& g, ValueId id) {
  return std::find(g.outputs.begin(), g.outputs.end(), id) != g.outputs.end();
}

// A layer to quantize: W as [K,N] (alpha folded in) and the bias as [N].
struct DenseLayer {
  int64_t k = 0, n = 0;
  std::vector<float> w;     // [K,N]
  std::vector<float> bias;  // [N] or empty
};

// Why a node stays FP32 (empty: it is quantized into `layer`).
Result<std::string> MatchDense(const Graph& g, const Node& node, DenseLayer* layer) {
  const Tensor* b = ConstantOf(g, node.input(1), DType::kF32);
  if (b == nullptr || b->shape().size() != 2) return std::string("weights are not a constant 2-D f32 tensor");
  const Value& a = g.values[node.inputs[0]];
  if (a.dtype != DType::kF32 || !a.shape_known || a.shape.empty()) return std::string("input is not f32 with a known rank");
  bool trans_b = false;
  float alpha = 1, beta = 1;
  const Tensor* c = nullptr;
  if (node.op == "Gemm") {
    ASSIGN_OR_RETURN(int64_t trans_a, node.attrs.GetInt("transA", 0));
    ASSIGN_OR_RETURN(int64_t tb, node.attrs.GetInt("transB", 0));
    ASSIGN_OR_RETURN(alpha, node.attrs.GetFloat("alpha", 1.0f));
    ASSIGN_OR_RETURN(beta, node.attrs.GetFloat("beta", 1.0f));
    if (trans_a != 0) return std::string("transA=1");
    trans_b = tb != 0;
    if (node.input(2) != kNoValue) {
      c = ConstantOf(g, node.input(2), DType::kF32);
      if (c == nullptr) return std::string("C is not a constant f32 tensor");
    }
  }
  const int64_t rows = b->shape()[0], cols = b->shape()[1];
  layer->k = trans_b ? cols : rows;
  layer->n = trans_b ? rows : cols;
  const int64_t k = layer->k, n = layer->n;
  if (c != nullptr) {
    const Shape& cs = c->shape();
    const bool per_column = c->num_elements() == n && (cs.size() == 1 || (cs.size() == 2 && cs[0] == 1));
    if (!per_column && c->num_elements() != 1) return std::string("C is not a per-output bias");
    layer->bias.resize(static_cast<size_t>(n));
    for (int64_t col = 0; col < n; ++col) layer->bias[col] = beta * c->data_as<float>()[per_column ? col : 0];
  }
  layer->w.resize(static_cast<size_t>(k * n));
  const float* src = b->data_as<float>();
  for (int64_t row = 0; row < k; ++row) {
    for (int64_t col = 0; col < n; ++col) layer->w[row * n + col] = alpha * (trans_b ? src[col * k + row] : src[row * n + col]);
  }
  return std::string();
}

// Value and node names in use, so new names are unique among both (the
// nodes are outside the graph while it is rebuilt, so Graph::UniqueName
// would not see them).
class NameSet {
 public:
  NameSet(const Graph& g, const std::vector<Node>& nodes) {
    for (const Value& v : g.values) used_.insert(v.name);
    for (const Node& n : nodes) used_.insert(n.name);
  }
  std::string Take(const std::string& prefix) {
    std::string name = prefix;
    for (int i = 1; !used_.insert(name).second; ++i) name = prefix + "_" + std::to_string(i);
    return name;
  }

 private:
  std::unordered_set<std::string> used_;
};

// Symmetric s8 per output channel: s[n] = max|w[:,n]| / qmax,
// q = round(w / s) clamped to [-qmax, qmax]. w is [K,N].
struct PerChannelWeights {
  Tensor q;      // s8 [K,N]
  Tensor scale;  // f32 [N]
};
Result<PerChannelWeights> QuantizePerChannel(const DenseLayer& layer, float qmax) {
  const int64_t k = layer.k, n = layer.n;
  PerChannelWeights out;
  ASSIGN_OR_RETURN(out.q, Tensor::Make(DType::kS8, {k, n}));
  ASSIGN_OR_RETURN(out.scale, Tensor::Make(DType::kF32, {n}));
  int8_t* q = out.q.mutable_data_as<int8_t>();
  float* s = out.scale.mutable_data_as<float>();
  for (int64_t col = 0; col < n; ++col) {
    float amax = 0;
    for (int64_t row = 0; row < k; ++row) amax = std::max(amax, std::fabs(layer.w[row * n + col]));
    s[col] = amax > 0 && std::isfinite(amax) ? amax / qmax : 1.0f;
  }
  for (int64_t row = 0; row < k; ++row) {
    for (int64_t col = 0; col < n; ++col) {
      float v = std::nearbyint(layer.w[row * n + col] / s[col]);
      v = std::isnan(v) ? 0.0f : std::min(std::max(v, -qmax), qmax);
      q[row * n + col] = static_cast<int8_t>(v);
    }
  }
  return out;
}

// Writes the standard ONNX dynamic-quantization pattern of one layer in
// place of its Gemm/MatMul node (see the header), sharing one
// DynamicQuantizeLinear per activation among its consumers.
class DynamicPatternWriter {
 public:
  DynamicPatternWriter(Graph* graph, const std::vector<Node>& old_nodes, std::vector<Node>* out)
      : graph_(graph), names_(*graph, old_nodes), out_(out) {}

  Status Write(const Node& node, const DenseLayer& layer, PerChannelWeights weights) {
    Graph& g = *graph_;
    // Names: the layer's name plus a short suffix (docs/nn.md lists them).
    // A tensor's name is written where it is produced and where it is read:
    // with the long names before, TinyNet's file was 10909 bytes; now 10496.
    const std::string base = node.name.empty() ? g.values[node.outputs[0]].name : node.name;
    auto name = [&](const char* suffix) { return names_.Take(base + suffix); };
    const auto [xq, xs, xzp] = QuantizedInput(node.inputs[0], name);
    const ValueId w_id = g.AddConstant(name("_wq"), std::move(weights.q));
    const ValueId ws_id = g.AddConstant(name("_ws"), std::move(weights.scale));
    const ValueId mm_out = g.AddValue(name("_i32"), DType::kS32, {}, false);
    const ValueId cast_out = g.AddValue(name("_f32"), DType::kF32, {}, false);
    const ValueId scale_out = g.AddValue(name("_s"), DType::kF32, {}, false);
    const ValueId y = node.outputs[0];
    const bool has_bias = !layer.bias.empty();
    const ValueId mul_out = has_bias ? g.AddValue(name("_y"), DType::kF32, {}, false) : y;

    Emit(name("_mmi"), "MatMulInteger", {xq, w_id, xzp}, {mm_out});  // b_zero_point omitted: symmetric weights
    Node& cast = Emit(name("_cast"), "Cast", {mm_out}, {cast_out});
    cast.attrs.SetInt("to", 1);  // FLOAT
    Emit(name("_scale"), "Mul", {xs, ws_id}, {scale_out});
    Emit(name("_mul"), "Mul", {cast_out, scale_out}, {mul_out});
    if (has_bias) {
      ASSIGN_OR_RETURN(Tensor bias, Tensor::FromFloats({layer.n}, layer.bias));
      const std::string add_name = name("_add");
      Emit(add_name, "Add", {mul_out, g.AddConstant(name("_b"), std::move(bias))}, {y});
    }
    return Status::OK();
  }

 private:
  Node& Emit(std::string name, const char* op, std::vector<ValueId> inputs, std::vector<ValueId> outputs) {
    Node node;
    node.name = std::move(name);
    node.op = op;
    node.inputs = std::move(inputs);
    node.outputs = std::move(outputs);
    out_->push_back(std::move(node));
    return out_->back();
  }

  // (x_q, x_scale, x_zero_point) of activation x, emitting its
  // DynamicQuantizeLinear on first use (named after that first consumer:
  // activation names are often long).
  template <typename NameFn>
  std::array<ValueId, 3> QuantizedInput(ValueId x, NameFn& name) {
    auto it = quantized_inputs_.find(x);
    if (it != quantized_inputs_.end()) return it->second;
    const std::array<ValueId, 3> ids = {graph_->AddValue(name("_xq"), DType::kU8, {}, false),
                                        graph_->AddValue(name("_xs"), DType::kF32, {}, false),
                                        graph_->AddValue(name("_xzp"), DType::kU8, {}, false)};
    Emit(name("_dql"), "DynamicQuantizeLinear", {x}, {ids[0], ids[1], ids[2]});
    return quantized_inputs_.emplace(x, ids).first->second;
  }

  Graph* graph_;
  NameSet names_;
  std::vector<Node>* out_;
  std::map<ValueId, std::array<ValueId, 3>> quantized_inputs_;
};

}  // namespace

Result<QuantizeDynamicStats> QuantizeDynamic(Graph* graph, const QuantizeDynamicOptions& options) {
  RETURN_NOT_OK(graph->Validate().WithContext("quantize"));
  QuantizeDynamicStats stats;
  std::vector<Node> old_nodes = std::move(graph->nodes);
  graph->nodes.clear();
  std::vector<Node> out_nodes;
  out_nodes.reserve(old_nodes.size() * 5);
  DynamicPatternWriter writer(graph, old_nodes, &out_nodes);
  const float qmax = options.reduce_range ? 63.0f : 127.0f;
  for (Node& node : old_nodes) {
    if (node.op != "Gemm" && node.op != "MatMul") {
      out_nodes.push_back(std::move(node));
      continue;
    }
    DenseLayer layer;
    ASSIGN_OR_RETURN(std::string why, MatchDense(*graph, node, &layer));
    if (why.empty() && layer.k < options.min_macs_per_row / std::max<int64_t>(layer.n, 1)) why = "below min_macs_per_row";
    if (!why.empty()) {
      ++stats.skipped;
      stats.skipped_reasons += NodeContext(node) + why + "\n";
      out_nodes.push_back(std::move(node));
      continue;
    }
    ASSIGN_OR_RETURN(PerChannelWeights weights, QuantizePerChannel(layer, qmax));
    stats.fp32_weight_bytes += static_cast<size_t>(layer.k * layer.n) * sizeof(float);
    stats.int8_weight_bytes += weights.q.nbytes() + weights.scale.nbytes();
    RETURN_NOT_OK(writer.Write(node, layer, std::move(weights)));
    // The FP32 weights are no longer read by anything.
    for (ValueId in : node.inputs) {
      if (in != kNoValue && graph->values[in].is_constant()) graph->values[in].constant.reset();
    }
    ++stats.quantized;
  }
  graph->nodes = std::move(out_nodes);
  RETURN_NOT_OK(graph->SortTopologically());
  RETURN_NOT_OK(InferShapes(graph));
  return stats;
}

Result<int> FuseDynamicQuantMatMul(Graph* graph) {
  Graph& g = *graph;
  const std::vector<int> producer = g.Producers();
  const std::vector<int> uses = g.UseCounts();
  auto produced_by = [&](ValueId v, std::string_view op) -> const Node* {
    if (v == kNoValue || producer[v] < 0) return nullptr;
    const Node& p = g.nodes[producer[v]];
    return p.op == op ? &p : nullptr;
  };
  auto single_use = [&](ValueId v) { return uses[v] == 1 && !IsGraphOutput(g, v); };
  std::vector<bool> remove(g.nodes.size(), false);
  std::vector<Node> fused_nodes;  // placed where the final node was
  std::vector<int> fused_at;
  std::unordered_set<std::string> fused_names;
  int fused = 0;
  for (size_t idx = 0; idx < g.nodes.size(); ++idx) {
    const Node& mul = g.nodes[idx];
    if (mul.op != "Mul" || remove[idx] || mul.inputs.size() != 2) continue;
    // Mul(Cast(MatMulInteger(...)), Mul(x_scale, w_scale)), either order.
    for (int order = 0; order < 2; ++order) {
      const ValueId cast_v = mul.inputs[order], scale_v = mul.inputs[1 - order];
      const Node* cast = produced_by(cast_v, "Cast");
      const Node* scales = produced_by(scale_v, "Mul");
      if (cast == nullptr || scales == nullptr || !single_use(cast_v)) continue;
      Result<int64_t> to = cast->attrs.GetInt("to", 0);
      if (!to.ok() || *to != 1) continue;
      const Node* mmi = produced_by(cast->inputs[0], "MatMulInteger");
      if (mmi == nullptr || !single_use(cast->inputs[0])) continue;
      const Node* dql = produced_by(mmi->inputs[0], "DynamicQuantizeLinear");
      if (dql == nullptr || dql->outputs.size() < 3 || mmi->outputs[0] == kNoValue) continue;
      // a_zero_point must be the DQL's own (or absent, meaning 0: not ours).
      if (mmi->input(2) != dql->outputs[2] || dql->outputs[2] == kNoValue) continue;
      const Tensor* w = ConstantOf(g, mmi->inputs[1], DType::kS8);
      if (w == nullptr || w->shape().size() != 2) continue;
      const int64_t n = w->shape()[1];
      if (const ValueId bz = mmi->input(3); bz != kNoValue) {
        const Tensor* z = g.values[bz].is_constant() ? g.values[bz].constant.get() : nullptr;
        if (z == nullptr || (z->dtype() != DType::kS8 && z->dtype() != DType::kU8)) continue;
        bool zero = true;
        for (int64_t i = 0; i < z->num_elements(); ++i) zero = zero && z->data_as<int8_t>()[i] == 0;
        if (!zero) continue;
      }
      // scales = Mul(x_scale, w_scale) with w_scale constant [N], [1] or [].
      const Tensor* ws = nullptr;
      ValueId ws_id = kNoValue;
      for (int so = 0; so < 2 && ws == nullptr; ++so) {
        if (scales->inputs[so] != dql->outputs[1]) continue;
        const Tensor* t = ConstantOf(g, scales->inputs[1 - so], DType::kF32);
        if (t != nullptr && (t->num_elements() == n || t->num_elements() == 1) && t->shape().size() <= 1) {
          ws = t;
          ws_id = scales->inputs[1 - so];
        }
      }
      if (ws == nullptr) continue;
      // The kernel takes W_scale as [N]: a per-tensor scale is broadcast.
      if (ws->shape() != Shape{n}) {
        ASSIGN_OR_RETURN(Tensor w_scale, Tensor::Make(DType::kF32, {n}));
        for (int64_t col = 0; col < n; ++col) w_scale.mutable_data_as<float>()[col] = ws->data_as<float>()[0];
        ws_id = g.AddConstant(g.UniqueName(g.values[ws_id].name + "_n"), std::move(w_scale));
      }
      Node fused_node;
      // Named after the layer: "/0/Gemm_mmi" (QuantizeDynamic's name) -> "/0/Gemm".
      std::string layer = mmi->name.empty() ? "dynamic_quant_matmul" : mmi->name;
      if (layer.size() > 4 && layer.compare(layer.size() - 4, 4, "_mmi") == 0) layer.resize(layer.size() - 4);
      fused_node.name = g.UniqueName(layer);
      for (int i = 1; !fused_names.insert(fused_node.name).second; ++i) {
        fused_node.name = g.UniqueName(layer + "_" + std::to_string(i));  // fused nodes join g.nodes at the end
      }
      fused_node.op = std::string(kOpDynamicQuantMatMul);
      fused_node.inputs = {dql->inputs[0], mmi->inputs[1], ws_id};
      ValueId y = mul.outputs[0];
      int last = static_cast<int>(idx);
      // An Add of a constant per-output bias right after joins the epilogue.
      if (single_use(y)) {
        for (size_t a = 0; a < g.nodes.size(); ++a) {
          const Node& add = g.nodes[a];
          if (add.op != "Add" || add.inputs.size() != 2 || remove[a]) continue;
          const int yi = add.inputs[0] == y ? 0 : add.inputs[1] == y ? 1 : -1;
          if (yi < 0) continue;
          const Tensor* b = ConstantOf(g, add.inputs[1 - yi], DType::kF32);
          if (b == nullptr || b->num_elements() != n) break;
          if (!(b->shape().size() == 1 || (b->shape().size() == 2 && b->shape()[0] == 1))) break;
          if (g.values[mmi->inputs[0]].shape.size() < b->shape().size()) break;
          ValueId bias_id = add.inputs[1 - yi];
          if (b->shape() != Shape{n}) {
            ASSIGN_OR_RETURN(Tensor bias, b->Reshaped({n}));
            bias_id = g.AddConstant(g.UniqueName(g.values[bias_id].name + "_n"), std::move(bias));
          }
          fused_node.inputs.push_back(bias_id);
          y = add.outputs[0];
          remove[a] = true;
          last = std::max(last, static_cast<int>(a));
          break;
        }
      }
      fused_node.outputs = {y};
      remove[idx] = true;
      remove[producer[cast_v]] = true;
      remove[producer[cast->inputs[0]]] = true;
      fused_nodes.push_back(std::move(fused_node));
      fused_at.push_back(last);
      ++fused;
      break;
    }
  }
  if (fused == 0) return 0;
  std::vector<Node> kept;
  for (size_t idx = 0; idx < g.nodes.size(); ++idx) {
    if (!remove[idx]) kept.push_back(std::move(g.nodes[idx]));
    for (size_t f = 0; f < fused_at.size(); ++f) {
      if (fused_at[f] == static_cast<int>(idx)) kept.push_back(std::move(fused_nodes[f]));
    }
  }
  g.nodes = std::move(kept);
  RETURN_NOT_OK(g.SortTopologically());
  return fused;
}

}  // namespace edgepipe::nn
