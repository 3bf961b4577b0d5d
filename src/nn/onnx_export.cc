// Graph -> ONNX ModelProto.

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <exception>

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

std::string InputName(const Graph& graph, ValueId id) { return id == kNoValue ? "" : graph.values[id].name; }

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
  for (size_t v = 0; v < graph.values.size(); ++v) {
    if (graph.values[v].is_constant() && uses[v] > 0) {
      ToTensorProto(*graph.values[v].constant, graph.values[v].name, g->add_initializer());
    }
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
    for (ValueId in : node.inputs) np->add_input(InputName(graph, in));
    std::string activation;
    for (const auto& [name, attr] : node.attrs.map()) {
      if (name.rfind("ep_", 0) == 0) continue;
      ToAttributeProto(name, attr, np->add_attribute());
    }
    ASSIGN_OR_RETURN(activation, node.attrs.GetString(kAttrActivation, ""));
    if (activation.empty()) {
      for (ValueId out : node.outputs) np->add_output(InputName(graph, out));
      continue;
    }
    // Unfuse: node -> pre-activation tensor -> Relu/Clip -> original output.
    const std::string out_name = InputName(graph, node.outputs.at(0));
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
      const std::string lo_name = unique(node.name + "_clip_min");
      const std::string hi_name = unique(node.name + "_clip_max");
      ASSIGN_OR_RETURN(Tensor lo_t, Tensor::FromData(DType::kF32, {}, &lo, 4));
      ASSIGN_OR_RETURN(Tensor hi_t, Tensor::FromData(DType::kF32, {}, &hi, 4));
      ToTensorProto(lo_t, lo_name, g->add_initializer());
      ToTensorProto(hi_t, hi_name, g->add_initializer());
      act->add_input(lo_name);
      act->add_input(hi_name);
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
