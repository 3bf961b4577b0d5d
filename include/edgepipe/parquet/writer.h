#pragma once
// ParquetWriter: streams record batches into a Parquet file (format 2.x
// metadata, flat schema). Rows are buffered until a row group is full; the
// columns of a row group are encoded and compressed in parallel, then
// appended in order. The file appears under its name only after Close()
// (AtomicFile): an error or a crash leaves no half-written file.
//
// Defaults are chosen for sensor logs: DELTA_BINARY_PACKED for integers and
// timestamps (constant-rate clocks encode to ~0 bits per value), dictionary
// for strings (falls back when the dictionary grows past its limit), and for
// floats whichever of PLAIN and BYTE_STREAM_SPLIT compresses smaller on the
// first page of each column chunk.
// Not thread-safe: one writer, one thread of calls.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "edgepipe/core/table.h"

namespace edgepipe::parquet {

enum class Compression : uint8_t { kUncompressed, kSnappy, kGzip, kZstd, kLz4Raw };
Result<Compression> ParseCompression(std::string_view name);  // none|uncompressed|snappy|gzip|zstd|lz4|lz4_raw
std::string_view CompressionName(Compression c);

enum class ColumnEncoding : uint8_t {
  kAuto,
  kPlain,
  kDictionary,          // RLE_DICTIONARY (PLAIN_DICTIONARY with page v1 is not used)
  kDeltaBinaryPacked,   // int32, int64, timestamp
  kDeltaLengthByteArray,
  kDeltaByteArray,      // strings
  kByteStreamSplit,     // float32, float64, int32, int64, timestamp
  kRle,                 // bool
};
Result<ColumnEncoding> ParseColumnEncoding(std::string_view name);  // auto|plain|dictionary|delta|delta_length|delta_byte_array|byte_stream_split|rle
std::string_view ColumnEncodingName(ColumnEncoding e);

struct ColumnWriteOptions {
  ColumnEncoding encoding = ColumnEncoding::kAuto;
  std::optional<Compression> compression;  // default: the file's
};

struct ParquetWriteOptions {
  Compression compression = Compression::kZstd;
  int compression_level = -1;            // codec default (zstd 3, gzip 6)
  int64_t row_group_rows = 256 * 1024;   // rows per row group
  int64_t page_bytes = 1 << 20;          // target uncompressed bytes per data page
  int64_t dictionary_bytes_limit = 1 << 20;
  bool data_page_v2 = false;             // v1 pages are read by every engine
  bool write_statistics = true;
  std::map<std::string, ColumnWriteOptions> columns;  // per-column overrides
  bool sync = false;                     // fsync on Close
};

class ParquetWriter {
 public:
  // Validates the options against the schema (an encoding that does not fit
  // a column's type is InvalidArgument naming both).
  static Result<std::unique_ptr<ParquetWriter>> Open(const std::string& path, std::shared_ptr<const Schema> schema,
                                                     const ParquetWriteOptions& options = {});
  ~ParquetWriter();
  ParquetWriter(const ParquetWriter&) = delete;
  ParquetWriter& operator=(const ParquetWriter&) = delete;

  // Appends rows; the batch's schema must equal the writer's.
  Status WriteBatch(const RecordBatch& batch);
  // Flushes the last row group, writes the footer and renames the file into
  // place. Without Close the output is discarded.
  Status Close();

  int64_t rows_written() const;
  uint64_t bytes_written() const;

 private:
  struct Impl;
  explicit ParquetWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Convenience: writes a whole table.
Status WriteParquet(const Table& table, const std::string& path, const ParquetWriteOptions& options = {});

}  // namespace edgepipe::parquet
