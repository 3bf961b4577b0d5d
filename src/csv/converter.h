#pragma once
// Converter: field text -> typed column (Arrow's csv/converter).
//
// A ColumnAccumulator appends one column of each FieldBatch of a block to
// its own buffers, with one tight typed loop per batch (no per-value
// dispatch, no per-value allocation). Nulls cost nothing on the hot path: a
// value is checked against the null spellings only after it failed to parse,
// and the validity bitmap is created, all-valid, at the first null.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "csv/error_internal.h"
#include "csv/parser.h"
#include "edgepipe/core/buffer.h"
#include "edgepipe/core/column.h"
#include "edgepipe/core/status.h"
#include "edgepipe/core/type.h"

namespace edgepipe::csv {

// The null spellings besides the empty field, matched by length first.
class NullValues {
 public:
  explicit NullValues(const std::vector<std::string>& values);
  bool Matches(std::string_view text) const {
    if (text.size() < 64 && ((length_mask_ >> text.size()) & 1) == 0) return false;
    for (const auto& v : values_) {
      if (v == text) return true;
    }
    return false;
  }
  const std::vector<std::string>& values() const { return values_; }

 private:
  std::vector<std::string> values_;
  uint64_t length_mask_ = 0;  // bit n: some value has length n (n < 64); bit 63 for longer ones
};

// What a column converter needs to know; shared read-only by the blocks.
struct ConvertContext {
  const internal::Source* source = nullptr;
  const NullValues* nulls = nullptr;
  std::string column_name;
  Type type = Type::kString;
  // Where the type came from, for the hint in error messages.
  bool inferred = false;
  int64_t inferred_from_rows = 0;
  // Inference mode: bool accepts only true/false, timestamp only ISO-8601,
  // and a failed value returns a bare status (no message, no line count).
  bool inferring = false;
  // Some null spelling parses as a value of `type` (e.g. "nan" for floats):
  // check the null spellings before parsing.
  bool nulls_first = false;

  // Fills nulls_first for the current type and nulls.
  void Prepare();
};

class ColumnAccumulator {
 public:
  explicit ColumnAccumulator(const ConvertContext* context) : context_(context) {}
  ColumnAccumulator(const ColumnAccumulator&) = delete;
  ColumnAccumulator& operator=(const ColumnAccumulator&) = delete;
  ColumnAccumulator(ColumnAccumulator&&) = default;
  ColumnAccumulator& operator=(ColumnAccumulator&&) = default;

  // Capacity for `rows` values in total (grows as needed anyway).
  Status Reserve(int64_t rows);
  // Appends field `col` of every row of `batch`. A value that is neither
  // null nor of the type is Corruption naming file, line, column and text.
  Status Append(const FieldBatch& batch, int col);

  int64_t length() const { return length_; }
  int64_t null_count() const { return null_count_; }
  Result<Column> Finish();

 private:
  template <typename T, bool kNullsFirst, typename Parse>
  Status AppendFixed(const FieldBatch& batch, int col, Parse parse);
  template <bool kNullsFirst>
  Status AppendBool(const FieldBatch& batch, int col);
  Status AppendString(const FieldBatch& batch, int col);
  template <bool kNullsFirst>
  Status AppendTyped(const FieldBatch& batch, int col);

  // A field that failed to parse: a null (marked, returns OK), a value with
  // surrounding spaces (parsed into *value), or an error.
  template <typename T, typename Parse>
  Status OnBadValue(const FieldBatch& batch, int64_t row, int col, int64_t index, Parse parse, T* value);
  Status ValueError(const FieldBatch& batch, int64_t row, std::string_view text, std::string_view reason) const;
  Status MarkNull(int64_t index);
  Status Grow(int64_t rows);

  const ConvertContext* context_;
  int64_t length_ = 0;
  int64_t capacity_ = 0;
  int64_t null_count_ = 0;
  std::shared_ptr<Buffer> values_;    // fixed-width values, bits, or int32 offsets
  std::shared_ptr<Buffer> validity_;  // created at the first null; 1 = valid
  std::shared_ptr<Buffer> data_;      // string bytes
  size_t data_size_ = 0;
};

// The name --schema accepts for a type ("timestamp", "float64", ...).
std::string_view SchemaTypeName(Type type);

// The first type of the inference order bool < int64 < float64 <
// timestamp < string that holds `text` and comes after `type` in it.
Type WiderTypeFor(std::string_view text, Type type);

}  // namespace edgepipe::csv
