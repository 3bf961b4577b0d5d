#pragma once
// The graph IR of the inference runtime: values (typed, shaped edges, some
// holding a constant), nodes (an op type, attributes, input and output value
// ids) and the graph's inputs and outputs. Op types and attribute names are
// ONNX's (opset 13-17 semantics); the passes add attributes prefixed
// "ep_" (fused activations) that the ONNX exporter turns back into nodes.
//
// The IR is plain data: passes edit `values` and `nodes` directly and call
// SortTopologically() / InferShapes() afterwards. Not thread-safe.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "edgepipe/core/status.h"
#include "edgepipe/nn/tensor.h"

namespace edgepipe::nn {

using ValueId = int32_t;
// An omitted optional input (ONNX's empty input name).
inline constexpr ValueId kNoValue = -1;

struct Attribute {
  enum class Kind : uint8_t { kInt, kFloat, kString, kInts, kFloats, kTensor };
  Kind kind = Kind::kInt;
  int64_t i = 0;
  float f = 0;
  std::string s;
  std::vector<int64_t> ints;
  std::vector<float> floats;
  Tensor t;
};

// Node attributes by name; getters return the default when absent and
// InvalidArgument when present with another kind.
class Attributes {
 public:
  bool Has(std::string_view name) const { return map_.count(std::string(name)) != 0; }
  const Attribute* Find(std::string_view name) const;
  Result<int64_t> GetInt(std::string_view name, int64_t default_value) const;
  Result<float> GetFloat(std::string_view name, float default_value) const;
  Result<std::string> GetString(std::string_view name, std::string default_value) const;
  Result<std::vector<int64_t>> GetInts(std::string_view name, std::vector<int64_t> default_value) const;

  void SetInt(std::string name, int64_t v);
  void SetFloat(std::string name, float v);
  void SetString(std::string name, std::string v);
  void SetInts(std::string name, std::vector<int64_t> v);
  void Set(std::string name, Attribute a) { map_[std::move(name)] = std::move(a); }
  void Erase(std::string_view name) { map_.erase(std::string(name)); }
  const std::map<std::string, Attribute>& map() const { return map_; }

 private:
  std::map<std::string, Attribute> map_;
};

struct Value {
  std::string name;
  DType dtype = DType::kF32;
  Shape shape;               // -1 for a dimension unknown until run time
  bool shape_known = false;  // rank (and static dims) known
  // Set for initializers and folded constants; shape/dtype then match it.
  std::shared_ptr<const Tensor> constant;
  bool is_constant() const { return constant != nullptr; }
};

struct Node {
  std::string name;
  std::string op;  // ONNX op type: "Conv", "Gemm", "MatMulInteger", ...
  std::vector<ValueId> inputs;   // kNoValue for an omitted optional input
  std::vector<ValueId> outputs;  // kNoValue for an unused optional output
  Attributes attrs;

  // Input `i` or kNoValue when absent.
  ValueId input(size_t i) const { return i < inputs.size() ? inputs[i] : kNoValue; }
};

// Fused activation attributes set by FuseActivations on Conv/Gemm/MatMul:
// ep_activation = "Relu" | "Clip"; for Clip ep_clip_min/ep_clip_max (floats).
inline constexpr std::string_view kAttrActivation = "ep_activation";
inline constexpr std::string_view kAttrClipMin = "ep_clip_min";
inline constexpr std::string_view kAttrClipMax = "ep_clip_max";

struct Graph {
  std::string name;
  int64_t opset = 13;  // ONNX default-domain opset
  std::vector<Value> values;
  std::vector<Node> nodes;
  std::vector<ValueId> inputs;   // runtime inputs (never constants)
  std::vector<ValueId> outputs;

  ValueId AddValue(std::string value_name, DType dtype, Shape shape, bool shape_known = true);
  ValueId AddConstant(std::string value_name, Tensor tensor);
  // A name not used by any value or node, from `prefix`.
  std::string UniqueName(std::string_view prefix) const;
  // kNoValue when absent (linear scan: for tests and tools).
  ValueId FindValue(std::string_view value_name) const;

  // The node producing each value (-1: graph input, constant or unproduced).
  std::vector<int> Producers() const;
  // How many node inputs and graph outputs use each value.
  std::vector<int> UseCounts() const;

  // Orders `nodes` so every node follows the producers of its inputs.
  // Corruption for a cycle, a value with two producers, an input that is
  // neither produced, a constant nor a graph input, or an id out of range.
  Status SortTopologically();
  // Checks ids, single producers and that graph outputs are defined.
  Status Validate() const;
  // Sum of the bytes of all constants (the model's parameters).
  size_t ParameterBytes() const;
};

}  // namespace edgepipe::nn
