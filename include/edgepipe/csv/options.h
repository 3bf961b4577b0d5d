#pragma once
// Options of the CSV reader and writer: plain structs with defaults (Arrow's
// csv::ReadOptions/ParseOptions/ConvertOptions folded into one struct, since
// the CLI sets them all from one command line). The dialect and the
// inference rules are described in docs/csv.md.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "edgepipe/core/status.h"
#include "edgepipe/core/type.h"

namespace edgepipe::csv {

struct CsvReadOptions {
  // ---- dialect
  char delimiter = ',';
  // Quoting follows RFC 4180: a field that starts with `quote` runs to the
  // next lone quote, "" inside it is one quote, and it may hold delimiters,
  // CR and LF. A quote in the middle of an unquoted field is an ordinary
  // character. Lines end in LF or CRLF.
  char quote = '"';
  // First line holds the column names. Without a header, columns are named
  // f0, f1, ... and the first line is data.
  bool header = true;

  // ---- parallelism and memory
  // Bytes per block. Blocks end at the last line end inside them (a row
  // longer than a block extends it) and are parsed in parallel; each block
  // becomes one RecordBatch. At most 2 x threads blocks are decoded at once,
  // so memory stays bounded for any file size. Must be in [1, 256 MiB].
  int64_t block_size = int64_t{4} << 20;

  // ---- conversion
  // Field texts read as null, besides the empty field (which is always null).
  // A quoted field in a string column is never null: `""` is the empty
  // string and `"NA"` the two letters.
  std::vector<std::string> null_values = {"NA", "N/A", "null", "NULL"};
  // Column name -> type, overriding inference (the CLI's --schema
  // ts:timestamp,sensor_id:string). Naming a column the file does not have is
  // InvalidArgument.
  std::map<std::string, Type> column_types;
  // Columns to read, in the order of the output schema; empty = all, in file
  // order. Naming an absent column is NotFound.
  std::vector<std::string> include_columns;
  // Type inference looks at the rows of the first block, at most this many
  // when > 0. A later value that does not fit the inferred type is an error
  // that asks for column_types (--schema).
  int64_t infer_rows = 0;

  static CsvReadOptions Defaults() { return CsvReadOptions(); }
  // InvalidArgument for an impossible dialect (delimiter == quote, a
  // delimiter of CR or LF, block_size out of range, ...).
  Status Validate() const;
};

enum class TimestampFormat : uint8_t {
  kIso8601,  // 2024-01-02T03:04:05.123456789Z: always 9 fractional digits, UTC
  kEpochNs,  // integer nanoseconds since 1970-01-01T00:00:00Z
};

struct CsvWriteOptions {
  char delimiter = ',';
  char quote = '"';
  bool header = true;
  TimestampFormat timestamp_format = TimestampFormat::kIso8601;
  // Floats are written as the shortest text that reads back to the same bits
  // (float32 as a float32), always with a '.' or an exponent so that
  // inference reads them back as floats; NaN, inf, -inf for the specials.
  // Lines end in LF. A null is an empty field; an empty string is `""`.
  // Rows per formatting task (batches are formatted in parallel).
  int64_t rows_per_task = 16384;

  static CsvWriteOptions Defaults() { return CsvWriteOptions(); }
  Status Validate() const;
};

}  // namespace edgepipe::csv
