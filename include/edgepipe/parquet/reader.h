#pragma once
// ParquetFileReader: reads flat Parquet files (every column a leaf of the
// root) written by any engine, into edgepipe tables.
//
// Type mapping: BOOLEAN -> bool; INT32 -> int32 (DATE -> timestamp);
// INT64 -> int64, or timestamp when annotated TIMESTAMP(MILLIS|MICROS|NANOS)
// (converted to ns); INT96 -> timestamp; FLOAT -> float32; DOUBLE -> float64;
// BYTE_ARRAY -> string (dictionary-encoded, see read_dictionary). Nested or FIXED_LEN_BYTE_ARRAY columns: NotSupported,
// naming the column (they can be skipped with a projection).
//
// Thread safety: a reader may be used from one thread at a time; it decodes
// row groups and columns in parallel internally on the process pool.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "edgepipe/core/table.h"

namespace edgepipe::parquet {

// Keeps rows whose `column` lies in [min, max] (inclusive; either bound may
// be absent). Used only to skip whole row groups from their statistics:
// rows of the groups that are read are not filtered.
struct RangeFilter {
  std::string column;
  std::optional<double> min;
  std::optional<double> max;
};

struct ParquetReadOptions {
  std::vector<std::string> columns;  // projection; empty = all columns
  std::vector<RangeFilter> filters;  // row-group skipping from statistics
  // Upper bound on the memory a file may make us allocate for decoded data;
  // a footer claiming more gives an error instead of an allocation.
  int64_t max_decoded_bytes = int64_t{16} << 30;
  // BYTE_ARRAY columns whose chunk's data pages are all dictionary-encoded
  // are returned as dictionary columns (one dictionary per column chunk,
  // shared by its batches); a chunk that falls back to PLAIN pages is
  // returned plain. False: every string column is plain.
  bool read_dictionary = true;
};

// A summary of the file for `edgepipe inspect` (and tests): one entry per
// row group × column chunk.
struct ColumnChunkInfo {
  std::string column;
  std::string physical_type;
  std::string codec;
  std::vector<std::string> encodings;
  int64_t num_values = 0;
  int64_t compressed_bytes = 0;
  int64_t uncompressed_bytes = 0;
  std::optional<int64_t> null_count;
  std::optional<std::string> min;  // formatted in the column's type
  std::optional<std::string> max;
  int64_t data_pages = 0;          // from encoding_stats when present, else -1
};
struct RowGroupInfo {
  int64_t num_rows = 0;
  int64_t total_byte_size = 0;
  std::vector<ColumnChunkInfo> columns;
};
struct FileInfo {
  int64_t file_size = 0;
  int64_t num_rows = 0;
  int32_t format_version = 0;
  std::string created_by;
  std::vector<RowGroupInfo> row_groups;
  std::vector<std::pair<std::string, std::string>> key_value_metadata;
};

class ParquetFileReader {
 public:
  // Maps the file, checks the magic bytes and decodes the footer.
  // Errors name the path and the byte offset (Corruption), NotFound, IOError.
  static Result<std::unique_ptr<ParquetFileReader>> Open(const std::string& path,
                                                         const ParquetReadOptions& options = {});
  ~ParquetFileReader();
  ParquetFileReader(const ParquetFileReader&) = delete;
  ParquetFileReader& operator=(const ParquetFileReader&) = delete;

  // Schema of the projected columns.
  const std::shared_ptr<const Schema>& schema() const;
  int num_row_groups() const;
  int64_t num_rows() const;
  FileInfo Info() const;

  // Row groups that survive the filters (all when there are none).
  std::vector<int> SelectedRowGroups() const;
  // One row group, projected; its columns decoded in parallel.
  Result<RecordBatch> ReadRowGroup(int row_group);
  // Every selected row group, in parallel, as one batch per row group.
  Result<Table> ReadTable();
  // Streams selected row groups in order (bounded memory: a few row groups
  // in flight). The reader must outlive the stream.
  std::unique_ptr<BatchReader> GetBatchReader();

 private:
  struct Impl;
  explicit ParquetFileReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Convenience: Open + ReadTable.
Result<Table> ReadParquet(const std::string& path, const ParquetReadOptions& options = {});

}  // namespace edgepipe::parquet
