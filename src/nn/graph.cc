#include "edgepipe/nn/graph.h"

#include <functional>
#include <queue>
#include <unordered_set>

namespace edgepipe::nn {
namespace {

const char* KindName(Attribute::Kind kind) {
  switch (kind) {
    case Attribute::Kind::kInt: return "int";
    case Attribute::Kind::kFloat: return "float";
    case Attribute::Kind::kString: return "string";
    case Attribute::Kind::kInts: return "ints";
    case Attribute::Kind::kFloats: return "floats";
    case Attribute::Kind::kTensor: return "tensor";
  }
  return "?";
}

Status WrongKind(std::string_view name, const Attribute& a, Attribute::Kind want) {
  return Status::InvalidArgument("attribute '" + std::string(name) + "' is " + KindName(a.kind) +
                                 ", expected " + KindName(want));
}

}  // namespace

const Attribute* Attributes::Find(std::string_view name) const {
  auto it = map_.find(std::string(name));
  return it == map_.end() ? nullptr : &it->second;
}

Result<int64_t> Attributes::GetInt(std::string_view name, int64_t default_value) const {
  const Attribute* a = Find(name);
  if (a == nullptr) return default_value;
  if (a->kind != Attribute::Kind::kInt) return WrongKind(name, *a, Attribute::Kind::kInt);
  return a->i;
}

Result<float> Attributes::GetFloat(std::string_view name, float default_value) const {
  const Attribute* a = Find(name);
  if (a == nullptr) return default_value;
  if (a->kind != Attribute::Kind::kFloat) return WrongKind(name, *a, Attribute::Kind::kFloat);
  return a->f;
}

Result<std::string> Attributes::GetString(std::string_view name, std::string default_value) const {
  const Attribute* a = Find(name);
  if (a == nullptr) return default_value;
  if (a->kind != Attribute::Kind::kString) return WrongKind(name, *a, Attribute::Kind::kString);
  return a->s;
}

Result<std::vector<int64_t>> Attributes::GetInts(std::string_view name,
                                                 std::vector<int64_t> default_value) const {
  const Attribute* a = Find(name);
  if (a == nullptr) return default_value;
  if (a->kind != Attribute::Kind::kInts) return WrongKind(name, *a, Attribute::Kind::kInts);
  return a->ints;
}

void Attributes::SetInt(std::string name, int64_t v) {
  Attribute a;
  a.kind = Attribute::Kind::kInt;
  a.i = v;
  map_[std::move(name)] = std::move(a);
}

void Attributes::SetFloat(std::string name, float v) {
  Attribute a;
  a.kind = Attribute::Kind::kFloat;
  a.f = v;
  map_[std::move(name)] = std::move(a);
}

void Attributes::SetString(std::string name, std::string v) {
  Attribute a;
  a.kind = Attribute::Kind::kString;
  a.s = std::move(v);
  map_[std::move(name)] = std::move(a);
}

void Attributes::SetInts(std::string name, std::vector<int64_t> v) {
  Attribute a;
  a.kind = Attribute::Kind::kInts;
  a.ints = std::move(v);
  map_[std::move(name)] = std::move(a);
}

ValueId Graph::AddValue(std::string value_name, DType dtype, Shape shape, bool shape_known) {
  Value v;
  v.name = std::move(value_name);
  v.dtype = dtype;
  v.shape = std::move(shape);
  v.shape_known = shape_known;
  values.push_back(std::move(v));
  return static_cast<ValueId>(values.size() - 1);
}

ValueId Graph::AddConstant(std::string value_name, Tensor tensor) {
  const ValueId id = AddValue(std::move(value_name), tensor.dtype(), tensor.shape());
  values[id].constant = std::make_shared<const Tensor>(std::move(tensor));
  return id;
}

std::string Graph::UniqueName(std::string_view prefix) const {
  std::unordered_set<std::string> used;
  for (const Value& v : values) used.insert(v.name);
  for (const Node& n : nodes) used.insert(n.name);
  std::string base(prefix);
  if (!used.count(base)) return base;
  for (size_t i = 1;; ++i) {
    std::string candidate = base + "_" + std::to_string(i);
    if (!used.count(candidate)) return candidate;
  }
}

ValueId Graph::FindValue(std::string_view value_name) const {
  for (size_t i = 0; i < values.size(); ++i) {
    if (values[i].name == value_name) return static_cast<ValueId>(i);
  }
  return kNoValue;
}

std::vector<int> Graph::Producers() const {
  std::vector<int> producer(values.size(), -1);
  for (size_t n = 0; n < nodes.size(); ++n) {
    for (ValueId out : nodes[n].outputs) {
      if (out >= 0 && static_cast<size_t>(out) < values.size()) producer[out] = static_cast<int>(n);
    }
  }
  return producer;
}

std::vector<int> Graph::UseCounts() const {
  std::vector<int> uses(values.size(), 0);
  for (const Node& n : nodes) {
    for (ValueId in : n.inputs) {
      if (in >= 0 && static_cast<size_t>(in) < values.size()) ++uses[in];
    }
  }
  for (ValueId out : outputs) {
    if (out >= 0 && static_cast<size_t>(out) < values.size()) ++uses[out];
  }
  return uses;
}

Status Graph::Validate() const {
  const auto in_range = [&](ValueId id) { return id >= 0 && static_cast<size_t>(id) < values.size(); };
  std::vector<int> producer(values.size(), -1);
  for (ValueId id : inputs) {
    if (!in_range(id)) return Status::Corruption("graph input id " + std::to_string(id) + " out of range");
    if (values[id].is_constant()) {
      return Status::Corruption("graph input '" + values[id].name + "' is also a constant");
    }
    producer[id] = -2;
  }
  for (size_t n = 0; n < nodes.size(); ++n) {
    const Node& node = nodes[n];
    for (ValueId in : node.inputs) {
      if (in != kNoValue && !in_range(in)) {
        return Status::Corruption("node '" + node.name + "' (" + node.op + "): input id " +
                                  std::to_string(in) + " out of range");
      }
    }
    for (ValueId out : node.outputs) {
      if (out == kNoValue) continue;
      if (!in_range(out)) {
        return Status::Corruption("node '" + node.name + "' (" + node.op + "): output id " +
                                  std::to_string(out) + " out of range");
      }
      if (producer[out] != -1 || values[out].is_constant()) {
        return Status::Corruption("value '" + values[out].name + "' is defined twice (again by node '" +
                                  node.name + "')");
      }
      producer[out] = static_cast<int>(n);
    }
  }
  for (ValueId out : outputs) {
    if (!in_range(out)) return Status::Corruption("graph output id " + std::to_string(out) + " out of range");
    if (producer[out] == -1 && !values[out].is_constant()) {
      return Status::Corruption("graph output '" + values[out].name + "' is not produced by any node");
    }
  }
  return Status::OK();
}

Status Graph::SortTopologically() {
  RETURN_NOT_OK(Validate());
  const std::vector<int> producer = Producers();
  std::vector<bool> available(values.size(), false);
  for (ValueId id : inputs) available[id] = true;
  for (size_t v = 0; v < values.size(); ++v) {
    if (values[v].is_constant()) available[v] = true;
  }
  // Kahn's algorithm.
  std::vector<int> missing(nodes.size(), 0);
  std::vector<std::vector<int>> waiting(values.size());
  for (size_t n = 0; n < nodes.size(); ++n) {
    for (ValueId in : nodes[n].inputs) {
      if (in == kNoValue || available[in]) continue;
      if (producer[in] < 0) {
        return Status::Corruption("node '" + nodes[n].name + "' (" + nodes[n].op + ") reads '" +
                                  values[in].name +
                                  "', which is not a graph input, an initializer or a node output");
      }
      ++missing[n];
      waiting[in].push_back(static_cast<int>(n));
    }
  }
  std::vector<Node> sorted;
  sorted.reserve(nodes.size());
  // Min-heap of ready node indices: the earliest ready node goes first, so a
  // sorted graph is left unchanged.
  std::priority_queue<int, std::vector<int>, std::greater<int>> ready;
  for (size_t n = 0; n < nodes.size(); ++n) {
    if (missing[n] == 0) ready.push(static_cast<int>(n));
  }
  std::vector<int> order;
  while (!ready.empty()) {
    const int n = ready.top();
    ready.pop();
    order.push_back(n);
    for (ValueId out : nodes[n].outputs) {
      if (out == kNoValue) continue;
      for (int w : waiting[out]) {
        if (--missing[w] == 0) ready.push(w);
      }
      waiting[out].clear();
    }
  }
  if (order.size() != nodes.size()) {
    for (size_t n = 0; n < nodes.size(); ++n) {
      if (missing[n] > 0) {
        return Status::Corruption("graph has a cycle through node '" + nodes[n].name + "' (" +
                                  nodes[n].op + ")");
      }
    }
    return Status::Corruption("graph has a cycle");
  }
  for (int n : order) sorted.push_back(std::move(nodes[n]));
  nodes = std::move(sorted);
  return Status::OK();
}

size_t Graph::ParameterBytes() const {
  size_t bytes = 0;
  for (const Value& v : values) {
    if (v.constant) bytes += v.constant->nbytes();
  }
  return bytes;
}

}  // namespace edgepipe::nn
