#include "edgepipe/nn/quantize_dynamic.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <optional>
#include <string_view>
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

namespace {

// One matched Mul(Cast(MatMulInteger(DynamicQuantizeLinear(x), W s8,
// x_zp)), Mul(x_scale, W_scale)), either operand order of both Muls.
struct DynamicQuantMatch {
  const Node* dql = nullptr;
  const Node* mmi = nullptr;
  ValueId cast_out = kNoValue;  // the Cast's output (Mul's operand)
  int64_t n = 0;                // output columns
  ValueId w_scale = kNoValue;   // constant f32 [N], [1] or []
};

// FuseDynamicQuantMatMul's state: the graph's producers and use counts are
// read before any change, and matched nodes are only marked until the end.
class DynamicQuantFuser {
 public:
  explicit DynamicQuantFuser(Graph* graph)
      : g_(*graph), producer_(graph->Producers()), uses_(graph->UseCounts()), remove_(graph->nodes.size(), false) {}

  Result<int> Run() {
    for (size_t idx = 0; idx < g_.nodes.size(); ++idx) {
      const Node& mul = g_.nodes[idx];
      if (mul.op != "Mul" || remove_[idx] || mul.inputs.size() != 2) continue;
      for (int order = 0; order < 2; ++order) {
        const std::optional<DynamicQuantMatch> m = Match(mul, order);
        if (!m) continue;
        RETURN_NOT_OK(Fuse(*m, idx));
        break;
      }
    }
    if (fused_.empty()) return 0;
    std::vector<Node> kept;
    for (size_t idx = 0; idx < g_.nodes.size(); ++idx) {
      if (!remove_[idx]) kept.push_back(std::move(g_.nodes[idx]));
      for (Fused& f : fused_) {
        if (f.at == static_cast<int>(idx)) kept.push_back(std::move(f.node));
      }
    }
    g_.nodes = std::move(kept);
    RETURN_NOT_OK(g_.SortTopologically());
    return static_cast<int>(fused_.size());
  }

 private:
  struct Fused {
    Node node;
    int at;  // placed where the chain's last node was
  };

  const Node* ProducedBy(ValueId v, std::string_view op) const {
    if (v == kNoValue || producer_[v] < 0) return nullptr;
    const Node& p = g_.nodes[producer_[v]];
    return p.op == op ? &p : nullptr;
  }
  bool SingleUse(ValueId v) const { return uses_[v] == 1 && !IsGraphOutput(g_, v); }

  // The chain behind mul.inputs[order] (the Cast) and mul.inputs[1 - order]
  // (the scales), when every piece has the form the kernel computes.
  std::optional<DynamicQuantMatch> Match(const Node& mul, int order) const {
    DynamicQuantMatch m;
    m.cast_out = mul.inputs[order];
    const ValueId scale_v = mul.inputs[1 - order];
    const Node* cast = ProducedBy(m.cast_out, "Cast");
    const Node* scales = ProducedBy(scale_v, "Mul");
    if (cast == nullptr || scales == nullptr || !SingleUse(m.cast_out)) return std::nullopt;
    Result<int64_t> to = cast->attrs.GetInt("to", 0);
    if (!to.ok() || *to != 1) return std::nullopt;
    m.mmi = ProducedBy(cast->inputs[0], "MatMulInteger");
    if (m.mmi == nullptr || !SingleUse(cast->inputs[0])) return std::nullopt;
    m.dql = ProducedBy(m.mmi->inputs[0], "DynamicQuantizeLinear");
    if (m.dql == nullptr || m.dql->outputs.size() < 3 || m.mmi->outputs[0] == kNoValue) return std::nullopt;
    // a_zero_point must be the DQL's own (or absent, meaning 0: not ours).
    if (m.mmi->input(2) != m.dql->outputs[2] || m.dql->outputs[2] == kNoValue) return std::nullopt;
    const Tensor* w = ConstantOf(g_, m.mmi->inputs[1], DType::kS8);
    if (w == nullptr || w->shape().size() != 2) return std::nullopt;
    m.n = w->shape()[1];
    if (const ValueId bz = m.mmi->input(3); bz != kNoValue) {
      const Tensor* z = g_.values[bz].is_constant() ? g_.values[bz].constant.get() : nullptr;
      if (z == nullptr || (z->dtype() != DType::kS8 && z->dtype() != DType::kU8)) return std::nullopt;
      for (int64_t i = 0; i < z->num_elements(); ++i) {
        if (z->data_as<int8_t>()[i] != 0) return std::nullopt;
      }
    }
    // scales = Mul(x_scale, w_scale) with w_scale constant [N], [1] or [].
    for (int so = 0; so < 2 && m.w_scale == kNoValue; ++so) {
      if (scales->inputs[so] != m.dql->outputs[1]) continue;
      const Tensor* t = ConstantOf(g_, scales->inputs[1 - so], DType::kF32);
      if (t != nullptr && (t->num_elements() == m.n || t->num_elements() == 1) && t->shape().size() <= 1) {
        m.w_scale = scales->inputs[1 - so];
      }
    }
    if (m.w_scale == kNoValue) return std::nullopt;
    return m;
  }

  // Replaces the matched chain ending at node `idx` (the Mul) by one
  // kOpDynamicQuantMatMul node, with a following bias Add when it fits.
  Status Fuse(const DynamicQuantMatch& m, size_t idx) {
    const Node& mul = g_.nodes[idx];
    ValueId ws_id = m.w_scale;
    // The kernel takes W_scale as [N]: a per-tensor scale is broadcast.
    if (const Tensor& ws = *g_.values[ws_id].constant; ws.shape() != Shape{m.n}) {
      ASSIGN_OR_RETURN(Tensor w_scale, Tensor::Make(DType::kF32, {m.n}));
      for (int64_t col = 0; col < m.n; ++col) w_scale.mutable_data_as<float>()[col] = ws.data_as<float>()[0];
      ws_id = g_.AddConstant(g_.UniqueName(g_.values[ws_id].name + "_n"), std::move(w_scale));
    }
    Fused f;
    f.node.name = FusedName(*m.mmi);
    f.node.op = std::string(kOpDynamicQuantMatMul);
    f.node.inputs = {m.dql->inputs[0], m.mmi->inputs[1], ws_id};
    ValueId y = mul.outputs[0];
    f.at = static_cast<int>(idx);
    ASSIGN_OR_RETURN(const int add, FoldBias(m, &f.node, &y));
    if (add >= 0) f.at = std::max(f.at, add);
    f.node.outputs = {y};
    remove_[idx] = true;
    remove_[producer_[m.cast_out]] = true;
    remove_[producer_[g_.nodes[producer_[m.cast_out]].inputs[0]]] = true;
    fused_.push_back(std::move(f));
    return Status::OK();
  }

  // An Add of a constant per-output bias right after the chain joins the
  // epilogue: appends the bias to `fused`, moves *y to the Add's output and
  // returns the Add's index (-1 when there is none that fits).
  Result<int> FoldBias(const DynamicQuantMatch& m, Node* fused, ValueId* y) {
    if (!SingleUse(*y)) return -1;
    for (size_t a = 0; a < g_.nodes.size(); ++a) {
      const Node& add = g_.nodes[a];
      if (add.op != "Add" || add.inputs.size() != 2 || remove_[a]) continue;
      const int yi = add.inputs[0] == *y ? 0 : add.inputs[1] == *y ? 1 : -1;
      if (yi < 0) continue;
      const Tensor* b = ConstantOf(g_, add.inputs[1 - yi], DType::kF32);
      if (b == nullptr || b->num_elements() != m.n) return -1;
      if (!(b->shape().size() == 1 || (b->shape().size() == 2 && b->shape()[0] == 1))) return -1;
      if (g_.values[m.mmi->inputs[0]].shape.size() < b->shape().size()) return -1;
      ValueId bias_id = add.inputs[1 - yi];
      if (b->shape() != Shape{m.n}) {
        ASSIGN_OR_RETURN(Tensor bias, b->Reshaped({m.n}));
        bias_id = g_.AddConstant(g_.UniqueName(g_.values[bias_id].name + "_n"), std::move(bias));
      }
      fused->inputs.push_back(bias_id);
      *y = add.outputs[0];
      remove_[a] = true;
      return static_cast<int>(a);
    }
    return -1;
  }

  // Named after the layer: "/0/Gemm_mmi" (QuantizeDynamic's name) ->
  // "/0/Gemm"; unique among the graph's names and the other fused nodes
  // (which join g_.nodes only at the end).
  std::string FusedName(const Node& mmi) {
    std::string layer = mmi.name.empty() ? "dynamic_quant_matmul" : mmi.name;
    if (layer.size() > 4 && layer.compare(layer.size() - 4, 4, "_mmi") == 0) layer.resize(layer.size() - 4);
    std::string name = g_.UniqueName(layer);
    for (int i = 1; !fused_names_.insert(name).second; ++i) name = g_.UniqueName(layer + "_" + std::to_string(i));
    return name;
  }

  Graph& g_;
  const std::vector<int> producer_;
  const std::vector<int> uses_;
  std::vector<bool> remove_;
  std::vector<Fused> fused_;
  std::unordered_set<std::string> fused_names_;
};

}  // namespace

Result<int> FuseDynamicQuantMatMul(Graph* graph) { return DynamicQuantFuser(graph).Run(); }

}  // namespace edgepipe::nn
