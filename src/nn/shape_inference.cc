#include "edgepipe/nn/shape_inference.h"

#include <algorithm>
#include <array>

#include "edgepipe/nn/quantize_dynamic.h"
#include "nn/op_params.h"

namespace edgepipe::nn {
namespace {

constexpr std::array<std::string_view, 29> kKnownOps = {
    "Gemm", "MatMul", "Add", "Mul", "Relu", "Clip", "Conv", "BatchNormalization", "GlobalAveragePool",
    "AveragePool", "MaxPool", "Flatten", "Reshape", "Concat", "Softmax", "Identity",
    "QuantizeLinear", "DequantizeLinear", "DynamicQuantizeLinear", "MatMulInteger", "ConvInteger",
    "QLinearMatMul", "QLinearConv", "Dropout", "Constant", "Sub", "Div", "Cast", kOpDynamicQuantMatMul};

// Inputs [min_in, max_in], outputs [1, max_out] for each op.
struct Arity {
  std::string_view op;
  size_t min_in, max_in, max_out;
};
constexpr std::array<Arity, 28> kArity = {{
    {"Gemm", 2, 3, 1}, {"MatMul", 2, 2, 1}, {"Add", 2, 2, 1}, {"Mul", 2, 2, 1}, {"Sub", 2, 2, 1},
    {"Div", 2, 2, 1}, {"Relu", 1, 1, 1}, {"Clip", 1, 3, 1}, {"Conv", 2, 3, 1},
    {"BatchNormalization", 5, 5, 1}, {"GlobalAveragePool", 1, 1, 1}, {"AveragePool", 1, 1, 1},
    {"MaxPool", 1, 1, 1}, {"Flatten", 1, 1, 1}, {"Reshape", 2, 2, 1}, {"Concat", 1, 1 << 16, 1},
    {"Softmax", 1, 1, 1}, {"Identity", 1, 1, 1}, {"QuantizeLinear", 2, 3, 1}, {"DequantizeLinear", 2, 3, 1},
    {"DynamicQuantizeLinear", 1, 1, 3}, {"MatMulInteger", 2, 4, 1}, {"ConvInteger", 2, 4, 1},
    {"QLinearMatMul", 8, 8, 1}, {"QLinearConv", 8, 9, 1}, {"Dropout", 1, 3, 2},
    {"Cast", 1, 1, 1}, {kOpDynamicQuantMatMul, 3, 4, 1},
}};

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

}  // namespace

bool IsKnownOp(std::string_view op) {
  return std::find(kKnownOps.begin(), kKnownOps.end(), op) != kKnownOps.end();
}

Result<std::vector<ValueType>> InferNodeTypes(const Graph& graph, const Node& node) {
  const Arity* arity = nullptr;
  for (const Arity& a : kArity) {
    if (a.op == node.op) arity = &a;
  }
  if (arity == nullptr) return Status::NotSupported(NodeContext(node) + "unsupported op '" + node.op + "'");
  if (node.inputs.size() < arity->min_in || node.inputs.size() > arity->max_in) {
    return Bad(node, std::to_string(node.inputs.size()) + " inputs, expected " + std::to_string(arity->min_in) +
                         (arity->min_in == arity->max_in ? "" : "-" + std::to_string(arity->max_in)));
  }
  if (node.outputs.empty() || node.outputs.size() > arity->max_out || node.outputs[0] == kNoValue) {
    return Bad(node, std::to_string(node.outputs.size()) + " outputs, expected 1" +
                         (arity->max_out > 1 ? "-" + std::to_string(arity->max_out) : ""));
  }
  for (size_t i = 0; i < arity->min_in; ++i) {
    const bool optional_zero_point = (node.op == "QuantizeLinear" || node.op == "DequantizeLinear") && i == 2;
    if (node.inputs[i] == kNoValue && !optional_zero_point) {
      return Bad(node, "required input " + std::to_string(i) + " is missing");
    }
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
  const auto dtype_is = [&](size_t i, DType want) -> Status {
    if (in[i] != nullptr && in[i]->dtype != want) {
      return Bad(node, "input " + std::to_string(i) + " ('" + in[i]->name + "') is " +
                           std::string(DTypeName(in[i]->dtype)) + ", expected " + std::string(DTypeName(want)));
    }
    return Status::OK();
  };
  const auto dtype_is_8bit = [&](size_t i) -> Status {
    if (in[i] != nullptr && in[i]->dtype != DType::kU8 && in[i]->dtype != DType::kS8) {
      return Bad(node, "input " + std::to_string(i) + " ('" + in[i]->name + "') is " +
                           std::string(DTypeName(in[i]->dtype)) + ", expected u8 or s8");
    }
    return Status::OK();
  };
  const std::string& op = node.op;
  std::vector<ValueType> out(node.outputs.size());
  ValueType& y = out[0];
  y.dtype = DType::kF32;

  if (op == "Relu" || op == "Identity" || op == "Dropout" || op == "Softmax" || op == "Clip") {
    RETURN_NOT_OK(dtype_is(0, DType::kF32));
    y.shape = in[0]->shape;
    if (op == "Softmax") {
      ASSIGN_OR_RETURN(int64_t axis, node.attrs.GetInt("axis", -1));
      RETURN_NOT_OK(NormalizeAxis(node, axis, y.shape.size()).status());
    }
    if (op == "Clip") {
      for (size_t i = 1; i < in.size(); ++i) {
        if (in[i] != nullptr && NumElements(in[i]->shape) != 1) return Bad(node, "min/max must be scalars");
        RETURN_NOT_OK(dtype_is(i, DType::kF32));
      }
    }
  } else if (op == "Add" || op == "Mul" || op == "Sub" || op == "Div") {
    RETURN_NOT_OK(dtype_is(0, DType::kF32));
    RETURN_NOT_OK(dtype_is(1, DType::kF32));
    ASSIGN_OR_RETURN(y.shape, BroadcastShapes(node, in[0]->shape, in[1]->shape));
  } else if (op == "Gemm") {
    for (size_t i = 0; i < in.size(); ++i) RETURN_NOT_OK(dtype_is(i, DType::kF32));
    ASSIGN_OR_RETURN(GemmParams p, GetGemmParams(node, in[0]->shape, in[1]->shape));
    y.shape = {p.m, p.n};
    if (in.size() > 2 && in[2] != nullptr) {
      ASSIGN_OR_RETURN(Shape bc, BroadcastShapes(node, y.shape, in[2]->shape));
      if (bc != y.shape) return Bad(node, "C " + ShapeToString(in[2]->shape) + " does not broadcast to " + ShapeToString(y.shape));
    }
  } else if (op == "MatMul" || op == "MatMulInteger" || op == "QLinearMatMul") {
    const size_t b_idx = op == "QLinearMatMul" ? 3 : 1;
    if (op == "MatMul") {
      RETURN_NOT_OK(dtype_is(0, DType::kF32));
      RETURN_NOT_OK(dtype_is(1, DType::kF32));
    } else {
      RETURN_NOT_OK(dtype_is_8bit(0));
      RETURN_NOT_OK(dtype_is_8bit(b_idx));
    }
    ASSIGN_OR_RETURN(y.shape, MatMulShape(node, in[0]->shape, in[b_idx]->shape));
    if (op == "MatMulInteger") y.dtype = DType::kS32;
    if (op == "QLinearMatMul") {
      RETURN_NOT_OK(dtype_is_8bit(7));
      y.dtype = in[7]->dtype;
    }
  } else if (op == "Conv" || op == "ConvInteger" || op == "QLinearConv") {
    const size_t w_idx = op == "QLinearConv" ? 3 : 1;
    if (op == "Conv") {
      for (size_t i = 0; i < in.size(); ++i) RETURN_NOT_OK(dtype_is(i, DType::kF32));
    } else {
      RETURN_NOT_OK(dtype_is_8bit(0));
      RETURN_NOT_OK(dtype_is_8bit(w_idx));
    }
    ASSIGN_OR_RETURN(ConvParams p, GetConvParams(node, in[0]->shape, in[w_idx]->shape));
    y.shape = {p.n, p.m, p.oh, p.ow};
    const size_t bias_idx = op == "QLinearConv" ? 8 : 2;
    if (op != "ConvInteger" && in.size() > bias_idx && in[bias_idx] != nullptr &&
        in[bias_idx]->shape != Shape{p.m}) {
      return Bad(node, "bias shape " + ShapeToString(in[bias_idx]->shape) + ", expected [" + std::to_string(p.m) + "]");
    }
    if (op == "ConvInteger") y.dtype = DType::kS32;
    if (op == "QLinearConv") {
      RETURN_NOT_OK(dtype_is_8bit(7));
      y.dtype = in[7]->dtype;
    }
  } else if (op == "BatchNormalization") {
    for (size_t i = 0; i < in.size(); ++i) RETURN_NOT_OK(dtype_is(i, DType::kF32));
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
    y.shape = x;
  } else if (op == "GlobalAveragePool" || op == "AveragePool" || op == "MaxPool") {
    RETURN_NOT_OK(dtype_is(0, DType::kF32));
    ASSIGN_OR_RETURN(PoolParams p, GetPoolParams(node, in[0]->shape));
    y.shape = {p.n, p.c, p.oh, p.ow};
  } else if (op == "Flatten") {
    const Shape& x = in[0]->shape;
    ASSIGN_OR_RETURN(int64_t axis, node.attrs.GetInt("axis", 1));
    ASSIGN_OR_RETURN(axis, NormalizeAxis(node, axis, x.size(), true));
    const Shape lead(x.begin(), x.begin() + axis), tail(x.begin() + axis, x.end());
    y.dtype = in[0]->dtype;
    y.shape = {NumElements(lead), NumElements(tail)};
  } else if (op == "Reshape") {
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
  } else if (op == "Concat") {
    ASSIGN_OR_RETURN(int64_t axis, node.attrs.GetInt("axis", 0));
    if (in[0] == nullptr) return Bad(node, "input 0 is missing");
    ASSIGN_OR_RETURN(axis, NormalizeAxis(node, axis, in[0]->shape.size()));
    y.dtype = in[0]->dtype;
    y.shape = in[0]->shape;
    for (size_t i = 1; i < in.size(); ++i) {
      if (in[i] == nullptr) return Bad(node, "input " + std::to_string(i) + " is missing");
      RETURN_NOT_OK(dtype_is(i, y.dtype));
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
  } else if (op == "QuantizeLinear" || op == "DequantizeLinear") {
    const bool quantize = op == "QuantizeLinear";
    if (quantize) {
      RETURN_NOT_OK(dtype_is(0, DType::kF32));
    } else if (in[0]->dtype != DType::kS8 && in[0]->dtype != DType::kU8 && in[0]->dtype != DType::kS32) {
      return Bad(node, "input is " + std::string(DTypeName(in[0]->dtype)) + ", expected u8, s8 or s32");
    }
    RETURN_NOT_OK(dtype_is(1, DType::kF32));
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
    if (in.size() > 2 && in[2] != nullptr) {
      if (in[2]->shape != in[1]->shape) return Bad(node, "zero point shape differs from scale shape");
      if (!quantize && in[2]->dtype != in[0]->dtype) return Bad(node, "zero point type differs from input type");
    }
    y.shape = in[0]->shape;
    y.dtype = quantize ? (in.size() > 2 && in[2] != nullptr ? in[2]->dtype : DType::kU8) : DType::kF32;
    if (quantize && y.dtype != DType::kU8 && y.dtype != DType::kS8) return Bad(node, "zero point must be u8 or s8");
  } else if (op == "DynamicQuantizeLinear") {
    RETURN_NOT_OK(dtype_is(0, DType::kF32));
    y.dtype = DType::kU8;
    y.shape = in[0]->shape;
    if (out.size() > 1) out[1] = {DType::kF32, {}};
    if (out.size() > 2) out[2] = {DType::kU8, {}};
  } else if (op == "Cast") {
    ASSIGN_OR_RETURN(int64_t to, node.attrs.GetInt("to", 0));
    ASSIGN_OR_RETURN(y.dtype, DTypeFromOnnx(node, to));
    y.shape = in[0]->shape;
  } else if (op == kOpDynamicQuantMatMul) {
    // x f32 [..., K], w s8 [K, N], w_scale f32 [N], bias f32 [N] (optional).
    RETURN_NOT_OK(dtype_is(0, DType::kF32));
    RETURN_NOT_OK(dtype_is(1, DType::kS8));
    RETURN_NOT_OK(dtype_is(2, DType::kF32));
    if (in.size() > 3) RETURN_NOT_OK(dtype_is(3, DType::kF32));
    if (in[1]->shape.size() != 2) return Bad(node, "weights must be 2-D [K,N], got " + ShapeToString(in[1]->shape));
    const int64_t n = in[1]->shape[1];
    if (in[2]->shape != Shape{n}) return Bad(node, "w_scale shape " + ShapeToString(in[2]->shape) + ", expected [" + std::to_string(n) + "]");
    if (in.size() > 3 && in[3] != nullptr && in[3]->shape != Shape{n}) {
      return Bad(node, "bias shape " + ShapeToString(in[3]->shape) + ", expected [" + std::to_string(n) + "]");
    }
    ASSIGN_OR_RETURN(y.shape, MatMulShape(node, in[0]->shape, in[1]->shape));
  } else if (op == "ConvInteger" || op == "Constant") {
    return Status::Internal(NodeContext(node) + "unreachable");
  }
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
