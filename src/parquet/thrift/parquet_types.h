#pragma once
// Plain C++ mirrors of the Parquet footer and page-header structs of
// parquet.thrift (Apache parquet-format), with compact-protocol codecs.
//
// Only the fields below are kept; every other field (including ones added to
// parquet.thrift later) is skipped on decode, so newer files still decode.
// Enum fields hold the raw thrift i32: values this code does not know are kept
// as-is (e.g. a future Encoding), the *Name() functions then return "UNKNOWN".
// Validating values against the schema is the reader's job, not the codec's.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "edgepipe/core/status.h"

namespace edgepipe::parquet {

enum class PhysicalType : int32_t {
  kBoolean = 0,
  kInt32 = 1,
  kInt64 = 2,
  kInt96 = 3,
  kFloat = 4,
  kDouble = 5,
  kByteArray = 6,
  kFixedLenByteArray = 7,
};

enum class Encoding : int32_t {
  kPlain = 0,
  kPlainDictionary = 2,
  kRle = 3,
  kBitPacked = 4,
  kDeltaBinaryPacked = 5,
  kDeltaLengthByteArray = 6,
  kDeltaByteArray = 7,
  kRleDictionary = 8,
  kByteStreamSplit = 9,
};

enum class CompressionCodec : int32_t {
  kUncompressed = 0,
  kSnappy = 1,
  kGzip = 2,
  kLzo = 3,
  kBrotli = 4,
  kLz4 = 5,
  kZstd = 6,
  kLz4Raw = 7,
};

enum class PageType : int32_t { kDataPage = 0, kIndexPage = 1, kDictionaryPage = 2, kDataPageV2 = 3 };

enum class FieldRepetitionType : int32_t { kRequired = 0, kOptional = 1, kRepeated = 2 };

enum class ConvertedType : int32_t {
  kUtf8 = 0,
  kMap = 1,
  kMapKeyValue = 2,
  kList = 3,
  kEnum = 4,
  kDecimal = 5,
  kDate = 6,
  kTimeMillis = 7,
  kTimeMicros = 8,
  kTimestampMillis = 9,
  kTimestampMicros = 10,
  kUint8 = 11,
  kUint16 = 12,
  kUint32 = 13,
  kUint64 = 14,
  kInt8 = 15,
  kInt16 = 16,
  kInt32 = 17,
  kInt64 = 18,
  kJson = 19,
  kBson = 20,
  kInterval = 21,
};

// Parquet spellings ("RLE_DICTIONARY", "ZSTD", ...); "UNKNOWN" otherwise.
std::string_view EncodingName(Encoding encoding);
std::string_view CompressionCodecName(CompressionCodec codec);
std::string_view PhysicalTypeName(PhysicalType type);
std::string_view PageTypeName(PageType type);
std::string_view FieldRepetitionTypeName(FieldRepetitionType type);
std::string_view ConvertedTypeName(ConvertedType type);

struct Statistics {
  std::optional<std::string> max, min, max_value, min_value;
  std::optional<int64_t> null_count, distinct_count;
  std::optional<bool> is_max_value_exact, is_min_value_exact;

  bool operator==(const Statistics&) const = default;
};

enum class TimeUnit : uint8_t { kMillis, kMicros, kNanos };

// The LogicalType union flattened. Parameters not used by `kind` keep their
// defaults. kUnknown is parquet's UNKNOWN (NullType, always-null column);
// kOther is a union member this code does not know (VARIANT, GEOMETRY, a
// future one, or a TIME/TIMESTAMP with an unknown unit): it is decoded but
// not re-encoded (EncodeFileMetaData omits the logical_type field).
struct LogicalType {
  enum class Kind : uint8_t {
    kString, kMap, kList, kEnum, kDecimal, kDate, kTime, kTimestamp,
    kInteger, kUnknown, kJson, kBson, kUuid, kFloat16, kOther,
  };
  Kind kind = Kind::kOther;
  bool is_adjusted_to_utc = false;  // kTime, kTimestamp
  TimeUnit unit = TimeUnit::kMillis;  // kTime, kTimestamp
  int8_t bit_width = 0;  // kInteger
  bool is_signed = true;  // kInteger
  int32_t precision = 0, scale = 0;  // kDecimal

  bool operator==(const LogicalType&) const = default;
};

struct SchemaElement {
  std::optional<PhysicalType> type;
  std::optional<int32_t> type_length;
  std::optional<FieldRepetitionType> repetition_type;
  std::string name;
  std::optional<int32_t> num_children;
  std::optional<ConvertedType> converted_type;
  std::optional<int32_t> scale, precision, field_id;
  std::optional<LogicalType> logical_type;

  bool operator==(const SchemaElement&) const = default;
};

struct DataPageHeader {
  int32_t num_values = 0;
  Encoding encoding = Encoding::kPlain;
  Encoding definition_level_encoding = Encoding::kRle;
  Encoding repetition_level_encoding = Encoding::kRle;
  std::optional<Statistics> statistics;

  bool operator==(const DataPageHeader&) const = default;
};

struct DictionaryPageHeader {
  int32_t num_values = 0;
  Encoding encoding = Encoding::kPlain;
  std::optional<bool> is_sorted;

  bool operator==(const DictionaryPageHeader&) const = default;
};

struct DataPageHeaderV2 {
  int32_t num_values = 0, num_nulls = 0, num_rows = 0;
  Encoding encoding = Encoding::kPlain;
  int32_t definition_levels_byte_length = 0, repetition_levels_byte_length = 0;
  bool is_compressed = true;  // optional in thrift with default true; always written
  std::optional<Statistics> statistics;

  bool operator==(const DataPageHeaderV2&) const = default;
};

// index_page_header (field 6) is skipped on decode and never written.
struct PageHeader {
  PageType type = PageType::kDataPage;
  int32_t uncompressed_page_size = 0, compressed_page_size = 0;
  std::optional<int32_t> crc;
  std::optional<DataPageHeader> data_page_header;
  std::optional<DictionaryPageHeader> dictionary_page_header;
  std::optional<DataPageHeaderV2> data_page_header_v2;

  bool operator==(const PageHeader&) const = default;
};

struct KeyValue {
  std::string key;
  std::optional<std::string> value;

  bool operator==(const KeyValue&) const = default;
};

struct PageEncodingStats {
  PageType page_type = PageType::kDataPage;
  Encoding encoding = Encoding::kPlain;
  int32_t count = 0;

  bool operator==(const PageEncodingStats&) const = default;
};

// Optional lists of parquet.thrift (key_value_metadata, encoding_stats,
// sorting_columns) are written only when non-empty, so "absent" and "empty"
// decode alike.
struct ColumnMetaData {
  PhysicalType type = PhysicalType::kBoolean;
  std::vector<Encoding> encodings;
  std::vector<std::string> path_in_schema;
  CompressionCodec codec = CompressionCodec::kUncompressed;
  int64_t num_values = 0, total_uncompressed_size = 0, total_compressed_size = 0;
  std::vector<KeyValue> key_value_metadata;
  int64_t data_page_offset = 0;
  std::optional<int64_t> index_page_offset, dictionary_page_offset;
  std::optional<Statistics> statistics;
  std::vector<PageEncodingStats> encoding_stats;
  std::optional<int64_t> bloom_filter_offset;
  std::optional<int32_t> bloom_filter_length;

  bool operator==(const ColumnMetaData&) const = default;
};

struct ColumnChunk {
  std::optional<std::string> file_path;
  int64_t file_offset = 0;
  std::optional<ColumnMetaData> meta_data;
  std::optional<int64_t> offset_index_offset;
  std::optional<int32_t> offset_index_length;
  std::optional<int64_t> column_index_offset;
  std::optional<int32_t> column_index_length;

  bool operator==(const ColumnChunk&) const = default;
};

struct SortingColumn {
  int32_t column_idx = 0;
  bool descending = false, nulls_first = false;

  bool operator==(const SortingColumn&) const = default;
};

struct RowGroup {
  std::vector<ColumnChunk> columns;
  int64_t total_byte_size = 0, num_rows = 0;
  std::vector<SortingColumn> sorting_columns;
  std::optional<int64_t> file_offset, total_compressed_size;
  std::optional<int16_t> ordinal;

  bool operator==(const RowGroup&) const = default;
};

struct FileMetaData {
  int32_t version = 1;
  std::vector<SchemaElement> schema;
  int64_t num_rows = 0;
  std::vector<RowGroup> row_groups;
  std::vector<KeyValue> key_value_metadata;
  std::optional<std::string> created_by;
  // column_orders: on decode the number of entries (every ColumnOrder is
  // counted as TypeDefinedOrder, the only one our writer uses); on encode,
  // when > 0, that many TypeDefinedOrder entries are written.
  int32_t num_column_orders = 0;

  bool operator==(const FileMetaData&) const = default;
};

// Decoders: Corruption naming the struct/field path and the byte offset
// (relative to `data`) on malformed input, including missing required fields.
// Unknown fields are skipped. `out` is overwritten; on error its contents are
// unspecified. Bytes after the FileMetaData struct are ignored.
Status DecodeFileMetaData(const uint8_t* data, size_t size, FileMetaData* out);
// `header_size` = bytes consumed (the page data starts there).
Status DecodePageHeader(const uint8_t* data, size_t size, PageHeader* out, uint32_t* header_size);

// Encoders append compact-protocol bytes to `out`.
void EncodeFileMetaData(const FileMetaData& md, std::string* out);
void EncodePageHeader(const PageHeader& header, std::string* out);

}  // namespace edgepipe::parquet
