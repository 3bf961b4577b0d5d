#include "edgepipe/nn/model_summary.h"

#include <fmt/core.h>

#include <algorithm>

#include "edgepipe/nn/quantize_dynamic.h"

namespace edgepipe::nn {
namespace {

constexpr int64_t kOnnxFloat = 1;  // TensorProto.DataType FLOAT, Cast's "to"

TensorInfo InfoOf(const Graph& g, ValueId id) {
  TensorInfo t;
  if (id == kNoValue) return t;
  const Value& v = g.values[id];
  t.name = v.name;
  t.dtype = v.dtype;
  t.shape = v.shape;
  t.shape_known = v.shape_known || v.is_constant();
  t.constant = v.is_constant();
  return t;
}

template <typename T>
ValueRange Scan(const T* p, int64_t n) {
  ValueRange r;
  r.count = n;
  double lo = static_cast<double>(p[0]), hi = lo;
  for (int64_t i = 1; i < n; ++i) {
    const double v = static_cast<double>(p[i]);
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  r.min = lo;
  r.max = hi;
  return r;
}

ValueRange RangeOf(const Tensor& t) {
  const int64_t n = t.num_elements();
  if (n <= 0 || t.data() == nullptr) return {};
  switch (t.dtype()) {
    case DType::kF32: return Scan(t.data_as<float>(), n);
    case DType::kS8: return Scan(t.data_as<int8_t>(), n);
    case DType::kU8: return Scan(t.data_as<uint8_t>(), n);
    case DType::kS32: return Scan(t.data_as<int32_t>(), n);
    case DType::kS64: return Scan(t.data_as<int64_t>(), n);
  }
  return {};
}

bool IsQuantizedType(DType d) { return d == DType::kS8 || d == DType::kU8; }

// Finds the quantized layers of a graph; see the header for the patterns.
class LayerFinder {
 public:
  explicit LayerFinder(const Graph& g) : g_(g), producer_(g.Producers()), consumers_(g.values.size()) {
    for (size_t idx = 0; idx < g.nodes.size(); ++idx) {
      for (ValueId in : g.nodes[idx].inputs) {
        if (in != kNoValue) consumers_[in].push_back(static_cast<int>(idx));
      }
    }
  }

  std::vector<QuantizedLayer> Find() {
    std::vector<QuantizedLayer> layers;
    for (size_t idx = 0; idx < g_.nodes.size(); ++idx) {
      const Node& node = g_.nodes[idx];
      QuantizedLayer layer;
      bool found = false;
      if (node.op == "MatMulInteger" || node.op == "ConvInteger") {
        found = IntegerLayer(static_cast<int>(idx), &layer);
      } else if (node.op == kOpDynamicQuantMatMul) {
        found = FusedLayer(static_cast<int>(idx), &layer);
      } else if (node.op == "QLinearMatMul" || node.op == "QLinearConv") {
        found = QLinearLayer(static_cast<int>(idx), &layer);
      } else if (node.op == "DequantizeLinear") {
        found = QdqWeightLayer(static_cast<int>(idx), &layer);
      }
      if (found) layers.push_back(std::move(layer));
    }
    return layers;
  }

 private:
  const Tensor* Constant(ValueId id) const {
    return id != kNoValue && g_.values[id].is_constant() ? g_.values[id].constant.get() : nullptr;
  }
  bool IsF32Constant(ValueId id) const {
    const Tensor* t = Constant(id);
    return t != nullptr && t->dtype() == DType::kF32;
  }
  std::string Name(ValueId id) const { return id == kNoValue ? "" : g_.values[id].name; }
  void SetTensor(ValueId id, QuantParams* q) const {
    q->tensor = Name(id);
    q->shape = id != kNoValue && g_.values[id].shape_known ? g_.values[id].shape : Shape{};
  }
  int SoleConsumer(ValueId id) const {
    return id != kNoValue && consumers_[id].size() == 1 ? consumers_[id][0] : -1;
  }
  int64_t Rank(ValueId id) const { return id == kNoValue ? 0 : static_cast<int64_t>(g_.values[id].shape.size()); }
  // An ONNX axis attribute (negative counts from the back) of a tensor of rank `rank`.
  int64_t AxisAttr(const Node& node, int64_t default_axis, int64_t rank) const {
    Result<int64_t> axis = node.attrs.GetInt("axis", default_axis);
    const int64_t a = axis.ok() ? *axis : default_axis;
    return a < 0 ? a + rank : a;
  }

  // Scale and zero point of a quantization whose channels lie along `axis`.
  void SetScaleAndZeroPoint(ValueId scale, ValueId zero_point, int64_t axis, QuantParams* q) const {
    q->scale = Name(scale);
    if (const Tensor* t = Constant(scale)) q->scales = RangeOf(*t);
    q->zero_point = Name(zero_point);
    if (const Tensor* t = Constant(zero_point)) q->zero_points = RangeOf(*t);
    if (std::max(q->scales.count, q->zero_points.count) > 1) {
      q->granularity = QuantGranularity::kPerChannel;
      q->axis = axis;
    }
  }

  QuantParams Weights(ValueId w, ValueId scale, ValueId zero_point, int64_t axis) const {
    QuantParams q;
    q.present = true;
    q.tensor = Name(w);
    q.shape = g_.values[w].shape;
    q.dtype = g_.values[w].dtype;
    if (const Tensor* t = Constant(w)) q.values = RangeOf(*t);
    SetScaleAndZeroPoint(scale, zero_point, axis, &q);
    return q;
  }

  // The quantization of a layer's integer input `x`, from its producer.
  // `zero_point` is the layer's own zero point input, used when the
  // producer is not recognised. Sets the scheme and the scale value id.
  QuantParams Input(ValueId x, ValueId zero_point, QuantizedLayer* layer, ValueId* scale) const {
    QuantParams q;
    q.present = true;
    SetTensor(x, &q);
    q.dtype = g_.values[x].dtype;
    layer->scheme = QuantScheme::kStatic;
    const int p = producer_[x];
    const Node* prod = p >= 0 ? &g_.nodes[p] : nullptr;
    if (prod != nullptr && prod->op == "DynamicQuantizeLinear" && prod->outputs.size() >= 2) {
      SetTensor(prod->input(0), &q);
      q.dtype = DType::kU8;
      q.dynamic = true;
      q.scale = Name(prod->outputs[1]);
      q.zero_point = prod->outputs.size() > 2 ? Name(prod->outputs[2]) : "";
      *scale = prod->outputs[1];
      layer->scheme = QuantScheme::kDynamic;
      layer->nodes.push_back(p);
    } else if (prod != nullptr && prod->op == "QuantizeLinear") {
      SetTensor(prod->input(0), &q);
      SetScaleAndZeroPoint(prod->input(1), prod->input(2), AxisAttr(*prod, 1, Rank(prod->input(0))), &q);
      *scale = prod->input(1);
      layer->nodes.push_back(p);
    } else {
      SetScaleAndZeroPoint(kNoValue, zero_point, Rank(x) - 1, &q);
    }
    return q;
  }

  // From the s32 accumulator to the float output: Cast(to float) then up to
  // two Muls, or DequantizeLinear; then an optional Add of a constant bias.
  // Returns the weight scale: the f32 constant among the multipliers, directly
  // or through Mul(input scale, weight scale). `input_scale` is excluded.
  ValueId Epilogue(ValueId acc, ValueId input_scale, QuantizedLayer* layer) const {
    ValueId w_scale = kNoValue;
    auto take_scale = [&](ValueId s) {
      if (s == kNoValue || s == input_scale) return;
      if (IsF32Constant(s)) {
        if (w_scale == kNoValue) w_scale = s;
        return;
      }
      const int p = producer_[s];
      if (p < 0 || g_.nodes[p].op != "Mul") return;
      for (ValueId in : g_.nodes[p].inputs) {
        if (in != input_scale && IsF32Constant(in) && w_scale == kNoValue) w_scale = in;
      }
      layer->nodes.push_back(p);
    };
    int c = SoleConsumer(acc);
    if (c < 0) return kNoValue;
    const Node& first = g_.nodes[c];
    ValueId v = kNoValue;
    Result<int64_t> to = first.attrs.GetInt("to", 0);
    if (first.op == "Cast" && to.ok() && *to == kOnnxFloat && !first.outputs.empty()) {
      layer->nodes.push_back(c);
      v = first.outputs[0];
      for (int step = 0; step < 2; ++step) {
        c = SoleConsumer(v);
        if (c < 0 || g_.nodes[c].op != "Mul" || g_.nodes[c].inputs.size() != 2) break;
        const Node& mul = g_.nodes[c];
        take_scale(mul.inputs[0] == v ? mul.inputs[1] : mul.inputs[0]);
        layer->nodes.push_back(c);
        v = mul.outputs[0];
      }
    } else if (first.op == "DequantizeLinear" && !first.outputs.empty()) {
      take_scale(first.input(1));
      layer->nodes.push_back(c);
      v = first.outputs[0];
    } else {
      return kNoValue;
    }
    c = SoleConsumer(v);
    if (c >= 0 && g_.nodes[c].op == "Add" && g_.nodes[c].inputs.size() == 2) {
      const Node& add = g_.nodes[c];
      const ValueId other = add.inputs[0] == v ? add.inputs[1] : add.inputs[0];
      if (IsF32Constant(other)) {
        layer->bias = Name(other);
        layer->nodes.push_back(c);
      }
    }
    return w_scale;
  }

  bool IntegerLayer(int idx, QuantizedLayer* layer) const {
    const Node& node = g_.nodes[idx];
    const ValueId w = node.input(1);
    const Tensor* wt = Constant(w);
    if (wt == nullptr || node.input(0) == kNoValue || node.outputs.empty()) return false;
    layer->name = node.name;
    layer->op = node.op;
    layer->nodes.push_back(idx);
    // MatMulInteger weights [K,N]: channels are the columns; ConvInteger [M,C,kh,kw]: axis 0.
    const int64_t axis = node.op == "ConvInteger" ? 0 : static_cast<int64_t>(wt->shape().size()) - 1;
    ValueId input_scale = kNoValue;
    layer->input = Input(node.input(0), node.input(2), layer, &input_scale);
    const ValueId w_scale = Epilogue(node.outputs[0], input_scale, layer);
    layer->weights = Weights(w, w_scale, node.input(3), axis);
    return true;
  }

  bool FusedLayer(int idx, QuantizedLayer* layer) const {
    // EpDynamicQuantMatMul(x f32, W s8 [K,N], W_scale f32 [N], bias f32 [N]).
    const Node& node = g_.nodes[idx];
    if (node.inputs.size() < 3 || Constant(node.inputs[1]) == nullptr) return false;
    layer->name = node.name;
    layer->op = node.op;
    layer->scheme = QuantScheme::kDynamic;
    layer->nodes.push_back(idx);
    layer->input.present = true;
    SetTensor(node.inputs[0], &layer->input);
    layer->input.dtype = DType::kU8;
    layer->input.dynamic = true;
    layer->weights = Weights(node.inputs[1], node.inputs[2], kNoValue, 1);
    layer->bias = Name(node.input(3));
    return true;
  }

  bool QLinearLayer(int idx, QuantizedLayer* layer) const {
    // QLinearMatMul(a, a_scale, a_zp, b, b_scale, b_zp, y_scale, y_zp);
    // QLinearConv(x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp, B).
    const Node& node = g_.nodes[idx];
    if (node.inputs.size() < 8 || node.inputs[0] == kNoValue || node.outputs.empty() || node.outputs[0] == kNoValue ||
        Constant(node.inputs[3]) == nullptr) {
      return false;
    }
    const bool conv = node.op == "QLinearConv";
    layer->name = node.name;
    layer->op = node.op;
    layer->scheme = QuantScheme::kStatic;
    layer->nodes.push_back(idx);
    layer->weights = Weights(node.inputs[3], node.inputs[4], node.inputs[5], conv ? 0 : Rank(node.inputs[3]) - 1);
    ValueId ignored = kNoValue;
    layer->input = Input(node.inputs[0], node.inputs[2], layer, &ignored);
    if (!layer->input.dynamic && layer->input.scale.empty()) {
      SetScaleAndZeroPoint(node.inputs[1], node.inputs[2], Rank(node.inputs[0]) - 1, &layer->input);
    }
    layer->output.present = true;
    SetTensor(node.outputs[0], &layer->output);
    layer->output.dtype = g_.values[node.outputs[0]].dtype;
    SetScaleAndZeroPoint(node.inputs[6], node.inputs[7], Rank(node.outputs[0]) - 1, &layer->output);
    if (conv) layer->bias = Name(node.input(8));
    return true;
  }

  bool QdqWeightLayer(int idx, QuantizedLayer* layer) const {
    // DequantizeLinear(W_q const s8/u8, scale, zp) -> a float op (QDQ).
    const Node& dq = g_.nodes[idx];
    const Tensor* wt = Constant(dq.input(0));
    if (wt == nullptr || !IsQuantizedType(wt->dtype()) || dq.outputs.empty() || dq.outputs[0] == kNoValue) return false;
    const std::vector<int>& users = consumers_[dq.outputs[0]];
    const Node* op = users.empty() ? &dq : &g_.nodes[users[0]];
    layer->name = op->name;
    layer->op = op->op;
    layer->scheme = QuantScheme::kWeightOnly;
    layer->nodes.push_back(idx);
    if (op != &dq) layer->nodes.push_back(users[0]);
    layer->weights = Weights(dq.input(0), dq.input(1), dq.input(2), AxisAttr(dq, 1, Rank(dq.input(0))));
    // Input: x -> QuantizeLinear -> DequantizeLinear -> op.
    const ValueId x = op->input(0);
    const int p = x != kNoValue && x != dq.outputs[0] ? producer_[x] : -1;
    if (p >= 0 && g_.nodes[p].op == "DequantizeLinear" && g_.nodes[p].input(0) != kNoValue &&
        Constant(g_.nodes[p].input(0)) == nullptr) {
      const Node& act_dq = g_.nodes[p];
      const int q = producer_[act_dq.input(0)];
      layer->input.present = true;
      SetTensor(q >= 0 ? g_.nodes[q].input(0) : act_dq.input(0), &layer->input);
      layer->input.dtype = g_.values[act_dq.input(0)].dtype;
      SetScaleAndZeroPoint(act_dq.input(1), act_dq.input(2), AxisAttr(act_dq, 1, Rank(act_dq.input(0))), &layer->input);
      layer->scheme = QuantScheme::kStatic;
      layer->nodes.push_back(p);
      if (q >= 0) layer->nodes.push_back(q);
    }
    if (op->op == "Gemm" || op->op == "Conv") {
      if (op->input(2) != kNoValue) layer->bias = Name(op->input(2));
    }
    return true;
  }

  const Graph& g_;
  std::vector<int> producer_;
  std::vector<std::vector<int>> consumers_;
};

std::string TensorText(const TensorInfo& t) {
  if (t.name.empty()) return "(omitted)";
  std::string s = t.name + " " + std::string(DTypeName(t.dtype)) + " " + (t.shape_known ? ShapeToString(t.shape) : "[?]");
  if (t.constant) s += " const";
  return s;
}

std::string HumanBytes(size_t bytes) {
  if (bytes < 1024) return fmt::format("{} B", bytes);
  const char* units[] = {"KiB", "MiB", "GiB"};
  double v = static_cast<double>(bytes) / 1024;
  int u = 0;
  while (v >= 1024 && u < 2) v /= 1024, ++u;
  return fmt::format("{:.1f} {}", v, units[u]);
}

std::string RangeText(const ValueRange& r) {
  if (r.min == r.max) return fmt::format("{:.6g}", r.min);
  return fmt::format("[{:.6g}, {:.6g}]", r.min, r.max);
}

}  // namespace

std::string_view QuantGranularityName(QuantGranularity g) {
  return g == QuantGranularity::kPerChannel ? "per-channel" : "per-tensor";
}

std::string_view QuantSchemeName(QuantScheme s) {
  switch (s) {
    case QuantScheme::kDynamic: return "dynamic";
    case QuantScheme::kStatic: return "static";
    case QuantScheme::kWeightOnly: return "weight-only";
  }
  return "?";
}

Result<ModelSummary> SummarizeModel(const Graph& graph) {
  RETURN_NOT_OK(graph.Validate().WithContext("summarize model"));
  ModelSummary s;
  s.graph_name = graph.name;
  s.opset = graph.opset;
  for (ValueId id : graph.inputs) s.inputs.push_back(InfoOf(graph, id));
  for (ValueId id : graph.outputs) s.outputs.push_back(InfoOf(graph, id));
  for (const Node& node : graph.nodes) {
    NodeInfo n;
    n.name = node.name;
    n.op = node.op;
    Result<std::string> act = node.attrs.GetString(kAttrActivation, "");
    if (act.ok()) n.fused_activation = *act;
    for (ValueId in : node.inputs) {
      n.inputs.push_back(InfoOf(graph, in));
      if (in != kNoValue && graph.values[in].is_constant()) n.parameter_bytes += graph.values[in].constant->nbytes();
    }
    for (ValueId out : node.outputs) n.outputs.push_back(InfoOf(graph, out));
    ++s.op_counts[n.fused_activation.empty() ? n.op : n.op + "+" + n.fused_activation];
    s.nodes.push_back(std::move(n));
  }
  // Parameters: the constants something reads (what ExportOnnx writes).
  const std::vector<int> uses = graph.UseCounts();
  std::map<DType, ParameterBytesByType> by_type;
  for (size_t v = 0; v < graph.values.size(); ++v) {
    if (!graph.values[v].is_constant() || uses[v] == 0) continue;
    const Tensor& t = *graph.values[v].constant;
    ParameterBytesByType& p = by_type[t.dtype()];
    p.dtype = t.dtype();
    ++p.tensors;
    p.elements += t.num_elements();
    p.bytes += t.nbytes();
    s.parameter_bytes += t.nbytes();
    ++s.parameter_tensors;
  }
  for (const auto& [dtype, p] : by_type) s.parameters.push_back(p);
  std::stable_sort(s.parameters.begin(), s.parameters.end(),
                   [](const ParameterBytesByType& a, const ParameterBytesByType& b) { return a.bytes > b.bytes; });
  s.quantized_layers = LayerFinder(graph).Find();
  for (size_t l = 0; l < s.quantized_layers.size(); ++l) {
    std::vector<int>& nodes = s.quantized_layers[l].nodes;
    std::sort(nodes.begin(), nodes.end());
    nodes.erase(std::unique(nodes.begin(), nodes.end()), nodes.end());
    // A DynamicQuantizeLinear shared by several layers shows the first.
    for (int idx : nodes) {
      if (s.nodes[idx].layer < 0) s.nodes[idx].layer = static_cast<int>(l);
    }
  }
  return s;
}

std::string DescribeQuantParams(const QuantParams& q) {
  if (!q.present) return "not quantized";
  std::string s(DTypeName(q.dtype));
  s += " ";
  s += QuantGranularityName(q.granularity);
  if (q.granularity == QuantGranularity::kPerChannel) s += fmt::format(" (axis {})", q.axis);
  if (q.dynamic) return s + ", dynamic: scale and zero point computed from each batch's min/max at run time";
  const std::string scale_name = q.scale.empty() ? "" : " ('" + q.scale + "')";
  if (q.scales.count > 1) {
    s += fmt::format(": {} scales in {}{}", q.scales.count, RangeText(q.scales), scale_name);
  } else if (q.scales.count == 1) {
    s += fmt::format(": scale {:.6g}{}", q.scales.min, scale_name);
  } else if (!q.scale.empty()) {
    s += ": scale '" + q.scale + "' computed at run time";
  } else {
    s += ": scale not found";
  }
  const std::string zp_name = " ('" + q.zero_point + "')";
  if (q.zero_point.empty()) {
    s += ", zero point 0 (omitted)";
  } else if (q.zero_points.count == 0) {
    s += ", zero point '" + q.zero_point + "' computed at run time";
  } else if (q.zero_points.min == q.zero_points.max) {
    if (q.zero_points.count > 1) {
      s += fmt::format(", {} zero points, all {}{}", q.zero_points.count, q.zero_points.min, zp_name);
    } else {
      s += fmt::format(", zero point {}{}", q.zero_points.min, zp_name);
    }
  } else {
    s += fmt::format(", {} zero points in {}{}", q.zero_points.count, RangeText(q.zero_points), zp_name);
  }
  return s;
}

std::string FormatModelSummary(const ModelSummary& s, std::string_view title) {
  std::string out;
  auto line = [&out](const std::string& text) {
    out += text;
    out += '\n';
  };
  line(fmt::format("{}{}graph '{}', ONNX opset {}, {} nodes, {} quantized layer(s)", title, title.empty() ? "" : ": ",
                   s.graph_name, s.opset, s.nodes.size(), s.quantized_layers.size()));
  line("inputs:");
  for (const TensorInfo& t : s.inputs) line("  " + TensorText(t));
  line("outputs:");
  for (const TensorInfo& t : s.outputs) line("  " + TensorText(t));
  line("");
  line(fmt::format("parameters: {} bytes ({}) in {} tensors", s.parameter_bytes, HumanBytes(s.parameter_bytes),
                   s.parameter_tensors));
  for (const ParameterBytesByType& p : s.parameters) {
    line(fmt::format("  {:<4} {:>12} bytes in {} tensor(s), {} values", DTypeName(p.dtype), p.bytes, p.tensors,
                     p.elements));
  }
  line("");
  line("ops:");
  for (const auto& [op, count] : s.op_counts) line(fmt::format("  {:<28} {}", op, count));
  if (!s.quantized_layers.empty()) {
    line("");
    line(fmt::format("quantized layers: {}", s.quantized_layers.size()));
  }
  for (size_t l = 0; l < s.quantized_layers.size(); ++l) {
    const QuantizedLayer& q = s.quantized_layers[l];
    line(fmt::format("  [{}] {} ({}, {}){}", l, q.name, q.op, QuantSchemeName(q.scheme),
                     q.bias.empty() ? "" : ", bias " + q.bias));
    const QuantParams& w = q.weights;
    line(fmt::format("      weights  {} {}{}", w.tensor, ShapeToString(w.shape),
                     w.values.count > 0 ? fmt::format(", values in [{}, {}]", w.values.min, w.values.max) : ""));
    line("               " + DescribeQuantParams(w));
    if (q.input.present) {
      line(fmt::format("      input    {} {}", q.input.tensor, ShapeToString(q.input.shape)));
      line("               " + DescribeQuantParams(q.input));
    } else {
      line("      input    float (the weights are dequantized before the op)");
    }
    if (q.output.present) {
      line(fmt::format("      output   {} {}", q.output.tensor, ShapeToString(q.output.shape)));
      line("               " + DescribeQuantParams(q.output));
    }
  }
  line("");
  line("nodes:");
  for (size_t idx = 0; idx < s.nodes.size(); ++idx) {
    const NodeInfo& n = s.nodes[idx];
    std::string head = fmt::format("  [{}] {} {}", idx, n.name, n.op);
    if (!n.fused_activation.empty()) head += "+" + n.fused_activation;
    if (n.parameter_bytes > 0) head += fmt::format(", {} of parameters", HumanBytes(n.parameter_bytes));
    if (n.layer >= 0) head += fmt::format(" (quantized layer {})", n.layer);
    line(head);
    std::string ins, outs;
    for (const TensorInfo& t : n.inputs) ins += (ins.empty() ? "" : ", ") + TensorText(t);
    for (const TensorInfo& t : n.outputs) outs += (outs.empty() ? "" : ", ") + TensorText(t);
    line("        in:  " + ins);
    line("        out: " + outs);
  }
  return out;
}

}  // namespace edgepipe::nn
