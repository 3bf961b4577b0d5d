// Corrupt input (LevelDB corruption_test style): a valid file truncated at
// every offset and with bytes flipped everywhere must give a clean status,
// never a crash, a hang or a huge allocation. Plus targeted forgeries.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "edgepipe/parquet/reader.h"
#include "parquet/reader_test_file_builder.h"

namespace edgepipe::parquet {
namespace {

using testing::BuildParquet;
using testing::TestColumn;
using testing::TestFile;
using testing::WriteFile;

std::string TempPath(const std::string& name) { return testing::TempParquetPath("reader_corrupt", name); }

// A small file exercising most paths: 2 row groups, dictionary strings,
// nullable delta ints, BSS floats with snappy, v2 booleans, zstd.
std::string SmallFile() {
  TestFile file;
  file.row_group_rows = 40;
  TestColumn id, seq, temp, flag;
  id.name = "id";
  id.physical = PhysicalType::kByteArray;
  id.dictionary = true;
  id.codec = CompressionCodec::kSnappy;
  id.page_rows = 25;
  seq.name = "seq";
  seq.physical = PhysicalType::kInt64;
  seq.optional = true;
  seq.encoding = Encoding::kDeltaBinaryPacked;
  seq.page_rows = 30;
  temp.name = "temp";
  temp.physical = PhysicalType::kFloat;
  temp.encoding = Encoding::kByteStreamSplit;
  temp.codec = CompressionCodec::kSnappy;
  flag.name = "flag";
  flag.physical = PhysicalType::kBoolean;
  flag.encoding = Encoding::kRle;
  flag.v2 = true;
  flag.optional = true;
  flag.codec = CompressionCodec::kZstd;
  for (int i = 0; i < 70; ++i) {
    id.s.push_back("s" + std::to_string(i % 3));
    seq.i64.push_back(i * 1000 + i % 5);
    seq.valid.push_back(i % 4 != 1);
    temp.f32.push_back(static_cast<float>(i) * 0.5f);
    flag.b.push_back(static_cast<uint8_t>(i % 3 == 0));
    flag.valid.push_back(i % 5 != 0);
  }
  file.columns = {id, seq, temp, flag};
  return BuildParquet(file);
}

// Opens and reads everything; returns the first error, or OK.
Status ReadAllOf(const std::string& path) {
  ParquetReadOptions options;
  options.max_decoded_bytes = int64_t{64} << 20;
  auto reader = ParquetFileReader::Open(path, options);
  if (!reader.ok()) return reader.status();
  (void)(*reader)->Info();
  auto table = (*reader)->ReadTable();
  if (!table.ok()) return table.status();
  for (int rg = 0; rg < (*reader)->num_row_groups(); ++rg) {
    auto batch = (*reader)->ReadRowGroup(rg);
    if (!batch.ok()) return batch.status();
  }
  return Status::OK();
}

bool IsCleanError(const Status& st) {
  return st.IsCorruption() || st.IsNotSupported() || st.code() == StatusCode::kOutOfMemory;
}

class ParquetReaderCorruptionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    good_ = SmallFile();
    path_ = TempPath(::testing::UnitTest::GetInstance()->current_test_info()->name());
  }
  void TearDown() override { ::unlink(path_.c_str()); }

  Status ReadBytes(const std::string& bytes) {
    WriteFile(path_, bytes);
    return ReadAllOf(path_);
  }

  std::string good_;
  std::string path_;
};

TEST_F(ParquetReaderCorruptionTest, ValidFileReads) {
  ASSERT_LT(good_.size(), 8192u);
  Status st = ReadBytes(good_);
  EXPECT_TRUE(st.ok()) << st.ToString();
}

TEST_F(ParquetReaderCorruptionTest, TruncatedAtEveryOffset) {
  for (size_t len = 0; len < good_.size(); ++len) {
    Status st = ReadBytes(good_.substr(0, len));
    ASSERT_TRUE(st.IsCorruption()) << "truncated to " << len << " bytes: " << st.ToString();
    ASSERT_NE(st.message().find(path_), std::string::npos) << st.ToString();
  }
}

TEST_F(ParquetReaderCorruptionTest, BytesFlippedEverywhere) {
  // Every byte, three masks: the result is OK (the flip hit a value) or a
  // clean error; never a crash (run under ASan/UBSan too).
  int errors = 0;
  for (size_t pos = 0; pos < good_.size(); ++pos) {
    for (uint8_t mask : {uint8_t{0x01}, uint8_t{0x80}, uint8_t{0xff}}) {
      std::string bad = good_;
      bad[pos] = static_cast<char>(bad[pos] ^ mask);
      Status st = ReadBytes(bad);
      if (!st.ok()) {
        ++errors;
        ASSERT_TRUE(IsCleanError(st)) << "flip at " << pos << " mask " << int{mask} << ": " << st.ToString();
      }
    }
  }
  EXPECT_GT(errors, static_cast<int>(good_.size()));  // most flips are detected
}

TEST_F(ParquetReaderCorruptionTest, ChosenFieldsOverwritten) {
  // Footer length: every value from 0 to far past the file.
  const size_t len_pos = good_.size() - 8;
  for (uint32_t len : {0u, 1u, 2u, 100u, static_cast<uint32_t>(good_.size() - 12),
                       static_cast<uint32_t>(good_.size() - 11), 0x7fffffffu, 0xffffffffu}) {
    std::string bad = good_;
    std::memcpy(&bad[len_pos], &len, 4);
    Status st = ReadBytes(bad);
    EXPECT_TRUE(st.IsCorruption()) << "footer length " << len << ": " << st.ToString();
  }
  std::string bad = good_;
  const uint32_t past = static_cast<uint32_t>(good_.size());
  std::memcpy(&bad[len_pos], &past, 4);
  Status st = ReadBytes(bad);
  EXPECT_NE(st.message().find("runs past the start"), std::string::npos) << st.ToString();
  EXPECT_NE(st.message().find("at byte"), std::string::npos) << st.ToString();
}

TEST_F(ParquetReaderCorruptionTest, WrongMagic) {
  std::string bad = good_;
  bad[0] = 'X';
  EXPECT_TRUE(ReadBytes(bad).IsCorruption());
  bad = good_;
  bad[bad.size() - 1] = 'X';
  EXPECT_TRUE(ReadBytes(bad).IsCorruption());
  bad = good_;
  bad[bad.size() - 1] = 'E';  // PARE: encrypted footer
  EXPECT_TRUE(ReadBytes(bad).IsNotSupported());
  EXPECT_TRUE(ReadBytes("PAR1PAR1").IsCorruption());
  EXPECT_TRUE(ReadBytes("").IsCorruption());
  EXPECT_TRUE(ReadBytes(std::string("PAR1\0\0\0\0PAR1", 12)).IsCorruption());  // empty footer
}

TEST_F(ParquetReaderCorruptionTest, NonexistentPath) {
  auto reader = ParquetFileReader::Open(path_ + ".does-not-exist");
  EXPECT_TRUE(reader.status().IsNotFound()) << reader.status().ToString();
}

// A file whose first data page header is forged.
std::string ForgedPage(std::optional<int32_t> uncompressed, CompressionCodec codec, PhysicalType type) {
  TestFile file;
  TestColumn c;
  c.name = "v";
  c.physical = type;
  c.codec = codec;
  c.first_page_uncompressed_size = uncompressed;
  for (int i = 0; i < 100; ++i) {
    c.i64.push_back(i);
    c.s.push_back("x" + std::to_string(i));
  }
  file.columns = {c};
  return BuildParquet(file);
}

TEST_F(ParquetReaderCorruptionTest, PageClaimingHugeUncompressedSize) {
  for (CompressionCodec codec : {CompressionCodec::kSnappy, CompressionCodec::kZstd, CompressionCodec::kGzip,
                                 CompressionCodec::kUncompressed}) {
    for (PhysicalType type : {PhysicalType::kInt64, PhysicalType::kByteArray}) {
      Status st = ReadBytes(ForgedPage(INT32_MAX, codec, type));  // ~2 GiB
      EXPECT_TRUE(st.IsCorruption()) << st.ToString();
      EXPECT_NE(st.message().find("page at byte"), std::string::npos) << st.ToString();
      // Plausible for strings but wrong: the codec must produce exactly it.
      st = ReadBytes(ForgedPage(5000, codec, type));
      EXPECT_TRUE(st.IsCorruption()) << st.ToString();
      st = ReadBytes(ForgedPage(-1, codec, type));
      EXPECT_TRUE(st.IsCorruption()) << st.ToString();
    }
  }
  // Fixed-width: bounded by the value count well below 1 GiB.
  Status st = ReadBytes(ForgedPage(100 * 18 + (64 << 10) + 1, CompressionCodec::kSnappy, PhysicalType::kInt64));
  EXPECT_NE(st.message().find("implausible"), std::string::npos) << st.ToString();
}

// Offset and header of the page_idx-th page of the first column chunk
// (which starts right after the leading magic).
size_t PageOffset(const std::string& bytes, int page_idx, PageHeader* header, uint32_t* header_size) {
  size_t pos = 4;
  for (int i = 0;; ++i) {
    EXPECT_TRUE(DecodePageHeader(reinterpret_cast<const uint8_t*>(bytes.data()) + pos, bytes.size() - pos, header,
                                 header_size)
                    .ok());
    if (i == page_idx) return pos;
    pos += *header_size + static_cast<size_t>(header->compressed_page_size);
  }
}

TEST_F(ParquetReaderCorruptionTest, ErrorMessagesNameFileRowGroupColumnAndByte) {
  std::string bad = good_;
  PageHeader header;
  uint32_t header_size = 0;
  const size_t page = PageOffset(bad, 1, &header, &header_size);  // after the dictionary page
  ASSERT_EQ(header.type, PageType::kDataPage);
  // Snappy: a length varint that never ends makes the stream invalid.
  for (int i = 0; i < 6; ++i) bad[page + header_size + i] = static_cast<char>(0xff);
  Status st = ReadBytes(bad);
  ASSERT_TRUE(st.IsCorruption()) << st.ToString();
  EXPECT_NE(st.message().find(path_ + ": row group 0, column 'id': page at byte " + std::to_string(page)),
            std::string::npos)
      << st.ToString();
}

TEST_F(ParquetReaderCorruptionTest, FooterLies) {
  // Build files whose footer promises what the pages do not hold.
  TestFile file;
  TestColumn c;
  c.name = "v";
  c.physical = PhysicalType::kInt32;
  for (int i = 0; i < 10; ++i) c.i32.push_back(i);
  file.columns = {c};
  std::string bytes = BuildParquet(file);
  // Decode, tamper, re-encode the footer.
  auto tamper = [&](auto fn) {
    uint32_t len;
    std::memcpy(&len, bytes.data() + bytes.size() - 8, 4);
    const size_t start = bytes.size() - 8 - len;
    FileMetaData md;
    EXPECT_TRUE(DecodeFileMetaData(reinterpret_cast<const uint8_t*>(bytes.data()) + start, len, &md).ok());
    fn(&md);
    std::string footer;
    EncodeFileMetaData(md, &footer);
    std::string out = bytes.substr(0, start) + footer;
    const uint32_t n = static_cast<uint32_t>(footer.size());
    out.append(reinterpret_cast<const char*>(&n), 4);
    out += "PAR1";
    return ReadBytes(out);
  };
  EXPECT_TRUE(tamper([](FileMetaData*) {}).ok());
  Status st = tamper([](FileMetaData* md) { md->row_groups[0].columns[0].meta_data->data_page_offset = 2; });
  EXPECT_TRUE(st.IsCorruption()) << st.ToString();
  st = tamper([](FileMetaData* md) { md->row_groups[0].columns[0].meta_data->total_compressed_size += 1000; });
  EXPECT_TRUE(st.IsCorruption()) << st.ToString();
  st = tamper([](FileMetaData* md) { md->row_groups[0].columns[0].meta_data->total_compressed_size = INT64_MAX; });
  EXPECT_TRUE(st.IsCorruption()) << st.ToString();
  st = tamper([](FileMetaData* md) { md->row_groups[0].columns[0].meta_data->data_page_offset = INT64_MIN; });
  EXPECT_TRUE(st.IsCorruption()) << st.ToString();
  st = tamper([](FileMetaData* md) { md->row_groups[0].num_rows = 11; });
  EXPECT_TRUE(st.IsCorruption()) << st.ToString();
  st = tamper([](FileMetaData* md) {
    md->num_rows = 11;
    md->row_groups[0].num_rows = 11;
    md->row_groups[0].columns[0].meta_data->num_values = 11;
  });
  EXPECT_TRUE(st.IsCorruption()) << st.ToString();
  EXPECT_NE(st.message().find("after 10 of its 11 values"), std::string::npos) << st.ToString();
  st = tamper([](FileMetaData* md) {
    md->num_rows = int64_t{1} << 40;
    md->row_groups[0].num_rows = int64_t{1} << 40;
    md->row_groups[0].columns[0].meta_data->num_values = int64_t{1} << 40;
  });
  EXPECT_EQ(st.code(), StatusCode::kOutOfMemory) << st.ToString();
  st = tamper([](FileMetaData* md) { md->row_groups[0].columns[0].meta_data->type = PhysicalType::kInt64; });
  EXPECT_TRUE(st.IsCorruption()) << st.ToString();
  st = tamper([](FileMetaData* md) { md->row_groups[0].columns.clear(); });
  EXPECT_TRUE(st.IsCorruption()) << st.ToString();
  st = tamper([](FileMetaData* md) { md->schema[0].num_children = 2; });
  EXPECT_TRUE(st.IsCorruption()) << st.ToString();
  st = tamper([](FileMetaData* md) { md->schema[0].num_children = -1; });
  EXPECT_TRUE(st.IsCorruption()) << st.ToString();
  st = tamper([](FileMetaData* md) { md->schema.push_back(md->schema[1]); });
  EXPECT_TRUE(st.IsCorruption()) << st.ToString();
  st = tamper([](FileMetaData* md) { md->schema[1].type.reset(); });
  EXPECT_TRUE(st.IsCorruption()) << st.ToString();
  st = tamper([](FileMetaData* md) { md->schema.clear(); });
  EXPECT_TRUE(st.IsCorruption()) << st.ToString();
  st = tamper([](FileMetaData* md) { md->row_groups[0].columns[0].meta_data->codec = CompressionCodec::kLzo; });
  EXPECT_TRUE(st.IsNotSupported()) << st.ToString();
  st = tamper([](FileMetaData* md) { md->row_groups[0].columns[0].meta_data->codec = static_cast<CompressionCodec>(42); });
  EXPECT_TRUE(st.IsNotSupported()) << st.ToString();
  // Deeply nested schema: no recursion on input depth.
  st = tamper([](FileMetaData* md) {
    SchemaElement leaf = md->schema[1];
    md->schema.resize(1);
    for (int i = 0; i < 100000; ++i) {
      SchemaElement g;
      g.name = "g";
      g.num_children = 1;
      g.repetition_type = FieldRepetitionType::kOptional;
      md->schema.push_back(g);
    }
    md->schema.push_back(leaf);
  });
  // path_in_schema no longer matches (Corruption) or the column is nested.
  EXPECT_TRUE(st.IsCorruption() || st.IsNotSupported()) << st.ToString();
}

TEST_F(ParquetReaderCorruptionTest, DictionaryIndexOutOfRange) {
  TestFile file;
  TestColumn c;
  c.name = "v";
  c.physical = PhysicalType::kInt64;
  c.dictionary = true;
  for (int i = 0; i < 64; ++i) c.i64.push_back(i % 2);
  file.columns = {c};
  std::string bytes = BuildParquet(file);
  // The data page body is <bit width 1><hybrid runs>; a bit width of 8 reads
  // indices past the 2-entry dictionary (or past the data).
  PageHeader header;
  uint32_t header_size = 0;
  const size_t page = PageOffset(bytes, 1, &header, &header_size);
  ASSERT_EQ(header.type, PageType::kDataPage);
  ASSERT_EQ(bytes[page + header_size], 1);
  bytes[page + header_size] = 8;
  Status st = ReadBytes(bytes);
  EXPECT_TRUE(st.IsCorruption()) << st.ToString();
}

// Writes the fuzz seed corpus (fuzz/corpus/parquet_reader/) when
// EDGEPIPE_WRITE_FUZZ_SEEDS names a directory; skipped otherwise.
TEST(ParquetReaderFuzzSeeds, Write) {
  const char* dir = std::getenv("EDGEPIPE_WRITE_FUZZ_SEEDS");
  if (dir == nullptr) GTEST_SKIP() << "set EDGEPIPE_WRITE_FUZZ_SEEDS=<dir> to write the seeds";
  std::vector<std::pair<std::string, std::string>> seeds = {{"small_mixed", SmallFile()}};
  struct Variant {
    std::string name;
    PhysicalType type;
    Encoding encoding;
    bool dictionary;
    CompressionCodec codec;
    bool v2;
    bool optional;
  };
  const std::vector<Variant> variants = {
      {"int32_plain_gzip_v1", PhysicalType::kInt32, Encoding::kPlain, false, CompressionCodec::kGzip, false, true},
      {"int64_delta_zstd_v2", PhysicalType::kInt64, Encoding::kDeltaBinaryPacked, false, CompressionCodec::kZstd, true, true},
      {"double_bss_lz4raw_v1", PhysicalType::kDouble, Encoding::kByteStreamSplit, false, CompressionCodec::kLz4Raw, false, false},
      {"string_dlba_lz4_v2", PhysicalType::kByteArray, Encoding::kDeltaLengthByteArray, false, CompressionCodec::kLz4, true, true},
      {"string_dba_none_v1", PhysicalType::kByteArray, Encoding::kDeltaByteArray, false, CompressionCodec::kUncompressed, false, true},
      {"string_dict_fallback", PhysicalType::kByteArray, Encoding::kPlain, true, CompressionCodec::kSnappy, false, true},
      {"int96_dict_v1", PhysicalType::kInt96, Encoding::kPlain, true, CompressionCodec::kUncompressed, false, false},
      {"bool_rle_v2", PhysicalType::kBoolean, Encoding::kRle, false, CompressionCodec::kUncompressed, true, true},
  };
  for (const Variant& v : variants) {
    TestFile file;
    file.row_group_rows = 60;
    TestColumn c;
    c.name = "c";
    c.physical = v.type;
    c.encoding = v.encoding;
    c.dictionary = v.dictionary;
    c.dictionary_pages = v.dictionary ? 1 : -1;
    c.codec = v.codec;
    c.v2 = v.v2;
    c.optional = v.optional;
    c.page_rows = 25;
    for (int i = 0; i < 100; ++i) {
      c.i32.push_back(i * 3 - 50);
      c.i64.push_back(int64_t{1700000000} * 1000000000 + i * 1000);
      c.f64.push_back(i * 0.5);
      c.b.push_back(static_cast<uint8_t>(i % 3 == 0));
      c.s.push_back("v" + std::to_string(i % 9));
      if (v.optional) c.valid.push_back(i % 6 != 2);
    }
    if (v.type == PhysicalType::kInt64) {
      c.logical = LogicalType{};
      c.logical->kind = LogicalType::Kind::kTimestamp;
      c.logical->unit = TimeUnit::kMicros;
      for (auto& x : c.i64) x /= 1000;
    }
    file.columns = {c};
    seeds.emplace_back(v.name, BuildParquet(file));
  }
  for (const auto& [name, bytes] : seeds) {
    ASSERT_LT(bytes.size(), 8192u) << name;
    WriteFile(std::string(dir) + "/" + name + ".parquet", bytes);
    Status st = ReadAllOf(std::string(dir) + "/" + name + ".parquet");
    EXPECT_TRUE(st.ok()) << name << ": " << st.ToString();
  }
}

}  // namespace
}  // namespace edgepipe::parquet
