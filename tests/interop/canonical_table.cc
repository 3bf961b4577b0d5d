#include "interop/canonical_table.h"

#include <charconv>

namespace edgepipe::testing {

namespace {
std::string CanonicalType(Type type) {
  switch (type) {
    case Type::kBool: return "bool";
    case Type::kInt32: return "int32";
    case Type::kInt64: return "int64";
    case Type::kFloat32: return "float32";
    case Type::kFloat64: return "float64";
    case Type::kString: return "string";
    case Type::kTimestamp: return "timestamp_ns";
  }
  return "?";
}

std::string Cell(const Column& col, int64_t i) {
  if (col.IsNull(i)) return "null";
  switch (col.type()) {
    case Type::kBool: return col.GetBool(i) ? "true" : "false";
    case Type::kInt32: return std::to_string(col.values<int32_t>()[i]);
    case Type::kInt64:
    case Type::kTimestamp: return std::to_string(col.values<int64_t>()[i]);
    case Type::kFloat32: return CanonicalFloat32(col.values<float>()[i]);
    case Type::kFloat64: return CanonicalFloat64(col.values<double>()[i]);
    case Type::kString: return CanonicalString(col.GetString(i));
  }
  return "?";
}
}  // namespace

CanonicalTable ToCanonical(const Table& table) {
  CanonicalTable out;
  for (const Field& f : table.schema()->fields()) {
    out.names.push_back(f.name);
    out.types.push_back(CanonicalType(f.type));
  }
  out.columns.resize(out.names.size());
  for (const RecordBatch& batch : table.batches()) {
    for (int c = 0; c < batch.num_columns(); ++c) {
      for (int64_t r = 0; r < batch.num_rows(); ++r) out.columns[c].push_back(Cell(batch.column(c), r));
    }
  }
  return out;
}

std::string DiffCanonical(const CanonicalTable& expected, const CanonicalTable& actual) {
  std::string diff;
  if (expected.names != actual.names) {
    std::string e, a;
    for (const auto& n : expected.names) e += n + " ";
    for (const auto& n : actual.names) a += n + " ";
    return "column names differ: expected [" + e + "] got [" + a + "]";
  }
  for (size_t c = 0; c < expected.names.size(); ++c) {
    if (expected.types[c] != actual.types[c]) {
      diff += "column '" + expected.names[c] + "': type " + expected.types[c] + " vs " + actual.types[c] + "\n";
    }
  }
  if (expected.num_rows() != actual.num_rows()) {
    return diff + "row count: expected " + std::to_string(expected.num_rows()) + " got " +
           std::to_string(actual.num_rows());
  }
  int shown = 0;
  for (size_t c = 0; c < expected.columns.size(); ++c) {
    for (size_t r = 0; r < expected.num_rows(); ++r) {
      if (expected.columns[c][r] != actual.columns[c][r]) {
        if (shown++ < 10) {
          diff += "column '" + expected.names[c] + "' row " + std::to_string(r) + ": expected " +
                  expected.columns[c][r] + " got " + actual.columns[c][r] + "\n";
        }
      }
    }
  }
  if (shown > 10) diff += "... " + std::to_string(shown - 10) + " more differing cells\n";
  return diff;
}

void TruncateTimestampsToMicros(CanonicalTable* table) {
  for (size_t c = 0; c < table->types.size(); ++c) {
    if (table->types[c] != "timestamp_ns") continue;
    for (std::string& cell : table->columns[c]) {
      if (cell == "null") continue;
      int64_t v = 0;
      std::from_chars(cell.data(), cell.data() + cell.size(), v);
      cell = std::to_string(v / 1000 * 1000);  // C++ division truncates toward zero, as DuckDB does
    }
  }
}

}  // namespace edgepipe::testing
