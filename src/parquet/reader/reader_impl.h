#pragma once
// The state behind ParquetFileReader (its private Impl derives from it, so
// the helpers of file_reader.cc and batch_stream.cc can name it).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "edgepipe/core/mapped_file.h"
#include "edgepipe/parquet/reader.h"
#include "parquet/reader/schema_mapping.h"
#include "parquet/thrift/parquet_types.h"

namespace edgepipe::parquet {

struct ReaderState {
  // Constant after Open.
  std::shared_ptr<MappedFile> file;
  std::string path;
  ParquetReadOptions options;
  FileMetaData metadata;
  SchemaMapping mapping;
  int64_t footer_start = 0;          // first byte of the thrift footer
  std::vector<int> projected_leaves;  // leaf index of each output column
  std::shared_ptr<const Schema> schema;
  std::vector<int> selected_row_groups;
  int64_t num_rows = 0;

  // Byte range [start, end) of the pages of one column chunk (validated).
  void ChunkRange(int row_group, int leaf, int64_t* start, int64_t* end) const;

  // Decodes the projected columns of `row_groups` (file indices), every
  // (row group, column) chunk as one parallel task, into one buffer per
  // fixed-width column shared by the batches (one batch per row group).
  Result<std::vector<RecordBatch>> ReadRowGroups(const std::vector<int>& row_groups) const;
};

struct ParquetFileReader::Impl : ReaderState {};

}  // namespace edgepipe::parquet
