// Parquet footer / page-header codecs: round trips with every optional field
// set and unset, hand-assembled bytes per parquet.thrift, forward
// compatibility (unknown fields), and corrupt input (truncation, byte flips,
// forged sizes, deep nesting).

#include "parquet/thrift/parquet_types.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <new>
#include <random>
#include <string>
#include <vector>

#include "parquet/thrift/compact_protocol.h"

// Largest single heap allocation while g_track_allocations is set: proves a
// forged list size is rejected before anything is sized from it.
namespace {
std::atomic<bool> g_track_allocations{false};
std::atomic<size_t> g_max_allocation{0};
}  // namespace

// GCC flags free() on operator new's result even in a replacement that uses malloc.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
void* operator new(size_t size) {
  if (g_track_allocations.load(std::memory_order_relaxed)) {
    size_t prev = g_max_allocation.load(std::memory_order_relaxed);
    while (size > prev && !g_max_allocation.compare_exchange_weak(prev, size)) {
    }
  }
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

namespace edgepipe::parquet {
namespace {

using thrift::CompactType;
using thrift::CompactWriter;

const uint8_t* U8(const std::string& s) { return reinterpret_cast<const uint8_t*>(s.data()); }

std::string Bytes(std::initializer_list<int> values) {
  std::string out;
  for (int v : values) out.push_back(static_cast<char>(v));
  return out;
}

// --------------------------------------------------------------------------
// Builders. `mask` bit k decides whether optional field k is set.

Statistics MakeStats(uint32_t mask, int salt) {
  Statistics s;
  if (mask & 1) s.max = "max" + std::to_string(salt);
  if (mask & 2) s.min = std::string("\0\x01\xff", 3);
  if (mask & 4) s.null_count = -salt - 1;
  if (mask & 8) s.distinct_count = int64_t{1} << 40;
  if (mask & 16) s.max_value = std::string(300, 'z');
  if (mask & 32) s.min_value = "";
  if (mask & 64) s.is_max_value_exact = (salt & 1) != 0;
  if (mask & 128) s.is_min_value_exact = (salt & 1) == 0;
  return s;
}

std::vector<LogicalType> AllLogicalTypes() {
  using Kind = LogicalType::Kind;
  std::vector<LogicalType> out;
  for (Kind k : {Kind::kString, Kind::kMap, Kind::kList, Kind::kEnum, Kind::kDate, Kind::kUnknown,
                 Kind::kJson, Kind::kBson, Kind::kUuid, Kind::kFloat16}) {
    LogicalType lt;
    lt.kind = k;
    out.push_back(lt);
  }
  LogicalType dec;
  dec.kind = Kind::kDecimal;
  dec.precision = 38;
  dec.scale = 9;
  out.push_back(dec);
  for (Kind k : {Kind::kTime, Kind::kTimestamp}) {
    for (TimeUnit u : {TimeUnit::kMillis, TimeUnit::kMicros, TimeUnit::kNanos}) {
      for (bool utc : {false, true}) {
        LogicalType lt;
        lt.kind = k;
        lt.unit = u;
        lt.is_adjusted_to_utc = utc;
        out.push_back(lt);
      }
    }
  }
  for (int8_t bits : {int8_t{8}, int8_t{16}, int8_t{32}, int8_t{64}}) {
    for (bool is_signed : {false, true}) {
      LogicalType lt;
      lt.kind = Kind::kInteger;
      lt.bit_width = bits;
      lt.is_signed = is_signed;
      out.push_back(lt);
    }
  }
  return out;
}

SchemaElement MakeSchemaElement(uint32_t mask, int i) {
  static const std::vector<LogicalType> kLogical = AllLogicalTypes();
  SchemaElement e;
  e.name = "col_" + std::to_string(i);
  if (mask & 1) e.type = static_cast<PhysicalType>(i % 8);
  if (mask & 2) e.type_length = i * 3 - 5;
  if (mask & 4) e.repetition_type = static_cast<FieldRepetitionType>(i % 3);
  if (mask & 8) e.num_children = i;
  if (mask & 16) e.converted_type = static_cast<ConvertedType>(i % 22);
  if (mask & 32) e.scale = -i;
  if (mask & 64) e.precision = i;
  if (mask & 128) e.field_id = i * 1000 - 7;
  if (mask & 256) e.logical_type = kLogical[static_cast<size_t>(i) % kLogical.size()];
  return e;
}

ColumnMetaData MakeColumnMetaData(uint32_t mask, int i) {
  static const Encoding kEncodings[] = {
      Encoding::kPlain, Encoding::kPlainDictionary, Encoding::kRle, Encoding::kBitPacked,
      Encoding::kDeltaBinaryPacked, Encoding::kDeltaLengthByteArray, Encoding::kDeltaByteArray,
      Encoding::kRleDictionary, Encoding::kByteStreamSplit, static_cast<Encoding>(42)};
  ColumnMetaData md;
  md.type = static_cast<PhysicalType>(i % 8);
  for (int k = 0; k < i % 20; ++k) md.encodings.push_back(kEncodings[k % 10]);
  for (int k = 0; k <= i % 3; ++k) md.path_in_schema.push_back("p" + std::to_string(k));
  md.codec = static_cast<CompressionCodec>(i % 8);
  md.num_values = int64_t{i} * 1000003;
  md.total_uncompressed_size = int64_t{1} << 33;
  md.total_compressed_size = i;
  if (mask & 1) {
    md.key_value_metadata.push_back({"k", std::string("v")});
    md.key_value_metadata.push_back({"no_value", std::nullopt});
  }
  md.data_page_offset = 4 + int64_t{i} * 100;
  if (mask & 2) md.index_page_offset = -1;
  if (mask & 4) md.dictionary_page_offset = 4;
  if (mask & 8) md.statistics = MakeStats(mask >> 9, i);
  if (mask & 16) {
    md.encoding_stats.push_back({PageType::kDictionaryPage, Encoding::kPlain, 1});
    md.encoding_stats.push_back({PageType::kDataPage, Encoding::kRleDictionary, i});
  }
  if (mask & 32) md.bloom_filter_offset = int64_t{i} << 20;
  if (mask & 64) md.bloom_filter_length = 4096;
  return md;
}

ColumnChunk MakeColumnChunk(uint32_t mask, int i) {
  ColumnChunk c;
  if (mask & 1) c.file_path = "part-" + std::to_string(i) + ".parquet";
  c.file_offset = int64_t{i} * 7;
  if (mask & 2) c.meta_data = MakeColumnMetaData(mask >> 7, i);
  if (mask & 4) c.offset_index_offset = 1000 + i;
  if (mask & 8) c.offset_index_length = 20 + i;
  if (mask & 16) c.column_index_offset = 2000 + i;
  if (mask & 32) c.column_index_length = 30 + i;
  return c;
}

// full: every optional set; otherwise masks from a fixed-seed generator (and
// the first column of each row group with none set).
FileMetaData MakeFileMetaData(bool full, int num_row_groups, int num_columns, uint32_t seed = 1) {
  std::mt19937 rng(seed);
  auto mask = [&]() -> uint32_t { return full ? ~0u : static_cast<uint32_t>(rng()); };
  FileMetaData md;
  md.version = 2;
  SchemaElement root;
  root.name = "schema";
  root.num_children = num_columns;
  md.schema.push_back(root);
  for (int c = 0; c < num_columns; ++c) md.schema.push_back(MakeSchemaElement(c == 0 && !full ? 0 : mask(), c));
  md.num_rows = int64_t{num_row_groups} * 1000;
  for (int g = 0; g < num_row_groups; ++g) {
    RowGroup rg;
    for (int c = 0; c < num_columns; ++c) rg.columns.push_back(MakeColumnChunk(c == 0 && !full ? 0 : mask(), c + g));
    rg.total_byte_size = 123456789;
    rg.num_rows = 1000;
    const uint32_t m = mask();
    if (m & 1) rg.sorting_columns = {{0, true, false}, {2, false, true}};
    if (m & 2) rg.file_offset = 4;
    if (m & 4) rg.total_compressed_size = 99999;
    if (m & 8) rg.ordinal = static_cast<int16_t>(-g - 1);
    md.row_groups.push_back(std::move(rg));
  }
  if (mask() & 1) md.key_value_metadata = {{"ARROW:schema", std::string(40, 'a')}, {"empty", std::nullopt}};
  if (mask() & 2) md.created_by = "edgepipe version 0.1.0";
  if (mask() & 4) md.num_column_orders = num_columns;
  return md;
}

FileMetaData MakeMinimalFileMetaData() {
  FileMetaData md;
  SchemaElement root;
  root.name = "r";
  md.schema.push_back(root);
  RowGroup rg;
  rg.columns.emplace_back();  // no meta_data, only the required file_offset
  md.row_groups.push_back(rg);
  return md;
}

PageHeader MakePageHeader(int variant, uint32_t mask) {
  PageHeader h;
  h.uncompressed_page_size = 1 << 20;
  h.compressed_page_size = 12345;
  if (mask & 1) h.crc = -123456789;
  switch (variant) {
    case 0: {
      h.type = PageType::kDataPage;
      DataPageHeader d;
      d.num_values = 4096;
      d.encoding = Encoding::kRleDictionary;
      d.definition_level_encoding = Encoding::kRle;
      d.repetition_level_encoding = Encoding::kBitPacked;
      if (mask & 2) d.statistics = MakeStats(mask >> 2, 3);
      h.data_page_header = d;
      break;
    }
    case 1: {
      h.type = PageType::kDictionaryPage;
      DictionaryPageHeader d;
      d.num_values = 17;
      d.encoding = Encoding::kPlain;
      if (mask & 2) d.is_sorted = (mask & 4) != 0;
      h.dictionary_page_header = d;
      break;
    }
    default: {
      h.type = PageType::kDataPageV2;
      DataPageHeaderV2 d;
      d.num_values = 100;
      d.num_nulls = 3;
      d.num_rows = 90;
      d.encoding = Encoding::kDeltaBinaryPacked;
      d.definition_levels_byte_length = 12;
      d.repetition_levels_byte_length = 0;
      d.is_compressed = (mask & 4) != 0;
      if (mask & 2) d.statistics = MakeStats(mask >> 3, 4);
      h.data_page_header_v2 = d;
      break;
    }
  }
  return h;
}

// kOther logical types are decoded but not written back (see parquet_types.h).
FileMetaData NormalizedForReencode(FileMetaData md) {
  for (SchemaElement& e : md.schema) {
    if (e.logical_type && e.logical_type->kind == LogicalType::Kind::kOther) e.logical_type.reset();
  }
  return md;
}

std::string Encode(const FileMetaData& md) {
  std::string out;
  EncodeFileMetaData(md, &out);
  return out;
}

std::string Encode(const PageHeader& h) {
  std::string out;
  EncodePageHeader(h, &out);
  return out;
}

void ExpectRoundTrip(const FileMetaData& md) {
  const std::string bytes = Encode(md);
  FileMetaData decoded;
  Status st = DecodeFileMetaData(U8(bytes), bytes.size(), &decoded);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_TRUE(decoded == md);
  // Stable encoding: re-encoding the decoded value gives the same bytes.
  EXPECT_EQ(Encode(decoded), bytes);
}

// --------------------------------------------------------------------------
// Round trips

TEST(ParquetThriftRoundTripTest, FileMetaDataFullyPopulated) {
  FileMetaData md = MakeFileMetaData(/*full=*/true, 3, 40);
  // Sanity: the builder really set everything.
  ASSERT_TRUE(md.row_groups[0].columns[5].meta_data.has_value());
  ASSERT_TRUE(md.row_groups[0].columns[5].meta_data->statistics->is_min_value_exact.has_value());
  ASSERT_TRUE(md.schema[3].logical_type.has_value());
  ExpectRoundTrip(md);
}

TEST(ParquetThriftRoundTripTest, FileMetaDataMinimal) {
  ExpectRoundTrip(MakeMinimalFileMetaData());
  FileMetaData empty;  // no row groups, empty schema list
  ExpectRoundTrip(empty);
}

TEST(ParquetThriftRoundTripTest, FileMetaDataEveryOptionalCombination) {
  for (uint32_t seed = 1; seed <= 40; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    ExpectRoundTrip(MakeFileMetaData(/*full=*/false, 1 + seed % 3, static_cast<int>(seed % 35), seed));
  }
}

TEST(ParquetThriftRoundTripTest, ListSizesAcrossShortAndLongForm) {
  for (int n : {0, 1, 7, 8, 14, 15, 16, 31, 32, 127, 128, 129}) {
    SCOPED_TRACE(n);
    FileMetaData md = MakeFileMetaData(/*full=*/true, 1, n);
    ExpectRoundTrip(md);
  }
}

TEST(ParquetThriftRoundTripTest, EveryLogicalType) {
  for (const LogicalType& lt : AllLogicalTypes()) {
    FileMetaData md = MakeMinimalFileMetaData();
    SchemaElement e;
    e.name = "x";
    e.logical_type = lt;
    md.schema.push_back(e);
    SCOPED_TRACE(static_cast<int>(lt.kind));
    ExpectRoundTrip(md);
  }
  // kOther is not written back.
  FileMetaData md = MakeMinimalFileMetaData();
  md.schema[0].logical_type = LogicalType{};
  ASSERT_EQ(md.schema[0].logical_type->kind, LogicalType::Kind::kOther);
  const std::string bytes = Encode(md);
  FileMetaData decoded;
  ASSERT_TRUE(DecodeFileMetaData(U8(bytes), bytes.size(), &decoded).ok());
  EXPECT_FALSE(decoded.schema[0].logical_type.has_value());
}

TEST(ParquetThriftRoundTripTest, UnknownEnumValuesArePreserved) {
  FileMetaData md = MakeFileMetaData(/*full=*/true, 1, 2);
  md.schema[1].type = static_cast<PhysicalType>(99);
  md.schema[1].converted_type = static_cast<ConvertedType>(-5);
  md.row_groups[0].columns[0].meta_data->codec = static_cast<CompressionCodec>(1000);
  ExpectRoundTrip(md);
  EXPECT_EQ(PhysicalTypeName(static_cast<PhysicalType>(99)), "UNKNOWN");
  EXPECT_EQ(CompressionCodecName(static_cast<CompressionCodec>(1000)), "UNKNOWN");
}

TEST(ParquetThriftRoundTripTest, PageHeaders) {
  for (int variant = 0; variant < 3; ++variant) {
    for (uint32_t mask : {0u, 1u, 2u, 3u, 4u, 6u, 7u, 0xFFFFu, 0x5A5Au}) {
      SCOPED_TRACE("variant " + std::to_string(variant) + " mask " + std::to_string(mask));
      const PageHeader h = MakePageHeader(variant, mask);
      std::string bytes = Encode(h);
      const size_t header_len = bytes.size();
      bytes += "page payload follows";
      PageHeader decoded;
      uint32_t header_size = 0;
      Status st = DecodePageHeader(U8(bytes), bytes.size(), &decoded, &header_size);
      ASSERT_TRUE(st.ok()) << st.ToString();
      EXPECT_TRUE(decoded == h);
      EXPECT_EQ(header_size, header_len);
    }
  }
}

TEST(ParquetThriftRoundTripTest, Names) {
  EXPECT_EQ(EncodingName(Encoding::kRleDictionary), "RLE_DICTIONARY");
  EXPECT_EQ(EncodingName(Encoding::kByteStreamSplit), "BYTE_STREAM_SPLIT");
  EXPECT_EQ(EncodingName(static_cast<Encoding>(1)), "UNKNOWN");  // GROUP_VAR_INT, never used
  EXPECT_EQ(CompressionCodecName(CompressionCodec::kZstd), "ZSTD");
  EXPECT_EQ(CompressionCodecName(CompressionCodec::kLz4Raw), "LZ4_RAW");
  EXPECT_EQ(PhysicalTypeName(PhysicalType::kFixedLenByteArray), "FIXED_LEN_BYTE_ARRAY");
  EXPECT_EQ(PageTypeName(PageType::kDataPageV2), "DATA_PAGE_V2");
  EXPECT_EQ(FieldRepetitionTypeName(FieldRepetitionType::kRepeated), "REPEATED");
  EXPECT_EQ(ConvertedTypeName(ConvertedType::kInterval), "INTERVAL");
  EXPECT_EQ(ConvertedTypeName(ConvertedType::kTimestampMicros), "TIMESTAMP_MICROS");
}

// --------------------------------------------------------------------------
// Hand-assembled bytes, following parquet.thrift field ids and the compact spec

TEST(ParquetThriftHandAssembledTest, DataPageHeader) {
  const std::string bytes = Bytes({
      0x15, 0x00,        // 1: type = DATA_PAGE (0)
      0x15, 0xC8, 0x01,  // 2: uncompressed_page_size = 100 (zigzag 200)
      0x15, 0x90, 0x01,  // 3: compressed_page_size = 72 (zigzag 144)
      0x2C,              // 5: data_page_header (delta 2, struct)
      0x15, 0x14,        //   1: num_values = 10
      0x15, 0x10,        //   2: encoding = RLE_DICTIONARY (8)
      0x15, 0x06,        //   3: definition_level_encoding = RLE (3)
      0x15, 0x06,        //   4: repetition_level_encoding = RLE
      0x00,              //   stop
      0x00,              // stop
      'd', 'a', 't', 'a',
  });
  PageHeader h;
  uint32_t header_size = 0;
  Status st = DecodePageHeader(U8(bytes), bytes.size(), &h, &header_size);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(header_size, bytes.size() - 4);
  EXPECT_EQ(h.type, PageType::kDataPage);
  EXPECT_EQ(h.uncompressed_page_size, 100);
  EXPECT_EQ(h.compressed_page_size, 72);
  EXPECT_FALSE(h.crc.has_value());
  ASSERT_TRUE(h.data_page_header.has_value());
  EXPECT_EQ(h.data_page_header->num_values, 10);
  EXPECT_EQ(h.data_page_header->encoding, Encoding::kRleDictionary);
  EXPECT_EQ(h.data_page_header->definition_level_encoding, Encoding::kRle);
  EXPECT_EQ(h.data_page_header->repetition_level_encoding, Encoding::kRle);
  EXPECT_FALSE(h.data_page_header->statistics.has_value());
  EXPECT_FALSE(h.dictionary_page_header.has_value());
  // Our encoder produces exactly these bytes for this header.
  EXPECT_EQ(Encode(h), bytes.substr(0, header_size));
}

TEST(ParquetThriftHandAssembledTest, DictionaryPageHeaderWithCrcAndIndexPage) {
  const std::string bytes = Bytes({
      0x15, 0x04,        // 1: type = DICTIONARY_PAGE (2)
      0x15, 0xA0, 0x1F,  // 2: uncompressed_page_size = 2000 (zigzag 4000)
      0x15, 0xA0, 0x1F,  // 3: compressed_page_size = 2000
      0x15, 0x01,        // 4: crc = -1
      0x2C, 0x00,        // 6: index_page_header (empty struct, skipped)
      0x1C,              // 7: dictionary_page_header
      0x15, 0x64,        //   1: num_values = 50
      0x15, 0x00,        //   2: encoding = PLAIN
      0x11,              //   3: is_sorted = true (bool in the type nibble)
      0x00,
      0x00,
  });
  PageHeader h;
  uint32_t header_size = 0;
  Status st = DecodePageHeader(U8(bytes), bytes.size(), &h, &header_size);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(header_size, bytes.size());
  EXPECT_EQ(h.type, PageType::kDictionaryPage);
  EXPECT_EQ(h.uncompressed_page_size, 2000);
  EXPECT_EQ(h.compressed_page_size, 2000);
  EXPECT_EQ(h.crc, -1);
  ASSERT_TRUE(h.dictionary_page_header.has_value());
  EXPECT_EQ(h.dictionary_page_header->num_values, 50);
  EXPECT_EQ(h.dictionary_page_header->encoding, Encoding::kPlain);
  EXPECT_EQ(h.dictionary_page_header->is_sorted, true);
}

TEST(ParquetThriftHandAssembledTest, DataPageHeaderV2IsCompressedFalse) {
  const std::string bytes = Bytes({
      0x15, 0x06, 0x15, 0x02, 0x15, 0x02,  // DATA_PAGE_V2, sizes 1, 1
      0x5C,                                // 8: data_page_header_v2
      0x15, 0x0A, 0x15, 0x02, 0x15, 0x08,  //   num_values 5, num_nulls 1, num_rows 4
      0x15, 0x00, 0x15, 0x04, 0x15, 0x00,  //   PLAIN, def 2 bytes, rep 0 bytes
      0x12,                                //   7: is_compressed = false
      0x00, 0x00,
  });
  PageHeader h;
  uint32_t header_size = 0;
  ASSERT_TRUE(DecodePageHeader(U8(bytes), bytes.size(), &h, &header_size).ok());
  ASSERT_TRUE(h.data_page_header_v2.has_value());
  const DataPageHeaderV2& v2 = *h.data_page_header_v2;
  EXPECT_EQ(v2.num_values, 5);
  EXPECT_EQ(v2.num_nulls, 1);
  EXPECT_EQ(v2.num_rows, 4);
  EXPECT_EQ(v2.encoding, Encoding::kPlain);
  EXPECT_EQ(v2.definition_levels_byte_length, 2);
  EXPECT_EQ(v2.repetition_levels_byte_length, 0);
  EXPECT_FALSE(v2.is_compressed);

  // Absent is_compressed means true (parquet.thrift default).
  std::string no_flag = bytes;
  no_flag.erase(no_flag.size() - 3, 1);
  ASSERT_TRUE(DecodePageHeader(U8(no_flag), no_flag.size(), &h, &header_size).ok());
  EXPECT_TRUE(h.data_page_header_v2->is_compressed);
}

TEST(ParquetThriftHandAssembledTest, FileMetaData) {
  const std::string bytes = Bytes({
      0x15, 0x02,  // 1: version = 1
      0x19, 0x2C,  // 2: schema, list<struct> of 2
      0x48, 0x06, 's', 'c', 'h', 'e', 'm', 'a',  //   4: name
      0x15, 0x02,                                //   5: num_children = 1
      0x00,
      0x15, 0x02,             //   1: type = INT32
      0x25, 0x00,             //   3: repetition_type = REQUIRED
      0x18, 0x01, 'x',        //   4: name = "x"
      0x6C,                   //   10 (delta 6): logicalType
      0xAC,                   //     10: INTEGER (IntType)
      0x13, 0x10,             //       1: bitWidth = 16 (i8, raw byte)
      0x12,                   //       2: isSigned = false
      0x00, 0x00,
      0x00,
      0x16, 0x06,             // 3: num_rows = 3
      0x19, 0x0C,             // 4: row_groups, empty list<struct>
      0x28, 0x02, 'e', 'p',   // 6: created_by = "ep"
      0x19, 0x2C,             // 7: column_orders, 2 entries
      0x1C, 0x00, 0x00,       //   TYPE_ORDER
      0x2C, 0x00, 0x00,       //   IEEE_754_TOTAL_ORDER (counted all the same)
      0x28, 0x01, 'k',        // 9: footer_signing_key_metadata (unknown to us: skipped)
      0x00,
  });
  FileMetaData md;
  Status st = DecodeFileMetaData(U8(bytes), bytes.size(), &md);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(md.version, 1);
  ASSERT_EQ(md.schema.size(), 2u);
  EXPECT_EQ(md.schema[0].name, "schema");
  EXPECT_EQ(md.schema[0].num_children, 1);
  EXPECT_FALSE(md.schema[0].type.has_value());
  EXPECT_FALSE(md.schema[0].repetition_type.has_value());
  EXPECT_EQ(md.schema[1].name, "x");
  EXPECT_EQ(md.schema[1].type, PhysicalType::kInt32);
  EXPECT_EQ(md.schema[1].repetition_type, FieldRepetitionType::kRequired);
  ASSERT_TRUE(md.schema[1].logical_type.has_value());
  EXPECT_EQ(md.schema[1].logical_type->kind, LogicalType::Kind::kInteger);
  EXPECT_EQ(md.schema[1].logical_type->bit_width, 16);
  EXPECT_FALSE(md.schema[1].logical_type->is_signed);
  EXPECT_EQ(md.num_rows, 3);
  EXPECT_TRUE(md.row_groups.empty());
  EXPECT_EQ(md.created_by, "ep");
  EXPECT_EQ(md.num_column_orders, 2);
}

TEST(ParquetThriftHandAssembledTest, LogicalTypeTimestampAndUnknownMembers) {
  // SchemaElement list with three logical types: TIMESTAMP(utc, NANOS),
  // VARIANT (16, unknown -> kOther), TIME with a unit member 4 (unknown -> kOther).
  const std::string bytes = Bytes({
      0x15, 0x02, 0x19, 0x3C,
      0x48, 0x01, 'a', 0x6C,   // name "a", 10: logicalType
      0x8C,                    //   8: TIMESTAMP
      0x11,                    //     1: isAdjustedToUTC = true
      0x1C, 0x3C, 0x00, 0x00,  //     2: unit { 3: NANOS {} }
      0x00, 0x00, 0x00,
      0x48, 0x01, 'b', 0x6C,
      0x0C, 0x20, 0x15, 0x02, 0x00,  //   long form id 16: VariantType { 1: i8 ... as i32 }
      0x00, 0x00,
      0x48, 0x01, 'c', 0x6C,
      0x7C, 0x12, 0x1C, 0x4C, 0x00, 0x00, 0x00,  // TIME { utc false, unit { 4: {} } }
      0x00, 0x00,
      0x16, 0x00, 0x19, 0x0C, 0x00,
  });
  FileMetaData md;
  Status st = DecodeFileMetaData(U8(bytes), bytes.size(), &md);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(md.schema.size(), 3u);
  const LogicalType& ts = *md.schema[0].logical_type;
  EXPECT_EQ(ts.kind, LogicalType::Kind::kTimestamp);
  EXPECT_TRUE(ts.is_adjusted_to_utc);
  EXPECT_EQ(ts.unit, TimeUnit::kNanos);
  EXPECT_EQ(md.schema[1].logical_type->kind, LogicalType::Kind::kOther);
  EXPECT_EQ(md.schema[2].logical_type->kind, LogicalType::Kind::kOther);
}

// --------------------------------------------------------------------------
// Forward compatibility: unknown fields of every type are skipped

void WriteUnknownFields(CompactWriter& w, int16_t first_id) {
  int16_t id = first_id;
  w.WriteFieldBool(id++, true);
  w.WriteFieldBool(id++, false);
  w.WriteFieldI8(id++, -1);
  w.WriteFieldI16(id++, -300);
  w.WriteFieldI32(id++, INT32_MIN);
  w.WriteFieldI64(id++, INT64_MIN);
  w.WriteFieldHeader(CompactType::kDouble, id++);
  w.WriteDouble(-0.5);
  w.WriteFieldBinary(id++, std::string(20, '\0'));
  w.WriteFieldHeader(CompactType::kUuid, id++);
  const uint8_t uuid[16] = {};
  w.WriteUuid(uuid);
  w.WriteFieldHeader(CompactType::kList, id++);  // list<bool>, long form
  w.WriteListHeader(CompactType::kBool, 17);
  for (int i = 0; i < 17; ++i) w.WriteBool(i % 2 == 0);
  w.WriteFieldHeader(CompactType::kSet, id++);  // set<list<i64>>
  w.WriteSetHeader(CompactType::kList, 2);
  for (int i = 0; i < 2; ++i) {
    w.WriteListHeader(CompactType::kI64, 2);
    w.WriteI64(-i);
    w.WriteI64(i);
  }
  w.WriteFieldHeader(CompactType::kMap, id++);  // map<binary, struct{ map<i32,bool>, struct{} }>
  w.WriteMapHeader(CompactType::kBinary, CompactType::kStruct, 2);
  for (int i = 0; i < 2; ++i) {
    w.WriteBinary("key");
    w.WriteStructBegin();
    w.WriteFieldHeader(CompactType::kMap, 1);
    w.WriteMapHeader(CompactType::kI32, CompactType::kBool, 1);
    w.WriteI32(7);
    w.WriteBool(true);
    w.WriteFieldHeader(CompactType::kStruct, 30);
    w.WriteStructBegin();
    w.WriteStructEnd();
    w.WriteStructEnd();
  }
  w.WriteFieldHeader(CompactType::kStruct, id++);  // struct{ list<struct{bool}> }
  w.WriteStructBegin();
  w.WriteFieldHeader(CompactType::kList, 1);
  w.WriteListHeader(CompactType::kStruct, 2);
  for (int i = 0; i < 2; ++i) {
    w.WriteStructBegin();
    w.WriteFieldBool(5, true);
    w.WriteStructEnd();
  }
  w.WriteStructEnd();
}

TEST(ParquetThriftForwardCompatTest, UnknownFieldsOfEveryTypeAreSkipped) {
  // A FileMetaData written by hand with junk interleaved at every level:
  // before, between and after known fields, with short and long field ids.
  std::string bytes;
  CompactWriter w(&bytes);
  w.WriteStructBegin();
  WriteUnknownFields(w, -20);  // negative ids, before anything known
  w.WriteFieldI32(1, 1);
  w.WriteFieldHeader(CompactType::kList, 2);
  w.WriteListHeader(CompactType::kStruct, 1);
  w.WriteStructBegin();  // SchemaElement
  w.WriteFieldBinary(4, "root");
  w.WriteFieldI32(11, 3);  // vector_length (newer than us)
  WriteUnknownFields(w, 40);
  w.WriteStructEnd();
  WriteUnknownFields(w, 200);
  w.WriteFieldI64(3, 42);
  w.WriteFieldHeader(CompactType::kList, 4);
  w.WriteListHeader(CompactType::kStruct, 1);
  w.WriteStructBegin();  // RowGroup
  w.WriteFieldHeader(CompactType::kList, 1);
  w.WriteListHeader(CompactType::kStruct, 1);
  w.WriteStructBegin();  // ColumnChunk
  w.WriteFieldI64(2, 99);
  w.WriteFieldHeader(CompactType::kStruct, 3);
  w.WriteStructBegin();  // ColumnMetaData
  w.WriteFieldI32(1, 1);
  w.WriteFieldHeader(CompactType::kList, 2);
  w.WriteListHeader(CompactType::kI32, 1);
  w.WriteI32(0);
  w.WriteFieldHeader(CompactType::kList, 3);
  w.WriteListHeader(CompactType::kBinary, 1);
  w.WriteBinary("root");
  w.WriteFieldI32(4, 6);
  w.WriteFieldI64(5, 42);
  w.WriteFieldI64(6, 100);
  w.WriteFieldI64(7, 50);
  w.WriteFieldI64(9, 4);
  w.WriteFieldHeader(CompactType::kStruct, 12);
  w.WriteStructBegin();  // Statistics
  WriteUnknownFields(w, 9);  // nan_count's id and beyond
  w.WriteStructEnd();
  w.WriteFieldHeader(CompactType::kStruct, 16);  // size_statistics (newer)
  w.WriteStructBegin();
  w.WriteFieldI64(1, 77);
  w.WriteStructEnd();
  WriteUnknownFields(w, 17);
  w.WriteStructEnd();
  w.WriteFieldHeader(CompactType::kStruct, 8);  // crypto_metadata (union)
  w.WriteStructBegin();
  w.WriteFieldHeader(CompactType::kStruct, 1);
  w.WriteStructBegin();
  w.WriteStructEnd();
  w.WriteStructEnd();
  w.WriteStructEnd();  // ColumnChunk
  w.WriteFieldI64(2, 1000);
  w.WriteFieldI64(3, 42);
  WriteUnknownFields(w, 8);
  w.WriteStructEnd();  // RowGroup
  WriteUnknownFields(w, 1000);
  w.WriteStructEnd();

  FileMetaData md;
  Status st = DecodeFileMetaData(U8(bytes), bytes.size(), &md);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(md.version, 1);
  ASSERT_EQ(md.schema.size(), 1u);
  EXPECT_EQ(md.schema[0].name, "root");
  EXPECT_EQ(md.num_rows, 42);
  ASSERT_EQ(md.row_groups.size(), 1u);
  ASSERT_EQ(md.row_groups[0].columns.size(), 1u);
  const ColumnChunk& cc = md.row_groups[0].columns[0];
  EXPECT_EQ(cc.file_offset, 99);
  ASSERT_TRUE(cc.meta_data.has_value());
  EXPECT_EQ(cc.meta_data->codec, CompressionCodec::kZstd);
  EXPECT_EQ(cc.meta_data->path_in_schema, std::vector<std::string>{"root"});
  ASSERT_TRUE(cc.meta_data->statistics.has_value());
  EXPECT_TRUE(*cc.meta_data->statistics == Statistics{});
  EXPECT_EQ(md.row_groups[0].total_byte_size, 1000);

  // Every truncation of it is Corruption.
  for (size_t len = 0; len < bytes.size(); ++len) {
    Status t = DecodeFileMetaData(U8(bytes), len, &md);
    ASSERT_TRUE(t.IsCorruption()) << "len " << len << ": " << t.ToString();
  }
}

TEST(ParquetThriftForwardCompatTest, KnownIdWithUnexpectedTypeIsSkipped) {
  // num_rows (3) written as binary: skipped like an unknown field, so the
  // required num_rows is then missing.
  std::string bytes;
  CompactWriter w(&bytes);
  w.WriteStructBegin();
  w.WriteFieldI32(1, 1);
  w.WriteFieldHeader(CompactType::kList, 2);
  w.WriteListHeader(CompactType::kStruct, 0);
  w.WriteFieldBinary(3, "not an i64");
  w.WriteFieldHeader(CompactType::kList, 4);
  w.WriteListHeader(CompactType::kStruct, 0);
  w.WriteStructEnd();
  FileMetaData md;
  Status st = DecodeFileMetaData(U8(bytes), bytes.size(), &md);
  EXPECT_TRUE(st.IsCorruption()) << st.ToString();
  EXPECT_NE(st.message().find("missing required field 'num_rows'"), std::string::npos) << st.ToString();
}

// --------------------------------------------------------------------------
// Corrupt input

TEST(ParquetThriftCorruptionTest, MissingRequiredFields) {
  // PageHeader with field 2's short header (delta 1) rewritten to delta 15:
  // it becomes unknown field 16, and field 3 becomes 17, so both sizes are missing.
  const PageHeader base = MakePageHeader(0, 0);
  const std::string bytes = Encode(base);
  std::string changed = bytes;
  size_t pos = 2;  // after 0x15 0x00 (type = DATA_PAGE)
  ASSERT_EQ(static_cast<uint8_t>(changed[pos]), 0x15);
  changed[pos] = static_cast<char>(0xF5);
  PageHeader h;
  uint32_t size;
  Status st = DecodePageHeader(U8(changed), changed.size(), &h, &size);
  EXPECT_TRUE(st.IsCorruption()) << st.ToString();
  EXPECT_NE(st.message().find("PageHeader: missing required field 'uncompressed_page_size' (id 2)"),
            std::string::npos)
      << st.ToString();
  EXPECT_NE(st.message().find("offset"), std::string::npos);

  // FileMetaData without row_groups.
  std::string fb;
  CompactWriter w(&fb);
  w.WriteStructBegin();
  w.WriteFieldI32(1, 1);
  w.WriteFieldHeader(CompactType::kList, 2);
  w.WriteListHeader(CompactType::kStruct, 0);
  w.WriteFieldI64(3, 0);
  w.WriteStructEnd();
  FileMetaData out;
  st = DecodeFileMetaData(U8(fb), fb.size(), &out);
  EXPECT_TRUE(st.IsCorruption());
  EXPECT_NE(st.message().find("'row_groups'"), std::string::npos) << st.ToString();

  // ColumnMetaData with only `type`, nested: the message gives the path.
  std::string cb;
  CompactWriter cw(&cb);
  cw.WriteStructBegin();
  cw.WriteFieldI32(1, 1);
  cw.WriteFieldHeader(CompactType::kList, 2);
  cw.WriteListHeader(CompactType::kStruct, 0);
  cw.WriteFieldI64(3, 0);
  cw.WriteFieldHeader(CompactType::kList, 4);
  cw.WriteListHeader(CompactType::kStruct, 1);
  cw.WriteStructBegin();
  cw.WriteFieldHeader(CompactType::kList, 1);
  cw.WriteListHeader(CompactType::kStruct, 1);
  cw.WriteStructBegin();
  cw.WriteFieldI64(2, 0);
  cw.WriteFieldHeader(CompactType::kStruct, 3);
  cw.WriteStructBegin();
  cw.WriteFieldI32(1, 1);
  cw.WriteStructEnd();
  cw.WriteStructEnd();
  cw.WriteStructEnd();
  cw.WriteStructEnd();
  st = DecodeFileMetaData(U8(cb), cb.size(), &out);
  EXPECT_TRUE(st.IsCorruption());
  EXPECT_NE(st.message().find("FileMetaData.row_groups[0]: RowGroup.columns[0]: ColumnChunk.meta_data: "
                              "thrift: ColumnMetaData: missing required field 'encodings'"),
            std::string::npos)
      << st.ToString();
}

TEST(ParquetThriftCorruptionTest, ListOfWrongElementType) {
  std::string bytes;
  CompactWriter w(&bytes);
  w.WriteStructBegin();
  w.WriteFieldI32(1, 1);
  w.WriteFieldHeader(CompactType::kList, 2);
  w.WriteListHeader(CompactType::kI32, 1);  // schema must be list<struct>
  w.WriteI32(5);
  w.WriteStructEnd();
  FileMetaData md;
  Status st = DecodeFileMetaData(U8(bytes), bytes.size(), &md);
  EXPECT_TRUE(st.IsCorruption());
  EXPECT_NE(st.message().find("FileMetaData.schema: expected list<struct>, got list<i32>"),
            std::string::npos)
      << st.ToString();
}

TEST(ParquetThriftCorruptionTest, TruncationAtEveryOffset) {
  const std::string bytes = Encode(MakeFileMetaData(/*full=*/true, 2, 6));
  ASSERT_GT(bytes.size(), 500u);
  FileMetaData md;
  for (size_t len = 0; len < bytes.size(); ++len) {
    // A copy of exactly `len` bytes, so ASan would see any over-read.
    const std::string cut = bytes.substr(0, len);
    Status st = DecodeFileMetaData(U8(cut), cut.size(), &md);
    ASSERT_TRUE(st.IsCorruption()) << "len " << len << ": " << st.ToString();
  }
  ASSERT_TRUE(DecodeFileMetaData(U8(bytes), bytes.size(), &md).ok());

  for (int variant = 0; variant < 3; ++variant) {
    const std::string page = Encode(MakePageHeader(variant, 0xFFFF));
    PageHeader h;
    uint32_t size;
    for (size_t len = 0; len < page.size(); ++len) {
      const std::string cut = page.substr(0, len);
      Status st = DecodePageHeader(U8(cut), cut.size(), &h, &size);
      ASSERT_TRUE(st.IsCorruption()) << "variant " << variant << " len " << len << ": " << st.ToString();
    }
  }
}

TEST(ParquetThriftCorruptionTest, ErrorNamesStructPathAndOffset) {
  const std::string bytes = Encode(MakeFileMetaData(/*full=*/true, 1, 3));
  // Cut inside the last column's statistics max_value (300 'z').
  const size_t z = bytes.rfind(std::string(300, 'z'));
  ASSERT_NE(z, std::string::npos);
  FileMetaData md;
  Status st = DecodeFileMetaData(U8(bytes), z + 10, &md);
  ASSERT_TRUE(st.IsCorruption());
  const std::string& msg = st.message();
  EXPECT_NE(msg.find("FileMetaData.row_groups[0]: RowGroup.columns[2]: ColumnChunk.meta_data: "
                     "ColumnMetaData.statistics: Statistics.max_value: thrift: binary length 300"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("at offset " + std::to_string(z - 2)), std::string::npos) << msg;
}

TEST(ParquetThriftCorruptionTest, RandomByteFlips) {
  const uint32_t seed = 20240607;
  std::mt19937 rng(seed);
  const std::string footer = Encode(MakeFileMetaData(/*full=*/true, 2, 5));
  const std::string page = Encode(MakePageHeader(2, 0xFFFF));
  int ok_count = 0, corrupt_count = 0;
  for (int iter = 0; iter < 3000; ++iter) {
    const bool is_footer = iter % 3 != 0;
    std::string bytes = is_footer ? footer : page;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) {
      const size_t at = rng() % bytes.size();
      bytes[at] = static_cast<char>(bytes[at] ^ static_cast<char>(1 + rng() % 255));
    }
    Status st;
    if (is_footer) {
      FileMetaData md;
      st = DecodeFileMetaData(U8(bytes), bytes.size(), &md);
      if (st.ok()) {
        // Whatever decoded must survive a re-encode unchanged.
        const FileMetaData norm = NormalizedForReencode(md);
        const std::string again = Encode(norm);
        FileMetaData md2;
        ASSERT_TRUE(DecodeFileMetaData(U8(again), again.size(), &md2).ok()) << "seed " << seed << " iter " << iter;
        ASSERT_TRUE(md2 == norm) << "seed " << seed << " iter " << iter;
      }
    } else {
      PageHeader h;
      uint32_t size = 0;
      st = DecodePageHeader(U8(bytes), bytes.size(), &h, &size);
      if (st.ok()) {
        ASSERT_LE(size, bytes.size());
        const std::string again = Encode(h);
        PageHeader h2;
        ASSERT_TRUE(DecodePageHeader(U8(again), again.size(), &h2, &size).ok()) << "seed " << seed << " iter " << iter;
        ASSERT_TRUE(h2 == h) << "seed " << seed << " iter " << iter;
      }
    }
    ASSERT_TRUE(st.ok() || st.IsCorruption()) << "seed " << seed << " iter " << iter << ": " << st.ToString();
    (st.ok() ? ok_count : corrupt_count)++;
  }
  // Both outcomes occur, so the test exercises both paths.
  EXPECT_GT(ok_count, 0) << "seed " << seed;
  EXPECT_GT(corrupt_count, 0) << "seed " << seed;
}

TEST(ParquetThriftCorruptionTest, HugeListClaimInSmallBufferDoesNotAllocate) {
  // FileMetaData.schema claims 2^31 - 1 and 2^31 structs, in 20 bytes.
  for (const std::string& varint : {Bytes({0xFF, 0xFF, 0xFF, 0xFF, 0x07}),
                                    Bytes({0x80, 0x80, 0x80, 0x80, 0x08}),
                                    Bytes({0xFF, 0xFF, 0xFF, 0xFF, 0x0F})}) {
    std::string bytes = Bytes({0x15, 0x02, 0x19, 0xFC}) + varint;
    bytes.resize(20, '\0');
    FileMetaData md;
    g_max_allocation = 0;
    g_track_allocations = true;
    Status st = DecodeFileMetaData(U8(bytes), bytes.size(), &md);
    g_track_allocations = false;
    EXPECT_TRUE(st.IsCorruption()) << st.ToString();
    EXPECT_NE(st.message().find("FileMetaData.schema"), std::string::npos) << st.ToString();
    // Only the error message and its Status; nothing sized by the claim.
    EXPECT_LT(g_max_allocation.load(), 512u);
  }
  // Same through ColumnMetaData.path_in_schema (list<binary>) in a page-sized buffer.
  std::string bytes = Bytes({0x15, 0x02, 0x19, 0x0C, 0x16, 0x00, 0x19, 0x1C,  // ..., row_groups: 1
                             0x19, 0x1C,                                          // columns: 1
                             0x26, 0x00, 0x1C,                                    // file_offset, meta_data
                             0x15, 0x00, 0x19, 0x05,                              // type, encodings: empty
                             0x19, 0xF8, 0xFF, 0xFF, 0xFF, 0xFF, 0x07});          // path: 2^31-1
  FileMetaData md;
  g_max_allocation = 0;
  g_track_allocations = true;
  Status st = DecodeFileMetaData(U8(bytes), bytes.size(), &md);
  g_track_allocations = false;
  EXPECT_TRUE(st.IsCorruption()) << st.ToString();
  EXPECT_NE(st.message().find("ColumnMetaData.path_in_schema"), std::string::npos) << st.ToString();
  EXPECT_LT(g_max_allocation.load(), 1024u);
}

TEST(ParquetThriftCorruptionTest, NestingDeeperThan64) {
  // FileMetaData (depth 1) holding an unknown struct field nested k deep.
  for (int k : {62, 63, 64, 65, 10000}) {
    SCOPED_TRACE(k);
    std::string bytes;
    CompactWriter w(&bytes);
    w.WriteStructBegin();
    w.WriteFieldI32(1, 1);
    w.WriteFieldHeader(CompactType::kList, 2);
    w.WriteListHeader(CompactType::kStruct, 0);
    w.WriteFieldI64(3, 0);
    w.WriteFieldHeader(CompactType::kList, 4);
    w.WriteListHeader(CompactType::kStruct, 0);
    w.WriteFieldHeader(CompactType::kStruct, 50);
    bytes += std::string(static_cast<size_t>(k - 1), '\x1C') + std::string(static_cast<size_t>(k), '\0');
    bytes.push_back('\0');  // FileMetaData stop
    FileMetaData md;
    Status st = DecodeFileMetaData(U8(bytes), bytes.size(), &md);
    if (1 + k <= thrift::CompactReader::kMaxDepth) {
      EXPECT_TRUE(st.ok()) << st.ToString();
    } else {
      EXPECT_TRUE(st.IsCorruption()) << st.ToString();
      EXPECT_NE(st.message().find("nesting deeper than 64"), std::string::npos) << st.ToString();
    }
  }
  // Deep lists inside a page header's unknown field.
  std::string page = Encode(MakePageHeader(0, 0));
  page.pop_back();  // reopen the PageHeader struct
  page += Bytes({0x09, 0x64});  // long-form field 50, list
  page += std::string(100, '\x19') + "\x09";
  page.push_back('\0');
  PageHeader h;
  uint32_t size;
  Status st = DecodePageHeader(U8(page), page.size(), &h, &size);
  EXPECT_TRUE(st.IsCorruption()) << st.ToString();
}

TEST(ParquetThriftCorruptionTest, DuplicateFieldsLastWins) {
  std::string bytes;
  CompactWriter w(&bytes);
  w.WriteStructBegin();
  w.WriteFieldI32(1, 1);
  w.WriteFieldHeader(CompactType::kList, 2);
  w.WriteListHeader(CompactType::kStruct, 0);
  w.WriteFieldI64(3, 5);
  w.WriteFieldHeader(CompactType::kList, 4);
  w.WriteListHeader(CompactType::kStruct, 0);
  w.WriteFieldBinary(6, "first");
  w.WriteFieldBinary(6, "second");  // delta 0: long form, same id
  w.WriteFieldI64(3, 7);
  w.WriteStructEnd();
  FileMetaData md;
  ASSERT_TRUE(DecodeFileMetaData(U8(bytes), bytes.size(), &md).ok());
  EXPECT_EQ(md.created_by, "second");
  EXPECT_EQ(md.num_rows, 7);
}

// --------------------------------------------------------------------------
// Seed corpus for fuzz/thrift_fuzz.cc: every checked-in file must decode.
// EDGEPIPE_WRITE_THRIFT_CORPUS=1 regenerates them from the builders above.

std::vector<std::pair<std::string, std::string>> CorpusFiles() {
  std::vector<std::pair<std::string, std::string>> files;
  files.emplace_back("footer_full.bin", Encode(MakeFileMetaData(true, 1, 3)));
  files.emplace_back("footer_mixed.bin", Encode(MakeFileMetaData(false, 2, 4, 7)));
  files.emplace_back("footer_minimal.bin", Encode(MakeMinimalFileMetaData()));
  for (int variant = 0; variant < 3; ++variant) {
    files.emplace_back("page_header_" + std::to_string(variant) + ".bin",
                       Encode(MakePageHeader(variant, 0xFFFF)));
  }
  return files;
}

TEST(ParquetThriftCorpusTest, SeedCorpusDecodes) {
  const char* src = std::getenv("EDGEPIPE_SOURCE_DIR");
  if (src == nullptr) GTEST_SKIP() << "EDGEPIPE_SOURCE_DIR not set (run through ctest)";
  const std::filesystem::path dir = std::filesystem::path(src) / "fuzz" / "corpus" / "thrift";
  const auto files = CorpusFiles();
  if (std::getenv("EDGEPIPE_WRITE_THRIFT_CORPUS") != nullptr) {
    std::filesystem::create_directories(dir);
    for (const auto& [name, bytes] : files) {
      ASSERT_LT(bytes.size(), 4096u) << name;
      std::ofstream(dir / name, std::ios::binary) << bytes;
    }
  }
  for (const auto& [name, expected] : files) {
    std::ifstream in(dir / name, std::ios::binary);
    ASSERT_TRUE(in.good()) << (dir / name);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(bytes, expected) << name << " is stale: rerun with EDGEPIPE_WRITE_THRIFT_CORPUS=1";
    FileMetaData md;
    PageHeader h;
    uint32_t size;
    const bool footer_ok = DecodeFileMetaData(U8(bytes), bytes.size(), &md).ok();
    const bool page_ok = DecodePageHeader(U8(bytes), bytes.size(), &h, &size).ok();
    EXPECT_TRUE(footer_ok || page_ok) << name;
  }
}

}  // namespace
}  // namespace edgepipe::parquet
