// Graph -> ONNX ModelProto.

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <exception>
#include <functional>
#include <string_view>
#include <unordered_map>

#include "edgepipe/core/atomic_file.h"
#include "edgepipe/nn/onnx.h"
#include "edgepipe/nn/quantize_dynamic.h"
#include "nn/op_params.h"

namespace edgepipe::nn {
namespace {

int ToOnnxType(DType dtype) {
  switch (dtype) {
    case DType::kF32: return onnx::TensorProto_DataType_FLOAT;
    case DType::kU8: return onnx::TensorProto_DataType_UINT8;
    case DType::kS8: return onnx::TensorProto_DataType_INT8;
    case DType::kS32: return onnx::TensorProto_DataType_INT32;
    case DType::kS64: return onnx::TensorProto_DataType_INT64;
  }
  return onnx::TensorProto_DataType_UNDEFINED;
}

void ToTensorProto(const Tensor& t, const std::string& name, onnx::TensorProto* tp) {
  tp->set_name(name);
  tp->set_data_type(ToOnnxType(t.dtype()));
  for (int64_t d : t.shape()) tp->add_dims(d);
  tp->set_raw_data(t.data(), t.nbytes());
}

void ToValueInfo(const Value& v, onnx::ValueInfoProto* vi) {
  vi->set_name(v.name);
  auto* tt = vi->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(ToOnnxType(v.dtype));
  if (!v.shape_known) return;
  auto* shape = tt->mutable_shape();
  for (size_t i = 0; i < v.shape.size(); ++i) {
    auto* dim = shape->add_dim();
    if (v.shape[i] >= 0) {
      dim->set_dim_value(v.shape[i]);
    } else {
      dim->set_dim_param(i == 0 ? "batch" : "d" + std::to_string(i));
    }
  }
}

void ToAttributeProto(const std::string& name, const Attribute& a, onnx::AttributeProto* ap) {
  ap->set_name(name);
  switch (a.kind) {
    case Attribute::Kind::kInt:
      ap->set_type(onnx::AttributeProto_AttributeType_INT);
      ap->set_i(a.i);
      break;
    case Attribute::Kind::kFloat:
      ap->set_type(onnx::AttributeProto_AttributeType_FLOAT);
      ap->set_f(a.f);
      break;
    case Attribute::Kind::kString:
      ap->set_type(onnx::AttributeProto_AttributeType_STRING);
      ap->set_s(a.s);
      break;
    case Attribute::Kind::kInts:
      ap->set_type(onnx::AttributeProto_AttributeType_INTS);
      for (int64_t v : a.ints) ap->add_ints(v);
      break;
    case Attribute::Kind::kFloats:
      ap->set_type(onnx::AttributeProto_AttributeType_FLOATS);
      for (float v : a.floats) ap->add_floats(v);
      break;
    case Attribute::Kind::kTensor:
      ap->set_type(onnx::AttributeProto_AttributeType_TENSOR);
      ToTensorProto(a.t, "", ap->mutable_t());
      break;
  }
}


// Writes initializers, each distinct tensor once: identical constants share
// one initializer (ONNX names a tensor, not a use). Other quantizers write
// a zero point or scale scalar per node, and every unfused Clip needs the
// same two bounds. Keeps its own copy of each tensor it may share.
class InitializerWriter {
 public:
  explicit InitializerWriter(onnx::GraphProto* g) : g_(g) {}

  // The name of a written initializer equal to `t`, or "".
  std::string Find(const Tensor& t) const {
    auto [lo, hi] = written_.equal_range(Hash(t));
    for (auto it = lo; it != hi; ++it) {
      const Tensor& w = it->second.tensor;
      if (w.dtype() == t.dtype() && w.shape() == t.shape() &&
          (t.nbytes() == 0 || std::memcmp(w.data(), t.data(), t.nbytes()) == 0)) {
        return it->second.name;
      }
    }
    return "";
  }

  // Writes `t` as `name` unless `share` and an equal one exists; returns
  // the initializer's name.
  std::string Write(const Tensor& t, const std::string& name, bool share) {
    if (share) {
      std::string existing = Find(t);
      if (!existing.empty()) return existing;
    }
    ToTensorProto(t, name, g_->add_initializer());
    written_.emplace(Hash(t), Entry{t, name});  // shares the buffer, no copy
    return name;
  }

 private:
  struct Entry {
    Tensor tensor;
    std::string name;
  };
  static size_t Hash(const Tensor& t) {
    size_t h = std::hash<std::string_view>()(
        std::string_view(static_cast<const char*>(t.data()), t.data() == nullptr ? 0 : t.nbytes()));
    for (int64_t d : t.shape()) h = h * 31 + static_cast<size_t>(d);
    return h * 31 + static_cast<size_t>(t.dtype());
  }

  onnx::GraphProto* g_;
  std::unordered_multimap<size_t, Entry> written_;
};

Status BuildModel(const Graph& graph, onnx::ModelProto* model) {
  RETURN_NOT_OK(graph.Validate());
  model->set_ir_version(8);
  model->set_producer_name("edgepipe");
  model->set_producer_version("0.1.0");
  auto* opset = model->add_opset_import();
  opset->set_domain("");
  opset->set_version(std::clamp<int64_t>(graph.opset, 13, 17));
  onnx::GraphProto* g = model->mutable_graph();
  g->set_name(graph.name.empty() ? "edgepipe" : graph.name);
  for (ValueId id : graph.inputs) ToValueInfo(graph.values[id], g->add_input());
  for (ValueId id : graph.outputs) ToValueInfo(graph.values[id], g->add_output());
  const std::vector<int> uses = graph.UseCounts();
  std::vector<bool> is_output(graph.values.size(), false);
  for (ValueId id : graph.outputs) is_output[id] = true;
  // `names[v]` is the name node inputs use for value v: another one when
  // its constant is shared.
  std::vector<std::string> names(graph.values.size());
  for (size_t v = 0; v < graph.values.size(); ++v) names[v] = graph.values[v].name;
  InitializerWriter initializers(g);
  for (size_t v = 0; v < graph.values.size(); ++v) {
    if (!graph.values[v].is_constant() || uses[v] == 0) continue;
    // A graph output keeps its own name, so it is always written.
    names[v] = initializers.Write(*graph.values[v].constant, names[v], /*share=*/!is_output[v]);
  }
  // Names for the tensors that fused activations need again.
  std::vector<std::string> extra_names;
  auto unique = [&](const std::string& prefix) {
    std::string name = prefix;
    for (int i = 1;; ++i) {
      bool taken = graph.FindValue(name) != kNoValue ||
                   std::find(extra_names.begin(), extra_names.end(), name) != extra_names.end();
      if (!taken) break;
      name = prefix + "_" + std::to_string(i);
    }
    extra_names.push_back(name);
    return name;
  };
  for (const Node& node : graph.nodes) {
    if (node.op == kOpDynamicQuantMatMul) {
      return Status::NotSupported(NodeContext(node) + "the fused op " + node.op +
                                  " is internal to the executor; export the graph before OptimizeGraph");
    }
    onnx::NodeProto* np = g->add_node();
    np->set_name(node.name);
    np->set_op_type(node.op);
    for (ValueId in : node.inputs) np->add_input(in == kNoValue ? "" : names[in]);
    std::string activation;
    for (const auto& [name, attr] : node.attrs.map()) {
      if (name.rfind("ep_", 0) == 0) continue;
      ToAttributeProto(name, attr, np->add_attribute());
    }
    ASSIGN_OR_RETURN(activation, node.attrs.GetString(kAttrActivation, ""));
    if (activation.empty()) {
      for (ValueId out : node.outputs) np->add_output(out == kNoValue ? "" : names[out]);
      continue;
    }
    // Unfuse: node -> pre-activation tensor -> Relu/Clip -> original output.
    const std::string out_name = names[node.outputs.at(0)];
    const std::string pre = unique(out_name + "_preact");
    np->add_output(pre);
    onnx::NodeProto* act = g->add_node();
    act->set_name(unique(node.name + "_" + activation));
    act->set_op_type(activation);
    act->add_input(pre);
    act->add_output(out_name);
    if (activation == "Clip") {
      ASSIGN_OR_RETURN(float lo, node.attrs.GetFloat(kAttrClipMin, -INFINITY));
      ASSIGN_OR_RETURN(float hi, node.attrs.GetFloat(kAttrClipMax, INFINITY));
      // Shared by every Clip with the same bounds (ReLU6: 0 and 6).
      const float bounds[2] = {lo, hi};
      for (int b = 0; b < 2; ++b) {
        ASSIGN_OR_RETURN(Tensor t, Tensor::FromData(DType::kF32, {}, &bounds[b], 4));
        std::string name = initializers.Find(t);
        if (name.empty()) name = initializers.Write(t, unique(b == 0 ? "clip_min" : "clip_max"), false);
        act->add_input(name);
      }
    } else if (activation != "Relu") {
      return Status::InvalidArgument(NodeContext(node) + "unknown fused activation '" + activation + "'");
    }
  }
  return Status::OK();
}

}  // namespace

Result<std::string> ExportOnnx(const Graph& graph) {
  try {
    onnx::ModelProto model;
    RETURN_NOT_OK(BuildModel(graph, &model));
    if (model.ByteSizeLong() > static_cast<size_t>(INT32_MAX)) {
      return Status::NotSupported("model exceeds protobuf's 2 GiB limit");
    }
    std::string bytes;
    if (!model.SerializeToString(&bytes)) return Status::Internal("protobuf failed to serialize the model");
    return bytes;
  } catch (const std::exception& e) {
    return Status::Internal(std::string("ONNX export: protobuf failed: ") + e.what());
  }
}

Status ExportOnnxFile(const Graph& graph, const std::string& path) {
  ASSIGN_OR_RETURN(std::string bytes, ExportOnnx(graph));
  ASSIGN_OR_RETURN(std::unique_ptr<AtomicFile> file, AtomicFile::Open(path));
  RETURN_NOT_OK(file->Write(bytes));
  return file->Commit();
}

}  // namespace edgepipe::nn
