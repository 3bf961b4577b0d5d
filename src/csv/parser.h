#pragma once
// Parser: finds the fields of the rows of one block (Arrow's csv/parser).
//
// Output is a FieldBatch: per field one uint32 "end" (row-major), from which
// the converter slices the field text without copying. A batch holds a few
// thousand rows so that its ends and its source bytes stay in L2 while the
// converter makes one pass per column over them.
//
// Two paths produce the same layout:
//  - fast: no quote character in the rows; field bytes are read straight
//    from the mapped file. Field boundaries come from 64-byte SIMD masks.
//  - slow: the rows contain quotes; fields are unescaped into a scratch
//    buffer. A batch that meets a quote restarts on this path.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "csv/error_internal.h"
#include "edgepipe/core/status.h"
#include "edgepipe/csv/options.h"

namespace edgepipe::csv {

// Fields of `num_rows` rows of `num_cols` fields each.
//
// Encoding of ends[i] (field i = row * num_cols + col):
//   bits 0..29  offset (from base) just past the field's terminator, so the
//               next field starts there; ends[-1] == 0.
//   bit 30      the field ended in CR LF: its text excludes the CR.
//   bit 31      the field was quoted (string columns keep quoted empties).
class FieldBatch {
 public:
  static constexpr uint32_t kPosMask = (uint32_t{1} << 30) - 1;
  static constexpr uint32_t kCrBit = uint32_t{1} << 30;
  static constexpr uint32_t kQuotedBit = uint32_t{1} << 31;
  // Field offsets must fit 30 bits (with room for the +1 and the separator).
  static constexpr size_t kMaxBytes = (size_t{1} << 30) - 4;

  FieldBatch() = default;
  FieldBatch(const FieldBatch&) = delete;
  FieldBatch& operator=(const FieldBatch&) = delete;

  int64_t num_rows() const { return num_rows_; }
  int num_cols() const { return num_cols_; }
  const uint8_t* base() const { return base_; }
  // End of the memory readable from base (>= 16 bytes past the last field
  // for scratch; the end of the input otherwise): value parsers may load
  // whole words past a field's end up to here.
  const uint8_t* limit() const { return limit_; }
  const uint32_t* ends() const { return ends_storage_.get() + 1; }
  // File offset of each row's first byte (for line numbers in errors).
  const size_t* row_offsets() const { return row_offsets_.get(); }

  static std::string_view FieldText(const uint8_t* base, uint32_t prev_end, uint32_t end) {
    const uint32_t begin = prev_end & kPosMask;
    const uint32_t stop = (end & kPosMask) - 1 - ((end >> 30) & 1);
    return {reinterpret_cast<const char*>(base) + begin, static_cast<size_t>(stop - begin)};
  }
  std::string_view Field(int64_t row, int col) const {
    const uint32_t* e = ends() + row * num_cols_ + col;
    return FieldText(base_, e[-1], e[0]);
  }
  bool Quoted(int64_t row, int col) const { return (ends()[row * num_cols_ + col] & kQuotedBit) != 0; }

  // A view of the first `rows` rows (for inference on a prefix).
  void TruncateRows(int64_t rows) {
    if (rows < num_rows_) num_rows_ = rows;
  }

 private:
  friend class ChunkParser;
  // Room for max_rows rows of num_cols fields.
  void Reserve(int64_t max_rows, int num_cols);
  uint8_t* ReserveScratch(size_t bytes);

  const uint8_t* base_ = nullptr;
  const uint8_t* limit_ = nullptr;
  int64_t num_rows_ = 0;
  int num_cols_ = 0;
  std::unique_ptr<uint32_t[]> ends_storage_;  // [0] is the ends[-1] sentinel
  size_t ends_capacity_ = 0;
  std::unique_ptr<size_t[]> row_offsets_;
  size_t rows_capacity_ = 0;
  std::unique_ptr<uint8_t[]> scratch_;
  size_t scratch_capacity_ = 0;
};

// Parses the rows of one block [begin, end) of source (a block as cut by the
// Chunker: it starts at a row start and ends after a line feed or at EOF).
// Blank lines are skipped when num_cols > 1 (with one column a blank line is
// a null). Errors name the source, the line, and the row's text.
class ChunkParser {
 public:
  ChunkParser(const internal::Source* source, size_t begin, size_t end, int num_cols, const CsvReadOptions& options);

  // Parses up to max_rows rows into *batch (whose storage is reused). A
  // batch may come back with zero rows (e.g. a blank line) before done().
  Status Next(int64_t max_rows, FieldBatch* batch);
  bool done() const { return pos_ >= end_; }
  // File offset of the next unparsed byte.
  size_t position() const { return pos_; }
  // Whether the slow path ran, i.e. the rows parsed so far held a quote.
  bool saw_quote() const { return saw_quote_; }

 private:
  // False when a quote was seen (nothing consumed); else *status holds the
  // outcome.
  bool ParseFast(int64_t max_rows, FieldBatch* batch, Status* status);
  Status ParseSlow(int64_t max_rows, FieldBatch* batch);
  Status FieldCountError(size_t row_offset) const;

  const internal::Source* source_;
  size_t pos_;
  size_t end_;
  int num_cols_;
  char delimiter_;
  char quote_;
  bool saw_quote_ = false;
};

// One row parsed with the slow path's rules, for the header and for error
// messages. `fields` may be null (count only).
struct RowScan {
  size_t next = 0;          // offset just past the row's line feed (or size)
  int64_t num_fields = 0;
  bool unterminated_quote = false;
};
RowScan ScanRow(const uint8_t* data, size_t size, size_t pos, char delimiter, char quote,
                std::vector<std::string>* fields);

}  // namespace edgepipe::csv
