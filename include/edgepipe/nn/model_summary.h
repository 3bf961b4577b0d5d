#pragma once
// What a model holds, for people and tools (`edgepipe inspect-model`): the
// nodes with the types and shapes of their inputs and outputs, parameter
// bytes per element type, and for every quantized layer how its weights
// and activations are quantized (element type, per-tensor or per-channel,
// the range of the scales and zero points, static or computed at run
// time).
//
// Recognised quantized layers: MatMulInteger / ConvInteger (with the
// weight scale found in the float epilogue Cast -> Mul [-> Mul] [-> Add]
// or DequantizeLinear, as QuantizeDynamic and ONNX Runtime's quantizer
// write it, and the activation from DynamicQuantizeLinear or
// QuantizeLinear), the fused EpDynamicQuantMatMul of an optimized graph,
// QLinearMatMul / QLinearConv, and QDQ weights (DequantizeLinear of a
// constant). The summary is plain data computed once; it does not refer
// back to the graph.

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "edgepipe/nn/graph.h"

namespace edgepipe::nn {

struct TensorInfo {
  std::string name;  // "" for an omitted optional input
  DType dtype = DType::kF32;
  Shape shape;  // -1: known only at run time
  bool shape_known = false;
  bool constant = false;  // an initializer (or folded constant)
};

struct NodeInfo {
  std::string name;
  std::string op;
  std::string fused_activation;  // "Relu" / "Clip" fused by OptimizeGraph, else ""
  std::vector<TensorInfo> inputs;
  std::vector<TensorInfo> outputs;
  size_t parameter_bytes = 0;  // of its constant inputs
  int layer = -1;              // index into ModelSummary::quantized_layers, or -1
};

// Constants of one element type that nodes or graph outputs read.
struct ParameterBytesByType {
  DType dtype = DType::kF32;
  int64_t tensors = 0;
  int64_t elements = 0;
  size_t bytes = 0;
};

// min / max over `count` values of a constant (count 0: none, or unknown
// before run time).
struct ValueRange {
  int64_t count = 0;
  double min = 0;
  double max = 0;
};

enum class QuantGranularity : uint8_t { kPerTensor, kPerChannel };
std::string_view QuantGranularityName(QuantGranularity g);  // "per-tensor", "per-channel"

// How one tensor (a layer's weights, input or output) is quantized.
struct QuantParams {
  bool present = false;  // false: not quantized / not found
  // Weights: the quantized constant. Activations: the float tensor that is
  // quantized (or the integer input when its producer is not recognised).
  std::string tensor;
  Shape shape;               // of `tensor` (empty when not known)
  DType dtype = DType::kU8;  // the integer type (s8 / u8)
  // Scale and zero point computed from each batch at run time
  // (DynamicQuantizeLinear): per tensor, the ranges below stay empty.
  bool dynamic = false;
  QuantGranularity granularity = QuantGranularity::kPerTensor;
  int64_t axis = -1;  // the channel axis when per-channel
  std::string scale;  // tensor name, "" if not found
  ValueRange scales;  // of a constant scale
  std::string zero_point;  // tensor name; "" when omitted (zero)
  ValueRange zero_points;  // of a constant zero point
  ValueRange values;       // weights only: the quantized integers ([-127, 127] for QuantizeDynamic)
};

enum class QuantScheme : uint8_t {
  kDynamic,     // activations quantized at run time (DynamicQuantizeLinear / EpDynamicQuantMatMul)
  kStatic,      // activation scales fixed in the file (QuantizeLinear, QLinear*)
  kWeightOnly,  // QDQ weights dequantized for a float op, activation not quantized here
};
std::string_view QuantSchemeName(QuantScheme s);  // "dynamic", "static", "weight-only"

struct QuantizedLayer {
  std::string name;  // the node holding the weights (MatMulInteger, QLinearConv, ...)
  std::string op;
  QuantScheme scheme = QuantScheme::kDynamic;
  QuantParams weights;
  QuantParams input;
  QuantParams output;  // QLinear* only
  std::string bias;    // constant bias tensor, "" without
  std::vector<int> nodes;  // indices into ModelSummary::nodes making up the layer
};

struct ModelSummary {
  std::string graph_name;
  int64_t opset = 0;
  std::vector<TensorInfo> inputs;
  std::vector<TensorInfo> outputs;
  std::vector<NodeInfo> nodes;  // in graph order
  // Op type, with "+Relu" etc. for a fused activation -> node count.
  std::map<std::string, int> op_counts;
  std::vector<ParameterBytesByType> parameters;  // largest first
  size_t parameter_bytes = 0;                    // sum of `parameters`
  int64_t parameter_tensors = 0;
  std::vector<QuantizedLayer> quantized_layers;
};

// Graph::Validate()'s Corruption for an inconsistent graph. Shapes are
// whatever the graph holds (ImportOnnx infers them).
Result<ModelSummary> SummarizeModel(const Graph& graph);

// Human-readable text: a header line (starting with `title`, e.g. the
// file's path, when given), inputs/outputs, parameter bytes per type, op
// counts, quantized layers, then one block per node. Ends with '\n'.
std::string FormatModelSummary(const ModelSummary& summary, std::string_view title = "");

// One line for a quantization: "s8 per-channel (axis 1): 64 scales in
// [0.00061, 0.00098] ('fc_ws'), zero point 0 (omitted)", or "u8
// per-tensor, dynamic: scale and zero point computed from each batch's
// min/max at run time".
std::string DescribeQuantParams(const QuantParams& q);

}  // namespace edgepipe::nn
