#include "parquet/reader/schema_mapping.h"

#include <string>
#include <vector>

namespace edgepipe::parquet {
namespace {

using Kind = LogicalType::Kind;

// Fills type/conversion/unsupported of a flat leaf from its physical type and
// annotations. The LogicalType wins over the legacy ConvertedType when both
// are present (they agree in files written by conforming writers).
void MapLeafType(const SchemaElement& el, ColumnDescriptor* col) {
  const PhysicalType physical = *el.type;
  const std::optional<LogicalType>& logical = el.logical_type;
  const std::optional<ConvertedType>& converted = el.converted_type;
  const bool is_decimal = (logical && logical->kind == Kind::kDecimal) ||
                          (!logical && converted == ConvertedType::kDecimal);
  if (is_decimal) {
    col->unsupported = "DECIMAL columns are not supported";
    return;
  }
  auto unsupported_annotation = [&](std::string_view what) {
    col->unsupported = std::string(what) + " annotation on " + std::string(PhysicalTypeName(physical)) +
                       " is not supported";
  };
  switch (physical) {
    case PhysicalType::kBoolean:
      col->type = Type::kBool;
      return;
    case PhysicalType::kInt32: {
      col->type = Type::kInt32;
      bool is_date = false;
      bool is_unsigned = false;
      int bit_width = 32;
      if (logical) {
        if (logical->kind == Kind::kDate) is_date = true;
        if (logical->kind == Kind::kInteger) {
          is_unsigned = !logical->is_signed;
          bit_width = logical->bit_width;
        }
        if (logical->kind == Kind::kTimestamp) return unsupported_annotation("TIMESTAMP");
      } else if (converted) {
        switch (*converted) {
          case ConvertedType::kDate: is_date = true; break;
          case ConvertedType::kUint8: is_unsigned = true; bit_width = 8; break;
          case ConvertedType::kUint16: is_unsigned = true; bit_width = 16; break;
          case ConvertedType::kUint32: is_unsigned = true; bit_width = 32; break;
          default: break;
        }
      }
      if (is_date) {
        col->type = Type::kTimestamp;
        col->conversion = ValueConversion::kDaysToNanos;
        col->is_date = true;
        col->timestamp_unit_ns = int64_t{86400} * 1000000000;
      } else if (is_unsigned) {
        col->is_unsigned = true;
        // UINT_8/16 values fit int32; UINT_32 needs int64.
        if (bit_width >= 32) {
          col->type = Type::kInt64;
          col->conversion = ValueConversion::kUint32ToInt64;
        }
      }
      return;
    }
    case PhysicalType::kInt64: {
      col->type = Type::kInt64;
      std::optional<TimeUnit> ts_unit;
      if (logical) {
        if (logical->kind == Kind::kTimestamp) ts_unit = logical->unit;
        if (logical->kind == Kind::kInteger && !logical->is_signed) col->is_unsigned = true;
        if (logical->kind == Kind::kDate) return unsupported_annotation("DATE");
      } else if (converted) {
        if (*converted == ConvertedType::kTimestampMillis) ts_unit = TimeUnit::kMillis;
        if (*converted == ConvertedType::kTimestampMicros) ts_unit = TimeUnit::kMicros;
        if (*converted == ConvertedType::kUint64) col->is_unsigned = true;
      }
      if (ts_unit) {
        col->type = Type::kTimestamp;
        col->is_timestamp = true;
        switch (*ts_unit) {
          case TimeUnit::kMillis:
            col->conversion = ValueConversion::kMillisToNanos;
            col->timestamp_unit_ns = 1000000;
            break;
          case TimeUnit::kMicros:
            col->conversion = ValueConversion::kMicrosToNanos;
            col->timestamp_unit_ns = 1000;
            break;
          case TimeUnit::kNanos:
            col->timestamp_unit_ns = 1;
            break;
        }
      }
      return;
    }
    case PhysicalType::kInt96:
      col->type = Type::kTimestamp;
      col->conversion = ValueConversion::kInt96ToNanos;
      col->is_timestamp = true;
      return;
    case PhysicalType::kFloat:
      col->type = Type::kFloat32;
      return;
    case PhysicalType::kDouble:
      col->type = Type::kFloat64;
      return;
    case PhysicalType::kByteArray:
      col->type = Type::kString;
      return;
    case PhysicalType::kFixedLenByteArray:
      col->unsupported = "FIXED_LEN_BYTE_ARRAY columns are not supported";
      return;
  }
  col->unsupported = "unknown physical type " + std::to_string(static_cast<int32_t>(physical));
}

constexpr size_t kMaxPathChars = 4096;

struct Frame {
  int children_left;
  int field_idx;       // top-level field this subtree belongs to
  std::string prefix;  // dotted path of the group
};

}  // namespace

Status BuildSchemaMapping(const std::vector<SchemaElement>& schema, SchemaMapping* out) {
  out->leaves.clear();
  out->fields.clear();
  if (schema.empty()) return Status::Corruption("schema is empty (no root element)");
  const SchemaElement& root = schema[0];
  if (!root.num_children) return Status::Corruption("schema root '" + root.name + "' has no num_children");
  if (*root.num_children < 0) {
    return Status::Corruption("schema root has num_children " + std::to_string(*root.num_children));
  }
  const size_t num_elements = schema.size();
  std::vector<Frame> stack;
  stack.push_back({*root.num_children, -1, ""});
  size_t idx = 1;
  while (!stack.empty()) {
    if (stack.back().children_left == 0) {
      stack.pop_back();
      continue;
    }
    if (idx >= num_elements) {
      return Status::Corruption("schema ends after " + std::to_string(num_elements) +
                                " elements, but a group still expects " +
                                std::to_string(stack.back().children_left) + " more children");
    }
    --stack.back().children_left;
    const SchemaElement& el = schema[idx];
    const bool top_level = stack.size() == 1;
    if (el.name.empty()) return Status::Corruption("schema element " + std::to_string(idx) + " has an empty name");
    // Paths of deeply nested leaves are cut short: building every prefix in
    // full would cost O(depth^2) for a depth that comes from the input.
    std::string path;
    if (top_level) {
      path = el.name;
    } else if (stack.back().prefix.size() > kMaxPathChars) {
      path = stack.back().prefix;
    } else {
      path = stack.back().prefix + "." + el.name;
      if (path.size() > kMaxPathChars) path += "...";
    }
    int field_idx = stack.back().field_idx;
    if (top_level) {
      field_idx = static_cast<int>(out->fields.size());
      out->fields.push_back({el.name, static_cast<int>(out->leaves.size()), 0});
    }
    const bool is_group = el.num_children.has_value();
    if (is_group) {
      if (*el.num_children < 0 || static_cast<size_t>(*el.num_children) > num_elements - idx - 1) {
        return Status::Corruption("schema element " + std::to_string(idx) + " ('" + path + "') claims " +
                                  std::to_string(*el.num_children) + " children, " +
                                  std::to_string(num_elements - idx - 1) + " elements follow");
      }
      stack.push_back({*el.num_children, field_idx, std::move(path)});
      ++idx;
      continue;
    }
    if (!el.type) {
      return Status::Corruption("schema leaf " + std::to_string(idx) + " ('" + path + "') has no type");
    }
    ColumnDescriptor col;
    col.name = out->fields[field_idx].name;
    col.path = std::move(path);
    col.leaf_index = static_cast<int>(out->leaves.size());
    col.schema_index = static_cast<int>(idx);
    col.physical_type = *el.type;
    col.type_length = el.type_length.value_or(0);
    const FieldRepetitionType rep = el.repetition_type.value_or(FieldRepetitionType::kRequired);
    if (!top_level) {
      col.unsupported = "nested column (a leaf of group '" + col.name + "') is not supported";
    } else if (rep == FieldRepetitionType::kRepeated) {
      col.unsupported = "REPEATED column is not supported";
    } else if (rep != FieldRepetitionType::kRequired && rep != FieldRepetitionType::kOptional) {
      return Status::Corruption("schema leaf '" + col.path + "' has repetition type " +
                                std::to_string(static_cast<int32_t>(rep)));
    } else {
      col.nullable = rep == FieldRepetitionType::kOptional;
      col.max_def_level = col.nullable ? 1 : 0;
      MapLeafType(el, &col);
    }
    out->leaves.push_back(std::move(col));
    ++out->fields[field_idx].num_leaves;
    ++idx;
  }
  if (idx != num_elements) {
    return Status::Corruption("schema has " + std::to_string(num_elements) + " elements, but the tree under the root uses " +
                              std::to_string(idx));
  }
  // A group with no leaves at all cannot be read either; give it a leafless
  // field entry (projections naming it get NotSupported from the reader).
  return Status::OK();
}

int64_t DecodedBitsPerRow(const ColumnDescriptor& column) {
  const int64_t validity_bits = column.nullable ? 1 : 0;
  switch (column.type) {
    case Type::kBool: return 1 + validity_bits;
    case Type::kString: return 32 + validity_bits;
    default: return int64_t{8} * TypeByteWidth(column.type) + validity_bits;
  }
}

}  // namespace edgepipe::parquet
