#pragma once
// Reads the pages of one column chunk into one column's worth of output.
// One call is one task of the parallel reader: it touches only its own
// output range and per-thread scratch memory, so any number run at once.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "edgepipe/core/buffer.h"
#include "edgepipe/core/column.h"
#include "edgepipe/core/status.h"
#include "parquet/reader/schema_mapping.h"
#include "parquet/thrift/parquet_types.h"

namespace edgepipe::parquet {

struct ColumnChunkTask {
  // The mapped file and its name (for messages).
  const uint8_t* file_data = nullptr;
  const std::string* path = nullptr;
  int row_group = 0;
  const ColumnDescriptor* column = nullptr;  // supported() columns only
  const ColumnMetaData* meta = nullptr;
  // Byte range of the chunk's pages, validated by the footer checks to lie
  // inside the file.
  int64_t chunk_start = 0;
  int64_t chunk_end = 0;
  int64_t num_rows = 0;  // == meta->num_values for flat columns
  // Fixed-width types (int32/int64/float32/float64/timestamp): where row 0
  // of this chunk goes; room for num_rows values of the column's type.
  // Unused for bool and string columns, which get their own buffers.
  uint8_t* values = nullptr;
  // Shared across the tasks of one read: string bytes (and other variable
  // output) still allowed by ParquetReadOptions::max_decoded_bytes.
  std::atomic<int64_t>* byte_budget = nullptr;
  // BYTE_ARRAY: return a chunk whose data pages are all dictionary-encoded
  // as codes + dictionary (ParquetReadOptions::read_dictionary).
  bool read_dictionary = false;
};

struct ColumnChunkResult {
  // Bit i = row i of the chunk; nullptr when the chunk has no nulls.
  std::shared_ptr<Buffer> validity;
  int64_t null_count = 0;
  // Bool: value bits. String: num_rows + 1 int32 offsets, and the bytes;
  // or, when `dictionary` is set, num_rows int32 codes into it (each in
  // range; 0 for null rows) and no bytes.
  std::shared_ptr<Buffer> values;
  std::shared_ptr<Buffer> data;
  std::shared_ptr<const Column> dictionary;
};

// Decodes every page of the chunk. Errors carry the path, row group, column
// and the byte offset of the page: "<path>: row group 3, column 'ax': page at
// byte 9876: ...". Never reads outside [chunk_start, chunk_end).
Status ReadColumnChunk(const ColumnChunkTask& task, ColumnChunkResult* result);

// Largest page (compressed or not) this reader accepts: 1 GiB.
inline constexpr int64_t kMaxPageBytes = int64_t{1} << 30;

}  // namespace edgepipe::parquet
