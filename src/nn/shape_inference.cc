#include "edgepipe/nn/shape_inference.h"

#include <algorithm>
#include <array>
#include <functional>

#include "edgepipe/nn/quantize_dynamic.h"
#include "nn/op_params.h"

namespace edgepipe::nn {
namespace {

Status Bad(const Node& node, const std::string& what) {
  return Status::InvalidArgument(NodeContext(node) + what);
}

// ONNX TensorProto.DataType -> DType, for Cast's `to`.
Result<DType> DTypeFromOnnx(const Node& node, int64_t to) {
  switch (to) {
    case 1: return DType::kF32;
    case 2: return DType::kU8;
    case 3: return DType::kS8;
    case 6: return DType::kS32;
    case 7: return DType::kS64;
    default: return Status::NotSupported(NodeContext(node) + "Cast to ONNX data type " + std::to_string(to) + " is not supported");
  }
}

// A node's inputs as a rule sees them: arity checked against its OpRule,
// every required input present, every present input's shape known.
// in[i] is null for an omitted optional input.
class Inputs {
 public:
  Inputs(const Node& node, std::vector<const Value*> values) : node_(node), values_(std::move(values)) {}

  size_t size() const { return values_.size(); }
  const Value* operator[](size_t i) const { return values_[i]; }
  // Null when input i is omitted or past the end (trailing optional inputs).
  const Value* Optional(size_t i) const { return i < values_.size() ? values_[i] : nullptr; }

  // OK when input i is omitted or has dtype `want`.
  Status DTypeIs(size_t i, DType want) const {
    const Value* v = values_[i];
    return v == nullptr || v->dtype == want ? Status::OK() : WrongDType(i, DTypeName(want));
  }
  // OK when input i is omitted, u8 or s8.
  Status DTypeIs8Bit(size_t i) const {
    const Value* v = values_[i];
    return v == nullptr || v->dtype == DType::kU8 || v->dtype == DType::kS8 ? Status::OK() : WrongDType(i, "u8 or s8");
  }
  Status AllDTypesAre(DType want) const {
    for (size_t i = 0; i < values_.size(); ++i) RETURN_NOT_OK(DTypeIs(i, want));
    return Status::OK();
  }

 private:
  Status WrongDType(size_t i, std::string_view expected) const {
    const Value& v = *values_[i];
    return Bad(node_, "input " + std::to_string(i) + " ('" + v.name + "') is " + std::string(DTypeName(v.dtype)) +
                          ", expected " + std::string(expected));
  }

  const Node& node_;
  std::vector<const Value*> values_;
};

// Fills `out` (one entry per node output, each arriving as f32 with an empty
// shape) or returns the node's error.
using InferRule = Status (*)(const Node& node, const Inputs& in, std::vector<ValueType>* out);

// Bias of a Conv/QLinearConv/EpDynamicQuantMatMul: absent, or 1-D of n.
Status CheckBiasShape(const Node& node, const Value* bias, int64_t n) {
  if (bias != nullptr && bias->shape != Shape{n}) {
    return Bad(node, "bias shape " + ShapeToString(bias->shape) + ", expected [" + std::to_string(n) + "]");
  }
  return Status::OK();
}

// ---- Elementwise

// Relu, Identity, Dropout: f32 in, same shape out (Dropout's optional mask
// output keeps the default type).
Status InferUnaryF32(const Node&, const Inputs& in, std::vector<ValueType>* out) {
  RETURN_NOT_OK(in.DTypeIs(0, DType::kF32));
  (*out)[0].shape = in[0]->shape;
  return Status::OK();
}

Status InferSoftmax(const Node& node, const Inputs& in, std::vector<ValueType>* out) {
  RETURN_NOT_OK(InferUnaryF32(node, in, out));
  ASSIGN_OR_RETURN(int64_t axis, node.attrs.GetInt("axis", -1));
  return NormalizeAxis(node, axis, (*out)[0].shape.size()).status();
}

Status InferClip(const Node& node, const Inputs& in, std::vector<ValueType>* out) {
  RETURN_NOT_OK(InferUnaryF32(node, in, out));
  for (size_t i = 1; i < in.size(); ++i) {
    if (in[i] != nullptr && NumElements(in[i]->shape) != 1) return Bad(node, "min/max must be scalars");
    RETURN_NOT_OK(in.DTypeIs(i, DType::kF32));
  }
  return Status::OK();
}

// Add, Mul, Sub, Div: f32 with numpy broadcasting.
Status InferBinaryBroadcast(const Node& node, const Inputs& in, std::vector<ValueType>* out) {
  RETURN_NOT_OK(in.DTypeIs(0, DType::kF32));
  RETURN_NOT_OK(in.DTypeIs(1, DType::kF32));
  ASSIGN_OR_RETURN((*out)[0].shape, BroadcastShapes(node, in[0]->shape, in[1]->shape));
  return Status::OK();
}

// ---- Matrix products

Status InferGemm(const Node& node, const Inputs& in, std::vector<ValueType>* out) {
  ValueType& y = (*out)[0];
  RETURN_NOT_OK(in.AllDTypesAre(DType::kF32));
  ASSIGN_OR_RETURN(GemmParams p, GetGemmParams(node, in[0]->shape, in[1]->shape));
  y.shape = {p.m, p.n};
  if (const Value* c = in.Optional(2); c != nullptr) {
    ASSIGN_OR_RETURN(Shape bc, BroadcastShapes(node, y.shape, c->shape));
    if (bc != y.shape) return Bad(node, "C " + ShapeToString(c->shape) + " does not broadcast to " + ShapeToString(y.shape));
  }
  return Status::OK();
}

Status InferMatMul(const Node& node, const Inputs& in, std::vector<ValueType>* out) {
  RETURN_NOT_OK(in.DTypeIs(0, DType::kF32));
  RETURN_NOT_OK(in.DTypeIs(1, DType::kF32));
  ASSIGN_OR_RETURN((*out)[0].shape, MatMulShape(node, in[0]->shape, in[1]->shape));
  return Status::OK();
}

// a, b 8-bit (zero points not checked): s32 out.
Status InferMatMulInteger(const Node& node, const Inputs& in, std::vector<ValueType>* out) {
  ValueType& y = (*out)[0];
  RETURN_NOT_OK(in.DTypeIs8Bit(0));
  RETURN_NOT_OK(in.DTypeIs8Bit(1));
  ASSIGN_OR_RETURN(y.shape, MatMulShape(node, in[0]->shape, in[1]->shape));
  y.dtype = DType::kS32;
  return Status::OK();
}

// a, a_scale, a_zp, b, b_scale, b_zp, y_scale, y_zp: out has y_zp's type.
Status InferQLinearMatMul(const Node& node, const Inputs& in, std::vector<ValueType>* out) {
  ValueType& y = (*out)[0];
  RETURN_NOT_OK(in.DTypeIs8Bit(0));
  RETURN_NOT_OK(in.DTypeIs8Bit(3));
  ASSIGN_OR_RETURN(y.shape, MatMulShape(node, in[0]->shape, in[3]->shape));
  RETURN_NOT_OK(in.DTypeIs8Bit(7));
  y.dtype = in[7]->dtype;
  return Status::OK();
}

// x f32 [..., K], w s8 [K, N], w_scale f32 [N], bias f32 [N] (optional).
Status InferDynamicQuantMatMul(const Node& node, const Inputs& in, std::vector<ValueType>* out) {
  RETURN_NOT_OK(in.DTypeIs(0, DType::kF32));
  RETURN_NOT_OK(in.DTypeIs(1, DType::kS8));
  RETURN_NOT_OK(in.DTypeIs(2, DType::kF32));
  if (in.size() > 3) RETURN_NOT_OK(in.DTypeIs(3, DType::kF32));
  if (in[1]->shape.size() != 2) return Bad(node, "weights must be 2-D [K,N], got " + ShapeToString(in[1]->shape));
  const int64_t n = in[1]->shape[1];
  if (in[2]->shape != Shape{n}) return Bad(node, "w_scale shape " + ShapeToString(in[2]->shape) + ", expected [" + std::to_string(n) + "]");
  RETURN_NOT_OK(CheckBiasShape(node, in.Optional(3), n));
  ASSIGN_OR_RETURN((*out)[0].shape, MatMulShape(node, in[0]->shape, in[1]->shape));
  return Status::OK();
}

// ---- Convolution and pooling

Status InferConv(const Node& node, const Inputs& in, std::vector<ValueType>* out) {
  RETURN_NOT_OK(in.AllDTypesAre(DType::kF32));
  ASSIGN_OR_RETURN(ConvParams p, GetConvParams(node, in[0]->shape, in[1]->shape));
  (*out)[0].shape = {p.n, p.m, p.oh, p.ow};
  return CheckBiasShape(node, in.Optional(2), p.m);
}

// x, w 8-bit (zero points not checked): s32 out.
Status InferConvInteger(const Node& node, const Inputs& in, std::vector<ValueType>* out) {
  ValueType& y = (*out)[0];
  RETURN_NOT_OK(in.DTypeIs8Bit(0));
  RETURN_NOT_OK(in.DTypeIs8Bit(1));
  ASSIGN_OR_RETURN(ConvParams p, GetConvParams(node, in[0]->shape, in[1]->shape));
  y.shape = {p.n, p.m, p.oh, p.ow};
  y.dtype = DType::kS32;
  return Status::OK();
}

// x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp, bias: out has y_zp's type.
Status InferQLinearConv(const Node& node, const Inputs& in, std::vector<ValueType>* out) {
  ValueType& y = (*out)[0];
  RETURN_NOT_OK(in.DTypeIs8Bit(0));
  RETURN_NOT_OK(in.DTypeIs8Bit(3));
  ASSIGN_OR_RETURN(ConvParams p, GetConvParams(node, in[0]->shape, in[3]->shape));
  y.shape = {p.n, p.m, p.oh, p.ow};
  RETURN_NOT_OK(CheckBiasShape(node, in.Optional(8), p.m));
  RETURN_NOT_OK(in.DTypeIs8Bit(7));
  y.dtype = in[7]->dtype;
  return Status::OK();
}

// GlobalAveragePool, AveragePool, MaxPool: f32 NCHW.
Status InferPool(const Node& node, const Inputs& in, std::vector<ValueType>* out) {
  RETURN_NOT_OK(in.DTypeIs(0, DType::kF32));
  ASSIGN_OR_RETURN(PoolParams p, GetPoolParams(node, in[0]->shape));
  (*out)[0].shape = {p.n, p.c, p.oh, p.ow};
  return Status::OK();
}

Status InferBatchNormalization(const Node& node, const Inputs& in, std::vector<ValueType>* out) {
  RETURN_NOT_OK(in.AllDTypesAre(DType::kF32));
  ASSIGN_OR_RETURN(int64_t training, node.attrs.GetInt("training_mode", 0));
  if (training != 0) return Status::NotSupported(NodeContext(node) + "training_mode=1 is not supported");
  const Shape& x = in[0]->shape;
  if (x.size() < 2) return Bad(node, "input rank must be >= 2, got " + ShapeToString(x));
  for (size_t i = 1; i < 5; ++i) {
    if (in[i]->shape != Shape{x[1]}) {
      return Bad(node, "parameter " + std::to_string(i) + " shape " + ShapeToString(in[i]->shape) +
                           ", expected [" + std::to_string(x[1]) + "]");
    }
  }
  (*out)[0].shape = x;
  return Status::OK();
}

// ---- Shape manipulation (any dtype)

Status InferFlatten(const Node& node, const Inputs& in, std::vector<ValueType>* out) {
  ValueType& y = (*out)[0];
  const Shape& x = in[0]->shape;
  ASSIGN_OR_RETURN(int64_t axis, node.attrs.GetInt("axis", 1));
  ASSIGN_OR_RETURN(axis, NormalizeAxis(node, axis, x.size(), true));
  const Shape lead(x.begin(), x.begin() + axis), tail(x.begin() + axis, x.end());
  y.dtype = in[0]->dtype;
  y.shape = {NumElements(lead), NumElements(tail)};
  return Status::OK();
}

Status InferReshape(const Node& node, const Inputs& in, std::vector<ValueType>* out) {
  ValueType& y = (*out)[0];
  if (in[1]->constant == nullptr || in[1]->dtype != DType::kS64 || in[1]->shape.size() != 1) {
    return Status::NotSupported(NodeContext(node) + "the shape input must be a 1-D int64 constant");
  }
  ASSIGN_OR_RETURN(int64_t allow_zero, node.attrs.GetInt("allowzero", 0));
  const Shape& x = in[0]->shape;
  const int64_t* spec = in[1]->constant->data_as<int64_t>();
  const int64_t rank = in[1]->constant->num_elements();
  y.dtype = in[0]->dtype;
  y.shape.assign(spec, spec + rank);
  int infer_at = -1;
  int64_t known = 1;
  bool unknown_part = false;
  for (int64_t i = 0; i < rank; ++i) {
    int64_t& d = y.shape[i];
    if (d == 0 && allow_zero == 0) {
      if (i >= static_cast<int64_t>(x.size())) return Bad(node, "shape entry 0 at " + std::to_string(i) + " has no input dim to copy");
      d = x[i];
    }
    if (d == -1 && spec[i] == -1) {
      if (infer_at >= 0) return Bad(node, "more than one -1 in the shape");
      infer_at = static_cast<int>(i);
      continue;
    }
    if (d < -1) return Bad(node, "negative shape entry " + std::to_string(d));
    if (d == -1) {
      unknown_part = true;
      continue;
    }
    if (d != 0 && known > (int64_t{1} << 48) / d) return Bad(node, "shape product overflows");
    known *= d;
  }
  const int64_t total = NumElements(x);
  if (total >= 0) {
    if (infer_at >= 0) {
      if (known == 0 || total % known != 0) {
        return Bad(node, "cannot reshape " + ShapeToString(x) + " to " + ShapeToString(y.shape));
      }
      y.shape[infer_at] = total / known;
    } else if (known != total) {
      return Bad(node, "cannot reshape " + ShapeToString(x) + " (" + std::to_string(total) + " elements) to " +
                           ShapeToString(y.shape));
    }
  } else if (infer_at >= 0 && !unknown_part) {
    // Dynamic input: the -1 stays unknown until run time.
    y.shape[infer_at] = -1;
  }
  return Status::OK();
}

Status InferConcat(const Node& node, const Inputs& in, std::vector<ValueType>* out) {
  ValueType& y = (*out)[0];
  ASSIGN_OR_RETURN(int64_t axis, node.attrs.GetInt("axis", 0));
  if (in[0] == nullptr) return Bad(node, "input 0 is missing");
  ASSIGN_OR_RETURN(axis, NormalizeAxis(node, axis, in[0]->shape.size()));
  y.dtype = in[0]->dtype;
  y.shape = in[0]->shape;
  for (size_t i = 1; i < in.size(); ++i) {
    if (in[i] == nullptr) return Bad(node, "input " + std::to_string(i) + " is missing");
    RETURN_NOT_OK(in.DTypeIs(i, y.dtype));
    const Shape& s = in[i]->shape;
    if (s.size() != y.shape.size()) return Bad(node, "inputs differ in rank");
    for (size_t d = 0; d < s.size(); ++d) {
      if (static_cast<int64_t>(d) == axis) {
        y.shape[d] = (y.shape[d] < 0 || s[d] < 0) ? -1 : y.shape[d] + s[d];
        if (y.shape[d] > (int64_t{1} << 48)) return Bad(node, "concatenated dim overflows");
      } else if (s[d] >= 0 && y.shape[d] >= 0 && s[d] != y.shape[d]) {
        return Bad(node, "input " + std::to_string(i) + " shape " + ShapeToString(s) +
                             " does not match " + ShapeToString(in[0]->shape) + " off axis " + std::to_string(axis));
      }
    }
  }
  return Status::OK();
}

// ---- Quantization and casts

// The scale (input 1) and optional zero point (input 2) of QuantizeLinear and
// DequantizeLinear: f32 scalar or per-axis scale, zero point shaped like it.
Status CheckQuantParams(const Node& node, const Inputs& in) {
  RETURN_NOT_OK(in.DTypeIs(1, DType::kF32));
  ASSIGN_OR_RETURN(int64_t axis, node.attrs.GetInt("axis", 1));
  const int64_t scale_count = NumElements(in[1]->shape);
  if (in[1]->shape.size() > 1) return Bad(node, "scale must be a scalar or 1-D");
  if (in[1]->shape.size() == 1 && scale_count != 1) {
    ASSIGN_OR_RETURN(axis, NormalizeAxis(node, axis, in[0]->shape.size()));
    if (in[0]->shape[axis] >= 0 && in[0]->shape[axis] != scale_count) {
      return Bad(node, "per-axis scale has " + std::to_string(scale_count) + " entries, axis " +
                           std::to_string(axis) + " has " + std::to_string(in[0]->shape[axis]));
    }
  }
  if (const Value* zp = in.Optional(2); zp != nullptr && zp->shape != in[1]->shape) {
    return Bad(node, "zero point shape differs from scale shape");
  }
  return Status::OK();
}

// f32 in; out has the zero point's type (u8 without one).
Status InferQuantizeLinear(const Node& node, const Inputs& in, std::vector<ValueType>* out) {
  ValueType& y = (*out)[0];
  RETURN_NOT_OK(in.DTypeIs(0, DType::kF32));
  RETURN_NOT_OK(CheckQuantParams(node, in));
  const Value* zp = in.Optional(2);
  y.shape = in[0]->shape;
  y.dtype = zp != nullptr ? zp->dtype : DType::kU8;
  if (y.dtype != DType::kU8 && y.dtype != DType::kS8) return Bad(node, "zero point must be u8 or s8");
  return Status::OK();
}

// u8, s8 or s32 in (zero point of the same type); f32 out.
Status InferDequantizeLinear(const Node& node, const Inputs& in, std::vector<ValueType>* out) {
  if (in[0]->dtype != DType::kS8 && in[0]->dtype != DType::kU8 && in[0]->dtype != DType::kS32) {
    return Bad(node, "input is " + std::string(DTypeName(in[0]->dtype)) + ", expected u8, s8 or s32");
  }
  RETURN_NOT_OK(CheckQuantParams(node, in));
  if (const Value* zp = in.Optional(2); zp != nullptr && zp->dtype != in[0]->dtype) {
    return Bad(node, "zero point type differs from input type");
  }
  (*out)[0].shape = in[0]->shape;
  return Status::OK();
}

// y u8 shaped like x, then optional scalar outputs y_scale f32, y_zero_point u8.
Status InferDynamicQuantizeLinear(const Node&, const Inputs& in, std::vector<ValueType>* out) {
  RETURN_NOT_OK(in.DTypeIs(0, DType::kF32));
  (*out)[0] = {DType::kU8, in[0]->shape};
  if (out->size() > 1) (*out)[1] = {DType::kF32, {}};
  if (out->size() > 2) (*out)[2] = {DType::kU8, {}};
  return Status::OK();
}

Status InferCast(const Node& node, const Inputs& in, std::vector<ValueType>* out) {
  ValueType& y = (*out)[0];
  ASSIGN_OR_RETURN(int64_t to, node.attrs.GetInt("to", 0));
  ASSIGN_OR_RETURN(y.dtype, DTypeFromOnnx(node, to));
  y.shape = in[0]->shape;
  return Status::OK();
}

// One row per op shape inference supports: the number of inputs it accepts
// (the first min_in required), its outputs [1, max_out], and its rule.
struct OpRule {
  std::string_view op;
  size_t min_in, max_in, max_out;
  InferRule infer;
};

// Sorted by op (checked below) for binary search.
constexpr auto kRules = std::to_array<OpRule>({
    {"Add", 2, 2, 1, InferBinaryBroadcast},
    {"AveragePool", 1, 1, 1, InferPool},
    {"BatchNormalization", 5, 5, 1, InferBatchNormalization},
    {"Cast", 1, 1, 1, InferCast},
    {"Clip", 1, 3, 1, InferClip},
    {"Concat", 1, 1 << 16, 1, InferConcat},
    {"Conv", 2, 3, 1, InferConv},
    {"ConvInteger", 2, 4, 1, InferConvInteger},
    {"DequantizeLinear", 2, 3, 1, InferDequantizeLinear},
    {"Div", 2, 2, 1, InferBinaryBroadcast},
    {"Dropout", 1, 3, 2, InferUnaryF32},
    {"DynamicQuantizeLinear", 1, 1, 3, InferDynamicQuantizeLinear},
    {kOpDynamicQuantMatMul, 3, 4, 1, InferDynamicQuantMatMul},
    {"Flatten", 1, 1, 1, InferFlatten},
    {"Gemm", 2, 3, 1, InferGemm},
    {"GlobalAveragePool", 1, 1, 1, InferPool},
    {"Identity", 1, 1, 1, InferUnaryF32},
    {"MatMul", 2, 2, 1, InferMatMul},
    {"MatMulInteger", 2, 4, 1, InferMatMulInteger},
    {"MaxPool", 1, 1, 1, InferPool},
    {"Mul", 2, 2, 1, InferBinaryBroadcast},
    {"QLinearConv", 8, 9, 1, InferQLinearConv},
    {"QLinearMatMul", 8, 8, 1, InferQLinearMatMul},
    {"QuantizeLinear", 2, 3, 1, InferQuantizeLinear},
    {"Relu", 1, 1, 1, InferUnaryF32},
    {"Reshape", 2, 2, 1, InferReshape},
    {"Softmax", 1, 1, 1, InferSoftmax},
    {"Sub", 2, 2, 1, InferBinaryBroadcast},
});
static_assert(std::ranges::adjacent_find(kRules, std::ranges::greater_equal{}, &OpRule::op) == kRules.end(),
              "kRules must be sorted by op, without duplicates");

const OpRule* FindRule(std::string_view op) {
  const auto it = std::ranges::lower_bound(kRules, op, {}, &OpRule::op);
  return it != kRules.end() && it->op == op ? &*it : nullptr;
}

}  // namespace

bool IsKnownOp(std::string_view op) {
  // The importer folds Constant nodes into initializers, so they never reach
  // shape inference and have no rule.
  return op == "Constant" || FindRule(op) != nullptr;
}

Result<std::vector<ValueType>> InferNodeTypes(const Graph& graph, const Node& node) {
  const OpRule* rule = FindRule(node.op);
  if (rule == nullptr) return Status::NotSupported(NodeContext(node) + "unsupported op '" + node.op + "'");
  if (node.inputs.size() < rule->min_in || node.inputs.size() > rule->max_in) {
    return Bad(node, std::to_string(node.inputs.size()) + " inputs, expected " + std::to_string(rule->min_in) +
                         (rule->min_in == rule->max_in ? "" : "-" + std::to_string(rule->max_in)));
  }
  if (node.outputs.empty() || node.outputs.size() > rule->max_out || node.outputs[0] == kNoValue) {
    return Bad(node, std::to_string(node.outputs.size()) + " outputs, expected 1" +
                         (rule->max_out > 1 ? "-" + std::to_string(rule->max_out) : ""));
  }
  for (size_t i = 0; i < rule->min_in; ++i) {
    if (node.inputs[i] == kNoValue) return Bad(node, "required input " + std::to_string(i) + " is missing");
  }
  std::vector<const Value*> in(node.inputs.size(), nullptr);
  for (size_t i = 0; i < node.inputs.size(); ++i) {
    const ValueId id = node.inputs[i];
    if (id == kNoValue) continue;
    if (id < 0 || static_cast<size_t>(id) >= graph.values.size()) return Bad(node, "input id out of range");
    in[i] = &graph.values[id];
    if (!in[i]->shape_known) {
      return Bad(node, "shape of input '" + in[i]->name + "' is unknown (declare it in the model)");
    }
  }
  std::vector<ValueType> out(node.outputs.size());
  RETURN_NOT_OK(rule->infer(node, Inputs(node, std::move(in)), &out));
  return out;
}

Status InferShapes(Graph* graph) {
  for (const Node& node : graph->nodes) {
    ASSIGN_OR_RETURN(std::vector<ValueType> types, InferNodeTypes(*graph, node));
    for (size_t i = 0; i < node.outputs.size(); ++i) {
      if (node.outputs[i] == kNoValue) continue;
      Value& v = graph->values[node.outputs[i]];
      v.dtype = types[i].dtype;
      v.shape = types[i].shape;
      v.shape_known = true;
    }
  }
  return Status::OK();
}

}  // namespace edgepipe::nn
