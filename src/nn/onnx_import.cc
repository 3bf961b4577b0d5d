// ONNX ModelProto -> Graph. Every count, size and index read from the file
// is checked before use; protobuf is called only through ParseFromArray and
// its exceptions (if any) are caught here.

#include <onnx/onnx_pb.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>

#include <climits>
#include <cstring>
#include <exception>
#include <fstream>
#include <unordered_map>

#include "edgepipe/nn/onnx.h"
#include "edgepipe/nn/shape_inference.h"
#include "nn/op_params.h"

namespace edgepipe::nn {
namespace {

using google::protobuf::io::CodedInputStream;
using google::protobuf::internal::WireFormatLite;

constexpr int64_t kMinOpset = 13;
constexpr int64_t kMaxOpset = 17;

// Walks the wire format of one message to find where it breaks: protobuf's
// parser only says "failed". Nested messages listed in `nested` (field
// numbers) are walked too, one level, to point inside the graph.
std::string FindWireError(const uint8_t* data, size_t size, size_t base, int depth) {
  CodedInputStream in(data, static_cast<int>(size));
  while (true) {
    const size_t at = base + static_cast<size_t>(in.CurrentPosition());
    const uint32_t tag = in.ReadTag();
    if (tag == 0) {
      if (static_cast<size_t>(in.CurrentPosition()) + base == base + size) return "";
      return "invalid field tag at byte " + std::to_string(at);
    }
    const int field = static_cast<int>(WireFormatLite::GetTagFieldNumber(tag));
    switch (WireFormatLite::GetTagWireType(tag)) {
      case WireFormatLite::WIRETYPE_VARINT: {
        uint64_t v;
        if (!in.ReadVarint64(&v)) return "truncated varint of field " + std::to_string(field) + " at byte " + std::to_string(at);
        break;
      }
      case WireFormatLite::WIRETYPE_FIXED64: {
        uint64_t v;
        if (!in.ReadLittleEndian64(&v)) return "truncated 8-byte field " + std::to_string(field) + " at byte " + std::to_string(at);
        break;
      }
      case WireFormatLite::WIRETYPE_FIXED32: {
        uint32_t v;
        if (!in.ReadLittleEndian32(&v)) return "truncated 4-byte field " + std::to_string(field) + " at byte " + std::to_string(at);
        break;
      }
      case WireFormatLite::WIRETYPE_LENGTH_DELIMITED: {
        uint32_t len;
        if (!in.ReadVarint32(&len)) return "truncated length of field " + std::to_string(field) + " at byte " + std::to_string(at);
        const size_t pos = static_cast<size_t>(in.CurrentPosition());
        if (len > size - pos) {
          return "field " + std::to_string(field) + " at byte " + std::to_string(at) + " claims " + std::to_string(len) +
                 " bytes but only " + std::to_string(size - pos) + " remain (truncated file?)";
        }
        // ModelProto.graph = 7; GraphProto.node = 1, initializer = 5.
        const bool nested = (depth == 0 && field == 7) || (depth == 1 && (field == 1 || field == 5));
        if (nested) {
          std::string inner = FindWireError(data + pos, len, base + pos, depth + 1);
          if (!inner.empty()) return inner;
        }
        in.Skip(static_cast<int>(len));
        break;
      }
      default:
        return "unsupported wire type " + std::to_string(WireFormatLite::GetTagWireType(tag)) + " of field " +
               std::to_string(field) + " at byte " + std::to_string(at);
    }
  }
}

Result<DType> FromOnnxType(int type, const std::string& what) {
  switch (type) {
    case onnx::TensorProto_DataType_FLOAT: return DType::kF32;
    case onnx::TensorProto_DataType_UINT8: return DType::kU8;
    case onnx::TensorProto_DataType_INT8: return DType::kS8;
    case onnx::TensorProto_DataType_INT32: return DType::kS32;
    case onnx::TensorProto_DataType_INT64: return DType::kS64;
    default:
      return Status::NotSupported(what + ": ONNX element type " + std::to_string(type) +
                                  " is not supported (float, uint8, int8, int32, int64 are)");
  }
}

Result<Tensor> FromTensorProto(const onnx::TensorProto& tp, const std::string& what) {
  if (tp.data_location() == onnx::TensorProto_DataLocation_EXTERNAL || tp.external_data_size() > 0) {
    return Status::NotSupported(what + ": external tensor data is not supported (save the model with weights inside)");
  }
  if (tp.has_segment()) return Status::NotSupported(what + ": segmented tensors are not supported");
  ASSIGN_OR_RETURN(DType dtype, FromOnnxType(tp.data_type(), what));
  Shape shape;
  for (int64_t d : tp.dims()) {
    if (d < 0) return Status::Corruption(what + ": negative dimension " + std::to_string(d));
    shape.push_back(d);
  }
  const int64_t n = NumElements(shape);
  if (n < 0) return Status::Corruption(what + ": dimensions " + ShapeToString(shape) + " overflow");
  const size_t elem = DTypeSize(dtype);
  // Bound by the bytes the file actually holds before allocating anything.
  size_t available = 0;
  const char* field = "raw_data";
  if (tp.has_raw_data()) {
    available = tp.raw_data().size() / elem;
  } else if (dtype == DType::kF32) {
    available = static_cast<size_t>(tp.float_data_size());
    field = "float_data";
  } else if (dtype == DType::kS64) {
    available = static_cast<size_t>(tp.int64_data_size());
    field = "int64_data";
  } else {
    available = static_cast<size_t>(tp.int32_data_size());
    field = "int32_data";
  }
  if (tp.has_raw_data() && tp.raw_data().size() != static_cast<uint64_t>(n) * elem) {
    return Status::Corruption(what + ": shape " + ShapeToString(shape) + " of " + std::string(DTypeName(dtype)) +
                              " needs " + std::to_string(static_cast<uint64_t>(n) * elem) + " bytes of raw_data, got " +
                              std::to_string(tp.raw_data().size()));
  }
  if (!tp.has_raw_data() && available != static_cast<uint64_t>(n)) {
    return Status::Corruption(what + ": shape " + ShapeToString(shape) + " needs " + std::to_string(n) + " values, " +
                              field + " has " + std::to_string(available));
  }
  ASSIGN_OR_RETURN(Tensor t, Tensor::Make(dtype, shape));
  if (tp.has_raw_data()) {
    // ONNX raw data is little-endian, as is every target we build for.
    if (n > 0) std::memcpy(t.mutable_data(), tp.raw_data().data(), t.nbytes());
    return t;
  }
  switch (dtype) {
    case DType::kF32:
      for (int64_t i = 0; i < n; ++i) t.mutable_data_as<float>()[i] = tp.float_data(static_cast<int>(i));
      break;
    case DType::kS64:
      for (int64_t i = 0; i < n; ++i) t.mutable_data_as<int64_t>()[i] = tp.int64_data(static_cast<int>(i));
      break;
    case DType::kS32:
      for (int64_t i = 0; i < n; ++i) t.mutable_data_as<int32_t>()[i] = tp.int32_data(static_cast<int>(i));
      break;
    case DType::kU8:
      for (int64_t i = 0; i < n; ++i) t.mutable_data_as<uint8_t>()[i] = static_cast<uint8_t>(tp.int32_data(static_cast<int>(i)));
      break;
    case DType::kS8:
      for (int64_t i = 0; i < n; ++i) t.mutable_data_as<int8_t>()[i] = static_cast<int8_t>(tp.int32_data(static_cast<int>(i)));
      break;
  }
  return t;
}

Result<Attribute> FromAttributeProto(const onnx::AttributeProto& ap, const std::string& what) {
  Attribute a;
  switch (ap.type()) {
    case onnx::AttributeProto_AttributeType_INT:
      a.kind = Attribute::Kind::kInt;
      a.i = ap.i();
      break;
    case onnx::AttributeProto_AttributeType_FLOAT:
      a.kind = Attribute::Kind::kFloat;
      a.f = ap.f();
      break;
    case onnx::AttributeProto_AttributeType_STRING:
      a.kind = Attribute::Kind::kString;
      a.s = ap.s();
      break;
    case onnx::AttributeProto_AttributeType_INTS:
      a.kind = Attribute::Kind::kInts;
      a.ints.assign(ap.ints().begin(), ap.ints().end());
      break;
    case onnx::AttributeProto_AttributeType_FLOATS:
      a.kind = Attribute::Kind::kFloats;
      a.floats.assign(ap.floats().begin(), ap.floats().end());
      break;
    case onnx::AttributeProto_AttributeType_TENSOR: {
      a.kind = Attribute::Kind::kTensor;
      ASSIGN_OR_RETURN(a.t, FromTensorProto(ap.t(), what));
      break;
    }
    default:
      return Status::NotSupported(what + ": attribute type " + std::to_string(static_cast<int>(ap.type())) +
                                  " is not supported");
  }
  return a;
}

// The tensor of a Constant node, from whichever value_* attribute it has.
Result<Tensor> ConstantValue(const Node& node) {
  const Attribute* a = nullptr;
  for (const auto& [name, attr] : node.attrs.map()) {
    if (a != nullptr) return Status::Corruption(NodeContext(node) + "more than one value attribute");
    a = &attr;
    if (name == "value") {
      if (attr.kind != Attribute::Kind::kTensor) return Status::Corruption(NodeContext(node) + "'value' is not a tensor");
    } else if (name == "value_float" && attr.kind == Attribute::Kind::kFloat) {
    } else if (name == "value_floats" && attr.kind == Attribute::Kind::kFloats) {
    } else if (name == "value_int" && attr.kind == Attribute::Kind::kInt) {
    } else if (name == "value_ints" && attr.kind == Attribute::Kind::kInts) {
    } else {
      return Status::NotSupported(NodeContext(node) + "constant attribute '" + name + "' is not supported");
    }
  }
  if (a == nullptr) return Status::Corruption(NodeContext(node) + "Constant without a value");
  switch (a->kind) {
    case Attribute::Kind::kTensor: return a->t;
    case Attribute::Kind::kFloat: return Tensor::FromData(DType::kF32, {}, &a->f, 4);
    case Attribute::Kind::kFloats:
      return Tensor::FromData(DType::kF32, {static_cast<int64_t>(a->floats.size())}, a->floats.data(), a->floats.size() * 4);
    case Attribute::Kind::kInt: return Tensor::FromData(DType::kS64, {}, &a->i, 8);
    case Attribute::Kind::kInts:
      return Tensor::FromData(DType::kS64, {static_cast<int64_t>(a->ints.size())}, a->ints.data(), a->ints.size() * 8);
    default: return Status::Internal("unreachable");
  }
}

class Importer {
 public:
  Result<Graph> Run(const onnx::ModelProto& model) {
    RETURN_NOT_OK(ReadOpset(model));
    if (!model.has_graph()) return Status::Corruption("ONNX model has no graph");
    const onnx::GraphProto& g = model.graph();
    graph_.name = g.name();
    for (int i = 0; i < g.initializer_size(); ++i) {
      const onnx::TensorProto& tp = g.initializer(i);
      const std::string what = "initializer '" + tp.name() + "' (#" + std::to_string(i) + ")";
      if (tp.name().empty()) return Status::Corruption(what + " has no name");
      if (ids_.count(tp.name())) return Status::Corruption(what + ": name defined twice");
      ASSIGN_OR_RETURN(Tensor t, FromTensorProto(tp, what));
      ids_[tp.name()] = graph_.AddConstant(tp.name(), std::move(t));
    }
    if (g.sparse_initializer_size() > 0) return Status::NotSupported("sparse initializers are not supported");
    for (const onnx::ValueInfoProto& vi : g.input()) {
      if (ids_.count(vi.name())) {
        // IR < 4 lists initializers among the inputs too; they stay constants.
        if (graph_.values[ids_[vi.name()]].is_constant()) continue;
        return Status::Corruption("graph input '" + vi.name() + "' declared twice");
      }
      if (vi.name().empty()) return Status::Corruption("graph input without a name");
      ASSIGN_OR_RETURN(ValueId id, AddTypedValue(vi, "graph input"));
      graph_.inputs.push_back(id);
    }
    for (int n = 0; n < g.node_size(); ++n) RETURN_NOT_OK(AddNode(g.node(n), n));
    for (const onnx::ValueInfoProto& vi : g.output()) {
      auto it = ids_.find(vi.name());
      if (it == ids_.end()) return Status::Corruption("graph output '" + vi.name() + "' is not produced by any node");
      graph_.outputs.push_back(it->second);
    }
    if (graph_.outputs.empty()) return Status::Corruption("ONNX graph has no outputs");
    // Nodes may reference names defined later in the file (allowed by ONNX
    // only if the graph is still a DAG): resolve, then sort.
    for (auto& [node_idx, input_idx, name] : pending_) {
      auto it = ids_.find(name);
      if (it == ids_.end()) {
        const Node& node = graph_.nodes[node_idx];
        return Status::Corruption(NodeContext(node) + "input '" + name +
                                  "' is not a graph input, an initializer or a node output");
      }
      graph_.nodes[node_idx].inputs[input_idx] = it->second;
    }
    RETURN_NOT_OK(graph_.SortTopologically());
    RETURN_NOT_OK(InferShapes(&graph_));
    return std::move(graph_);
  }

 private:
  Status ReadOpset(const onnx::ModelProto& model) {
    bool found = false;
    for (const onnx::OperatorSetIdProto& os : model.opset_import()) {
      if (os.domain().empty() || os.domain() == "ai.onnx") {
        found = true;
        graph_.opset = os.version();
      }
    }
    if (!found) return Status::Corruption("ONNX model imports no default-domain opset");
    if (graph_.opset < kMinOpset || graph_.opset > kMaxOpset) {
      return Status::NotSupported("ONNX opset " + std::to_string(graph_.opset) + " is not supported (13-17 are); " +
                                  "re-export the model with opset_version=13..17");
    }
    return Status::OK();
  }

  Result<ValueId> AddTypedValue(const onnx::ValueInfoProto& vi, const std::string& what) {
    const std::string ctx = what + " '" + vi.name() + "'";
    if (!vi.has_type() || !vi.type().has_tensor_type()) return Status::NotSupported(ctx + " is not a tensor");
    const auto& tt = vi.type().tensor_type();
    ASSIGN_OR_RETURN(DType dtype, FromOnnxType(tt.elem_type(), ctx));
    Shape shape;
    if (tt.has_shape()) {
      for (const auto& dim : tt.shape().dim()) {
        if (dim.has_dim_value()) {
          if (dim.dim_value() < 0) return Status::Corruption(ctx + ": negative dimension");
          shape.push_back(dim.dim_value());
        } else {
          shape.push_back(-1);  // dim_param or unknown: bound at run time
        }
      }
    }
    const ValueId id = graph_.AddValue(vi.name(), dtype, std::move(shape), tt.has_shape());
    ids_[vi.name()] = id;
    return id;
  }

  Status AddNode(const onnx::NodeProto& np, int index) {
    Node node;
    node.name = np.name().empty() ? np.op_type() + "_" + std::to_string(index) : np.name();
    node.op = np.op_type();
    if (!np.domain().empty() && np.domain() != "ai.onnx") {
      return Status::NotSupported("node '" + node.name + "': op '" + np.op_type() + "' of domain '" + np.domain() +
                                  "' is not supported (only the default ONNX domain is)");
    }
    if (!IsKnownOp(node.op)) {
      return Status::NotSupported("node '" + node.name + "': unsupported op '" + node.op +
                                  "' (supported ops are listed in docs/nn.md)");
    }
    for (const onnx::AttributeProto& ap : np.attribute()) {
      if (node.attrs.Has(ap.name())) return Status::Corruption(NodeContext(node) + "attribute '" + ap.name() + "' twice");
      ASSIGN_OR_RETURN(Attribute a, FromAttributeProto(ap, NodeContext(node) + "attribute '" + ap.name() + "'"));
      node.attrs.Set(ap.name(), std::move(a));
    }
    if (node.op == "Constant") {
      if (np.output_size() != 1 || np.input_size() != 0) return Status::Corruption(NodeContext(node) + "needs 0 inputs and 1 output");
      const std::string& out = np.output(0);
      if (out.empty() || ids_.count(out)) return Status::Corruption(NodeContext(node) + "output '" + out + "' defined twice or empty");
      ASSIGN_OR_RETURN(Tensor t, ConstantValue(node));
      ids_[out] = graph_.AddConstant(out, std::move(t));
      return Status::OK();
    }
    if (node.op == "Dropout") {
      // Inference: Dropout is the identity; its mask output must be unused.
      if (np.output_size() > 1 && !np.output(1).empty()) {
        return Status::NotSupported(NodeContext(node) + "the mask output of Dropout is not supported");
      }
      node.op = "Identity";
      node.attrs = Attributes();
    }
    const size_t node_idx = graph_.nodes.size();
    for (int i = 0; i < np.input_size(); ++i) {
      const std::string& name = np.input(i);
      if (name.empty()) {
        node.inputs.push_back(kNoValue);
        continue;
      }
      auto it = ids_.find(name);
      if (it != ids_.end()) {
        node.inputs.push_back(it->second);
      } else {
        node.inputs.push_back(kNoValue);
        pending_.push_back({node_idx, node.inputs.size() - 1, name});
      }
    }
    if (node.op == "Identity" && node.inputs.size() > 1) node.inputs.resize(1);
    const int outputs = node.op == "Identity" ? std::min(np.output_size(), 1) : np.output_size();
    for (int i = 0; i < outputs; ++i) {
      const std::string& name = np.output(i);
      if (name.empty()) {
        node.outputs.push_back(kNoValue);
        continue;
      }
      if (ids_.count(name)) {
        return Status::Corruption(NodeContext(node) + "output '" + name + "' is already defined elsewhere");
      }
      const ValueId id = graph_.AddValue(name, DType::kF32, {}, false);
      ids_[name] = id;
      node.outputs.push_back(id);
    }
    graph_.nodes.push_back(std::move(node));
    return Status::OK();
  }

  struct Pending {
    size_t node_idx;
    size_t input_idx;
    std::string name;
  };
  Graph graph_;
  std::unordered_map<std::string, ValueId> ids_;
  std::vector<Pending> pending_;
};

}  // namespace

Result<Graph> ImportOnnx(std::string_view bytes) {
  if (bytes.empty()) return Status::Corruption("ONNX model: empty input (0 bytes)");
  if (bytes.size() > kMaxOnnxBytes) {
    return Status::NotSupported("ONNX model of " + std::to_string(bytes.size()) + " bytes exceeds the 2000 MiB limit");
  }
  try {
    onnx::ModelProto model;
    if (!model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      std::string where = FindWireError(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), 0, 0);
      if (where.empty()) where = "malformed message contents (wrong field types or invalid nesting)";
      return Status::Corruption("not a valid ONNX model (" + std::to_string(bytes.size()) + " bytes): " + where);
    }
    Importer importer;
    return importer.Run(model);
  } catch (const std::exception& e) {
    return Status::Corruption(std::string("ONNX model: protobuf failed: ") + e.what());
  }
}

Result<Graph> ImportOnnxFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return Status::IOError("cannot open '" + path + "': " + std::strerror(errno));
  std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (f.bad()) return Status::IOError("cannot read '" + path + "'");
  Result<Graph> g = ImportOnnx(bytes);
  if (!g.ok()) return g.status().WithContext(path);
  return g;
}

}  // namespace edgepipe::nn
