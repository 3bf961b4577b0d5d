#pragma once
// Maps the flattened Parquet schema (a depth-first list of SchemaElements) to
// edgepipe columns: one ColumnDescriptor per leaf, saying how its physical
// values become edgepipe values, or why they cannot.

#include <cstdint>
#include <string>
#include <vector>

#include "edgepipe/core/type.h"
#include "parquet/thrift/parquet_types.h"

namespace edgepipe::parquet {

// What happens to decoded physical values on their way to the output.
enum class ValueConversion : uint8_t {
  kNone,            // same storage (int32, int64, float, double, bool, string)
  kUint32ToInt64,   // INT32 annotated UINT_32: zero-extended
  kDaysToNanos,     // INT32 DATE: days since epoch -> ns
  kMillisToNanos,   // INT64 TIMESTAMP(MILLIS)
  kMicrosToNanos,   // INT64 TIMESTAMP(MICROS)
  kInt96ToNanos,    // INT96 (Impala/Spark): decoded straight to ns
};

struct ColumnDescriptor {
  std::string name;       // top-level field name (what projections use)
  std::string path;       // dotted leaf path ("a" for flat columns, "a.list.element")
  int leaf_index = 0;     // index of this leaf's ColumnChunk in every RowGroup
  int schema_index = 0;   // index of the leaf's SchemaElement
  PhysicalType physical_type = PhysicalType::kInt32;
  int32_t type_length = 0;      // FIXED_LEN_BYTE_ARRAY only
  int16_t max_def_level = 0;    // 1 for OPTIONAL flat columns
  Type type = Type::kInt64;     // valid when supported()
  bool nullable = false;
  ValueConversion conversion = ValueConversion::kNone;
  // Sort-order facts for statistics: unsigned ints compare differently and
  // their legacy min/max (signed order) must not be used.
  bool is_unsigned = false;
  bool is_date = false;          // INT32 DATE, for formatting
  bool is_timestamp = false;     // for formatting
  int64_t timestamp_unit_ns = 1;  // ns per unit of the stored (physical) value
  // Non-empty when the column cannot be read; the message names the reason
  // ("nested column", "FIXED_LEN_BYTE_ARRAY", "DECIMAL"...).
  std::string unsupported;

  bool supported() const { return unsupported.empty(); }
};

// A top-level field of the file: either one flat leaf, or a nested group
// whose leaves are [first_leaf, first_leaf + num_leaves).
struct TopLevelField {
  std::string name;
  int first_leaf = 0;
  int num_leaves = 0;
};

struct SchemaMapping {
  std::vector<ColumnDescriptor> leaves;  // in ColumnChunk order
  std::vector<TopLevelField> fields;     // in schema order
};

// Walks the schema tree (iteratively: its depth comes from the input) and
// checks it is well-formed: a root with num_children, every group's children
// present, no element left over, leaves with a physical type, non-empty
// names. Corruption (message without path or offset: the caller adds them)
// otherwise. Unsupported types are not an error here; they are recorded in
// ColumnDescriptor::unsupported.
Status BuildSchemaMapping(const std::vector<SchemaElement>& schema, SchemaMapping* out);

// Bits of decoded output per row (values + validity bit), so booleans and
// bitmaps count exactly. Strings count their offsets only: their bytes are
// bounded while decoding.
int64_t DecodedBitsPerRow(const ColumnDescriptor& column);

}  // namespace edgepipe::parquet
