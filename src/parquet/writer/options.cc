#include <string>

#include "edgepipe/parquet/writer.h"

namespace edgepipe::parquet {

Result<Compression> ParseCompression(std::string_view name) {
  if (name == "none" || name == "uncompressed") return Compression::kUncompressed;
  if (name == "snappy") return Compression::kSnappy;
  if (name == "gzip") return Compression::kGzip;
  if (name == "zstd") return Compression::kZstd;
  if (name == "lz4" || name == "lz4_raw") return Compression::kLz4Raw;
  return Status::InvalidArgument("unknown compression '" + std::string(name) +
                                 "'; expected none, snappy, gzip, zstd or lz4");
}

std::string_view CompressionName(Compression c) {
  switch (c) {
    case Compression::kUncompressed: return "none";
    case Compression::kSnappy: return "snappy";
    case Compression::kGzip: return "gzip";
    case Compression::kZstd: return "zstd";
    case Compression::kLz4Raw: return "lz4_raw";
  }
  return "?";
}

Result<ColumnEncoding> ParseColumnEncoding(std::string_view name) {
  if (name == "auto") return ColumnEncoding::kAuto;
  if (name == "plain") return ColumnEncoding::kPlain;
  if (name == "dictionary" || name == "dict") return ColumnEncoding::kDictionary;
  if (name == "delta" || name == "delta_binary_packed") return ColumnEncoding::kDeltaBinaryPacked;
  if (name == "delta_length" || name == "delta_length_byte_array") return ColumnEncoding::kDeltaLengthByteArray;
  if (name == "delta_byte_array") return ColumnEncoding::kDeltaByteArray;
  if (name == "byte_stream_split" || name == "bss") return ColumnEncoding::kByteStreamSplit;
  if (name == "rle") return ColumnEncoding::kRle;
  return Status::InvalidArgument("unknown encoding '" + std::string(name) +
                                 "'; expected auto, plain, dictionary, delta, delta_length, delta_byte_array, "
                                 "byte_stream_split or rle");
}

std::string_view ColumnEncodingName(ColumnEncoding e) {
  switch (e) {
    case ColumnEncoding::kAuto: return "auto";
    case ColumnEncoding::kPlain: return "plain";
    case ColumnEncoding::kDictionary: return "dictionary";
    case ColumnEncoding::kDeltaBinaryPacked: return "delta";
    case ColumnEncoding::kDeltaLengthByteArray: return "delta_length";
    case ColumnEncoding::kDeltaByteArray: return "delta_byte_array";
    case ColumnEncoding::kByteStreamSplit: return "byte_stream_split";
    case ColumnEncoding::kRle: return "rle";
  }
  return "?";
}

}  // namespace edgepipe::parquet
