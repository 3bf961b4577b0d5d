#pragma once
// Logical column types. Timestamps are always int64 nanoseconds since the
// Unix epoch, UTC: sensor logs need ns resolution and one unit avoids
// conversions in every kernel.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "edgepipe/core/status.h"

namespace edgepipe {

enum class Type : uint8_t {
  kBool,       // bit-packed values, like the validity bitmap
  kInt32,
  kInt64,
  kFloat32,
  kFloat64,
  kString,     // UTF-8; int32 offsets (length + 1) and a byte buffer
  kTimestamp,  // int64 ns since epoch, UTC
};

// "bool", "int32", "int64", "float32", "float64", "string", "timestamp[ns, UTC]"
std::string_view TypeName(Type type);
// Parses the names above, plus short aliases ("f32", "i64", "str", "timestamp").
Result<Type> ParseType(std::string_view name);
// Bytes per value for fixed-width types; 0 for kBool (bits) and kString.
int TypeByteWidth(Type type);
inline bool IsInteger(Type t) { return t == Type::kInt32 || t == Type::kInt64; }
inline bool IsFloating(Type t) { return t == Type::kFloat32 || t == Type::kFloat64; }
inline bool IsNumeric(Type t) { return IsInteger(t) || IsFloating(t) || t == Type::kTimestamp; }

struct Field {
  std::string name;
  Type type = Type::kInt64;
  bool nullable = true;

  bool operator==(const Field&) const = default;
};

class Schema {
 public:
  Schema() = default;
  explicit Schema(std::vector<Field> fields) : fields_(std::move(fields)) {}

  int num_fields() const { return static_cast<int>(fields_.size()); }
  const Field& field(int i) const { return fields_[i]; }
  const std::vector<Field>& fields() const { return fields_; }
  // Index of the field called `name`, or -1.
  int FieldIndex(std::string_view name) const;
  // As FieldIndex, but NotFound ("no column 'x'; columns are: a, b, c").
  Result<int> GetFieldIndex(std::string_view name) const;
  std::string ToString() const;

  bool operator==(const Schema&) const = default;

 private:
  std::vector<Field> fields_;
};

}  // namespace edgepipe
