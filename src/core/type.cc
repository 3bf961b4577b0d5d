#include "edgepipe/core/type.h"

#include <string>

namespace edgepipe {

std::string_view TypeName(Type type) {
  switch (type) {
    case Type::kBool: return "bool";
    case Type::kInt32: return "int32";
    case Type::kInt64: return "int64";
    case Type::kFloat32: return "float32";
    case Type::kFloat64: return "float64";
    case Type::kString: return "string";
    case Type::kTimestamp: return "timestamp[ns, UTC]";
  }
  return "?";
}

Result<Type> ParseType(std::string_view name) {
  struct Alias {
    std::string_view name;
    Type type;
  };
  static constexpr Alias kAliases[] = {
      {"bool", Type::kBool},          {"boolean", Type::kBool},
      {"int32", Type::kInt32},        {"i32", Type::kInt32},
      {"int64", Type::kInt64},        {"i64", Type::kInt64},
      {"float32", Type::kFloat32},    {"f32", Type::kFloat32},
      {"float", Type::kFloat32},      {"float64", Type::kFloat64},
      {"f64", Type::kFloat64},        {"double", Type::kFloat64},
      {"string", Type::kString},      {"str", Type::kString},
      {"utf8", Type::kString},        {"timestamp", Type::kTimestamp},
      {"timestamp[ns, UTC]", Type::kTimestamp}, {"timestamp_ns", Type::kTimestamp},
  };
  for (const auto& alias : kAliases) {
    if (alias.name == name) return alias.type;
  }
  return Status::InvalidArgument("unknown type '" + std::string(name) +
                                 "'; expected bool, int32, int64, float32, float64, string or timestamp");
}

int TypeByteWidth(Type type) {
  switch (type) {
    case Type::kInt32:
    case Type::kFloat32: return 4;
    case Type::kInt64:
    case Type::kFloat64:
    case Type::kTimestamp: return 8;
    case Type::kBool:
    case Type::kString: return 0;
  }
  return 0;
}

int Schema::FieldIndex(std::string_view name) const {
  for (size_t i = 0; i < fields_.size(); ++i) {
    if (fields_[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

Result<int> Schema::GetFieldIndex(std::string_view name) const {
  int idx = FieldIndex(name);
  if (idx >= 0) return idx;
  std::string msg = "no column '" + std::string(name) + "'; columns are: ";
  for (size_t i = 0; i < fields_.size(); ++i) {
    if (i > 0) msg += ", ";
    msg += fields_[i].name;
  }
  return Status::NotFound(std::move(msg));
}

std::string Schema::ToString() const {
  std::string out;
  for (const auto& f : fields_) {
    out += f.name;
    out += ": ";
    out += TypeName(f.type);
    if (!f.nullable) out += " not null";
    out += "\n";
  }
  return out;
}

}  // namespace edgepipe
