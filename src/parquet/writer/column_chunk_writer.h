#pragma once
// Encodes one column of one row group into the bytes of a column chunk
// (optional dictionary page, then data pages) and its ColumnMetaData.
// Chunks are independent, so the file writer encodes them in parallel.

#include <cstdint>
#include <string>
#include <vector>

#include "edgepipe/core/column.h"
#include "edgepipe/parquet/writer.h"
#include "parquet/compression/codec.h"
#include "parquet/thrift/parquet_types.h"

namespace edgepipe::parquet {

struct ChunkWriteConfig {
  std::string name;
  bool nullable = true;
  ColumnEncoding encoding = ColumnEncoding::kAuto;
  Compression compression = Compression::kZstd;
  int compression_level = -1;
  int64_t page_bytes = 1 << 20;
  int64_t dictionary_bytes_limit = 1 << 20;
  bool data_page_v2 = false;
  bool write_statistics = true;
};

// The chunk's bytes are dictionary_page followed by data_pages.
struct EncodedChunk {
  std::vector<uint8_t> dictionary_page;  // header + page, or empty
  std::vector<uint8_t> data_pages;
  // The values' encoding this chunk ended up with (after float trials and
  // dictionary fallback).
  ColumnEncoding value_encoding = ColumnEncoding::kPlain;
  // Page offsets in `meta` are relative to the chunk start until the file
  // writer adds the chunk's file offset.
  ColumnMetaData meta;
};

// The physical type a column is stored as.
PhysicalType PhysicalTypeOf(Type type);
// Whether `encoding` can store `type` (kAuto always can).
bool EncodingFits(ColumnEncoding encoding, Type type);
Codec CodecOf(Compression compression);
CompressionCodec ThriftCodecOf(Compression compression);

// `pieces` are the row group's rows of this column, in order (e.g. the
// batches as they arrived); pages never span two pieces, so nothing is
// copied into one contiguous column first.
Status EncodeColumnChunk(const std::vector<Column>& pieces, const ChunkWriteConfig& config, EncodedChunk* out);

}  // namespace edgepipe::parquet
