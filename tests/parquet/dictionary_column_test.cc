// Dictionary-encoded string columns through Parquet: the reader hands out
// dictionary chunks as dictionary columns (ParquetReadOptions::read_dictionary),
// chunks with a PLAIN fallback plain; the writer writes dictionary columns
// from their codes. Files come from reader_test_file_builder.h (independent
// of our writer) and from our writer.

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "edgepipe/parquet/reader.h"
#include "edgepipe/parquet/writer.h"
#include "parquet/reader_test_file_builder.h"

namespace edgepipe::parquet {
namespace {

using testing::BuildParquet;
using testing::ExpectedColumn;
using testing::TestColumn;
using testing::TestFile;
using testing::WriteFile;

std::string TempPath(const std::string& name) { return testing::TempParquetPath("dict", name); }

class DictionaryParquetTest : public ::testing::Test {
 protected:
  void SetUp() override { path_ = TempPath(::testing::UnitTest::GetInstance()->current_test_info()->name()); }
  void TearDown() override { ::unlink(path_.c_str()); }
  std::string path_;
};

// A string column of `n` rows over `cardinality` values, every `null_every`th
// row (about) null when > 0.
TestColumn StringColumn(int64_t n, int cardinality, int null_every, uint32_t seed) {
  std::mt19937 rng(seed);
  TestColumn c;
  c.name = "id";
  c.physical = PhysicalType::kByteArray;
  c.logical = LogicalType{};
  c.logical->kind = LogicalType::Kind::kString;
  c.optional = null_every > 0;
  for (int64_t i = 0; i < n; ++i) {
    const uint32_t k = rng() % static_cast<uint32_t>(cardinality);
    c.s.push_back(k == 0 ? std::string() : "imu-" + std::to_string(k) + std::string(k % 19, 'z'));
    if (null_every > 0) c.valid.push_back(rng() % static_cast<uint32_t>(null_every) != 0);
  }
  c.dictionary = true;
  return c;
}

// Codes of every row (null rows too) are in range, and null rows hold 0.
void ExpectCodesInRange(const Column& col, const std::string& label) {
  ASSERT_TRUE(col.is_dictionary()) << label;
  const int64_t dict_len = col.dictionary()->length();
  EXPECT_FALSE(col.dictionary()->is_dictionary()) << label;
  for (int64_t i = 0; i < col.length(); ++i) {
    const int32_t code = col.dictionary_codes()[i];
    if (col.IsNull(i)) {
      ASSERT_EQ(code, 0) << label << " row " << i;
    } else {
      ASSERT_TRUE(code >= 0 && code < dict_len) << label << " row " << i << " code " << code;
    }
  }
}

// Reads `path` both ways and checks every batch against `c`; returns how
// many batches came back dictionary-encoded.
int ReadAndCheck(const std::string& path, const TestColumn& c, const std::string& label) {
  int dict_batches = 0;
  for (bool read_dictionary : {true, false}) {
    ParquetReadOptions options;
    options.read_dictionary = read_dictionary;
    auto table = ReadParquet(path, options);
    EXPECT_TRUE(table.ok()) << label << ": " << table.status().ToString();
    if (!table.ok()) return -1;
    EXPECT_EQ(table->num_rows(), c.num_rows()) << label;
    int64_t start = 0;
    for (const RecordBatch& batch : table->batches()) {
      const Column& got = batch.column(0);
      auto expected = ExpectedColumn(c, Type::kString, start, batch.num_rows());
      EXPECT_TRUE(expected.ok());
      EXPECT_TRUE(got.Equals(*expected)) << label << " rows " << start << "+" << batch.num_rows()
                                         << " read_dictionary=" << read_dictionary;
      for (int64_t i = 0; i < got.length(); ++i) {
        if (got.IsValid(i) && got.GetString(i) != expected->GetString(i)) {
          ADD_FAILURE() << label << " row " << start + i << ": '" << got.GetString(i) << "' != '"
                        << expected->GetString(i) << "'";
          break;
        }
      }
      if (!read_dictionary) {
        EXPECT_FALSE(got.is_dictionary()) << label;
      } else if (got.is_dictionary()) {
        ++dict_batches;
        ExpectCodesInRange(got, label);
      }
      start += batch.num_rows();
    }
    // Concatenating (mixed dictionary and plain batches too) keeps the values.
    auto whole = table->Concatenate();
    EXPECT_TRUE(whole.ok()) << label;
    if (whole.ok()) {
      auto expected = ExpectedColumn(c, Type::kString, 0, c.num_rows());
      EXPECT_TRUE(whole->column(0).Equals(*expected)) << label << " concatenated";
    }
  }
  return dict_batches;
}

TEST_F(DictionaryParquetTest, DictionaryChunksReadAsDictionaryColumns) {
  for (int64_t n : {0, 1, 7, 8, 127, 128, 129, 1023, 1024, 1025, 3001}) {
    for (int null_every : {0, 4}) {
      for (bool v2 : {false, true}) {
        for (Encoding enc : {Encoding::kRleDictionary, Encoding::kPlainDictionary}) {
          const uint32_t seed = static_cast<uint32_t>(n * 7 + null_every);
          TestFile file;
          file.row_group_rows = 1000;
          TestColumn c = StringColumn(n, 1 + static_cast<int>(n % 37), null_every, seed);
          c.v2 = v2;
          c.dictionary_page_encoding = enc;
          c.codec = v2 ? CompressionCodec::kZstd : CompressionCodec::kUncompressed;
          c.page_rows = 300;
          file.columns = {c};
          WriteFile(path_, BuildParquet(file));
          const std::string label = "n=" + std::to_string(n) + " nulls=" + std::to_string(null_every) +
                                    " v2=" + std::to_string(v2) + " " + std::string(EncodingName(enc)) +
                                    " seed=" + std::to_string(seed);
          // A 0-row chunk has no data pages, so its dictionary page is never read.
          const int64_t groups = (n + 999) / 1000;
          EXPECT_EQ(ReadAndCheck(path_, c, label), groups) << label << ": every chunk is dictionary-encoded";
          if (HasFatalFailure()) return;
        }
      }
    }
  }
}

TEST_F(DictionaryParquetTest, ChunkWithPlainFallbackReadsPlain) {
  // Row groups of 1000 rows in pages of 300: four pages, the first three
  // dictionary-encoded, the fourth in the fallback encoding. The last row
  // group (100 rows) has a single, dictionary-encoded page.
  for (Encoding fallback : {Encoding::kPlain, Encoding::kDeltaLengthByteArray, Encoding::kDeltaByteArray}) {
    for (int null_every : {0, 3}) {
      for (int dict_pages : {0, 1, 3}) {
        TestFile file;
        file.row_group_rows = 1000;
        TestColumn c = StringColumn(3100, 50, null_every, 11);
        c.encoding = fallback;
        c.dictionary_pages = dict_pages;
        c.page_rows = 300;
        c.codec = CompressionCodec::kSnappy;
        file.columns = {c};
        WriteFile(path_, BuildParquet(file));
        const std::string label = std::string(EncodingName(fallback)) + " after " + std::to_string(dict_pages) +
                                  " pages, nulls=" + std::to_string(null_every);
        // Only the last row group (one page) stays dictionary-encoded, and
        // only when its one page is a dictionary page.
        EXPECT_EQ(ReadAndCheck(path_, c, label), dict_pages > 0 ? 1 : 0) << label;
        if (HasFatalFailure()) return;
      }
    }
  }
}

TEST_F(DictionaryParquetTest, AllNullChunkWithEmptyDictionary) {
  TestFile file;
  TestColumn c = StringColumn(130, 3, 2, 5);
  c.valid.assign(130, false);
  file.columns = {c};
  WriteFile(path_, BuildParquet(file));
  auto table = ReadParquet(path_);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  const Column& col = table->batches()[0].column(0);
  ASSERT_TRUE(col.is_dictionary());
  EXPECT_EQ(col.dictionary()->length(), 0);
  EXPECT_EQ(col.null_count(), 130);
  ExpectCodesInRange(col, "all null");
  auto plain = col.DecodeDictionary();
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE(plain->Equals(*Column::MakeNull(Type::kString, 130)));
}

TEST_F(DictionaryParquetTest, OutOfRangeIndexIsCorruptionWithByteOffset) {
  TestFile file;
  TestColumn c;
  c.name = "id";
  c.physical = PhysicalType::kByteArray;
  c.dictionary = true;
  for (int i = 0; i < 64; ++i) c.s.push_back(i % 2 ? "b" : "a");
  file.columns = {c};
  std::string bytes = BuildParquet(file);
  // Rewrite the dictionary page header to claim 1 entry (of the 2 in the
  // body): index 1 is then out of range. Same header size, so no offset moves.
  PageHeader header;
  uint32_t header_size = 0;
  ASSERT_TRUE(DecodePageHeader(reinterpret_cast<const uint8_t*>(bytes.data()) + 4, bytes.size() - 4, &header,
                               &header_size)
                  .ok());
  ASSERT_EQ(header.type, PageType::kDictionaryPage);
  ASSERT_EQ(header.dictionary_page_header->num_values, 2);
  header.dictionary_page_header->num_values = 1;
  std::string forged;
  EncodePageHeader(header, &forged);
  ASSERT_EQ(forged.size(), header_size);
  bytes.replace(4, forged.size(), forged);
  const int64_t data_page = 4 + header_size + header.compressed_page_size;
  WriteFile(path_, bytes);
  for (bool read_dictionary : {true, false}) {
    ParquetReadOptions options;
    options.read_dictionary = read_dictionary;
    auto table = ReadParquet(path_, options);
    ASSERT_FALSE(table.ok()) << "read_dictionary=" << read_dictionary;
    EXPECT_TRUE(table.status().IsCorruption()) << table.status().ToString();
    EXPECT_NE(table.status().message().find("page at byte " + std::to_string(data_page)), std::string::npos)
        << table.status().ToString();
    EXPECT_NE(table.status().message().find("dictionary index 1"), std::string::npos) << table.status().ToString();
  }
}

// A small file with a dictionary chunk, a fallback chunk and nulls, for the
// truncation and flip sweeps.
std::string SmallDictionaryFile() {
  TestFile file;
  file.row_group_rows = 40;
  TestColumn a = StringColumn(90, 5, 3, 21);
  a.name = "a";
  a.page_rows = 15;
  a.dictionary_pages = 2;  // row groups of 40 rows: 3 pages, the third falls back
  a.codec = CompressionCodec::kSnappy;
  TestColumn b = StringColumn(90, 4, 0, 22);
  b.name = "b";
  b.v2 = true;
  b.page_rows = 25;
  file.columns = {a, b};
  return BuildParquet(file);
}

Status ReadEverything(const std::string& path, bool read_dictionary) {
  ParquetReadOptions options;
  options.read_dictionary = read_dictionary;
  options.max_decoded_bytes = int64_t{64} << 20;
  auto reader = ParquetFileReader::Open(path, options);
  if (!reader.ok()) return reader.status();
  auto table = (*reader)->ReadTable();
  if (!table.ok()) return table.status();
  auto stream = (*reader)->GetBatchReader();
  while (true) {
    auto batch = stream->Next();
    if (!batch.ok()) return batch.status();
    if (!*batch) break;
    for (const Column& col : (*batch)->columns()) {
      // Any value must be readable without running off a buffer.
      for (int64_t i = 0; i < col.length(); ++i) {
        if (col.IsValid(i)) (void)col.GetString(i).size();
      }
    }
  }
  return Status::OK();
}

TEST_F(DictionaryParquetTest, TruncatedAndFlippedFilesGiveCleanErrors) {
  const std::string good = SmallDictionaryFile();
  ASSERT_LT(good.size(), 4096u);
  WriteFile(path_, good);
  for (bool read_dictionary : {true, false}) {
    Status st = ReadEverything(path_, read_dictionary);
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  for (size_t len = 0; len < good.size(); ++len) {
    WriteFile(path_, good.substr(0, len));
    for (bool read_dictionary : {true, false}) {
      Status st = ReadEverything(path_, read_dictionary);
      ASSERT_TRUE(st.IsCorruption()) << "truncated to " << len << ": " << st.ToString();
    }
  }
  int errors = 0;
  for (size_t pos = 0; pos < good.size(); ++pos) {
    for (uint8_t mask : {uint8_t{0x01}, uint8_t{0xff}}) {
      std::string bad = good;
      bad[pos] = static_cast<char>(bad[pos] ^ mask);
      WriteFile(path_, bad);
      for (bool read_dictionary : {true, false}) {
        Status st = ReadEverything(path_, read_dictionary);
        if (st.ok()) continue;
        ++errors;
        ASSERT_TRUE(st.IsCorruption() || st.IsNotSupported() || st.code() == StatusCode::kOutOfMemory)
            << "flip at " << pos << " mask " << int{mask} << ": " << st.ToString();
      }
    }
  }
  EXPECT_GT(errors, static_cast<int>(good.size()));
}

TEST_F(DictionaryParquetTest, BatchStreamAndRowGroupFiltersKeepDictionaries) {
  TestFile file;
  file.row_group_rows = 500;
  TestColumn id = StringColumn(2400, 9, 5, 3);
  id.page_rows = 200;
  TestColumn seq;
  seq.name = "seq";
  seq.physical = PhysicalType::kInt64;
  for (int64_t i = 0; i < 2400; ++i) seq.i64.push_back(i);
  file.columns = {seq, id};
  WriteFile(path_, BuildParquet(file));
  ParquetReadOptions options;
  options.filters = {{"seq", 1200.0, 1900.0}};  // row groups 2 and 3 (rows 1000..1999)
  auto reader = ParquetFileReader::Open(path_, options);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ((*reader)->SelectedRowGroups(), (std::vector<int>{2, 3}));
  auto stream = (*reader)->GetBatchReader();
  int64_t start = 1000;
  int batches = 0;
  while (true) {
    auto batch = stream->Next();
    ASSERT_TRUE(batch.ok()) << batch.status().ToString();
    if (!*batch) break;
    const Column& col = (*batch)->column(1);
    ExpectCodesInRange(col, "stream");
    auto expected = ExpectedColumn(id, Type::kString, start, col.length());
    ASSERT_TRUE(expected.ok());
    EXPECT_TRUE(col.Equals(*expected)) << "rows from " << start;
    EXPECT_EQ((*batch)->column(0).values<int64_t>()[0], start);
    start += col.length();
    ++batches;
  }
  EXPECT_EQ(batches, 2);
  // ReadRowGroup and a projection to the string column alone.
  options.filters.clear();
  options.columns = {"id"};
  auto projected = ParquetFileReader::Open(path_, options);
  ASSERT_TRUE(projected.ok());
  auto rg = (*projected)->ReadRowGroup(4);
  ASSERT_TRUE(rg.ok()) << rg.status().ToString();
  ExpectCodesInRange(rg->column(0), "row group 4");
  EXPECT_TRUE(rg->column(0).Equals(*ExpectedColumn(id, Type::kString, 2000, 400)));
}

// ---------------------------------------------------------------- writer

std::shared_ptr<const Column> Dict(const std::vector<std::string>& entries) {
  return std::make_shared<const Column>(ColumnFromVector(Type::kString, entries).ValueOrDie());
}

// A dictionary column of n rows using only codes in `use` (so other entries
// are unused), nulls every `null_every` rows when > 0; and the same strings
// as a plain column.
std::pair<Column, Column> DictAndPlain(const std::shared_ptr<const Column>& dict, const std::vector<int32_t>& use,
                                       int64_t n, int null_every, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<int32_t> codes(static_cast<size_t>(n));
  std::vector<bool> valid(static_cast<size_t>(n), true);
  std::vector<std::string> strings(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    codes[i] = use[rng() % use.size()];
    if (null_every > 0 && rng() % static_cast<uint64_t>(null_every) == 0) valid[i] = false;
    if (valid[i]) strings[i] = std::string(dict->GetString(codes[i]));
  }
  auto col = DictionaryColumnFromVector(codes, dict, null_every > 0 ? valid : std::vector<bool>{});
  EXPECT_TRUE(col.ok()) << col.status().ToString();
  return {*col, *ColumnFromVector(Type::kString, strings, valid)};
}

std::shared_ptr<Schema> IdSchema() {
  return std::make_shared<Schema>(std::vector<Field>{{"id", Type::kString, true}});
}

TEST_F(DictionaryParquetTest, WriterWritesCodesWithoutRehashing) {
  // Duplicate entries ("a" twice) and unused ones ("zzz", "0-unused"): the
  // writer keeps the used entries as they are, duplicates included, which a
  // hashing encoder would have merged.
  auto dict = Dict({"a", "0-unused", "b", "a", "zzz", "c"});
  for (int64_t n : {1, 7, 8, 127, 128, 129, 1023, 1024, 1025}) {
    for (int null_every : {0, 5}) {
      auto [dcol, pcol] = DictAndPlain(dict, {0, 2, 3, 5}, n, null_every, static_cast<uint64_t>(n));
      Table table(IdSchema());
      ASSERT_TRUE(table.Append(*RecordBatch::Make(IdSchema(), {dcol})).ok());
      for (bool v2 : {false, true}) {
        ParquetWriteOptions options;
        options.data_page_v2 = v2;
        options.page_bytes = 256;  // several pages
        ASSERT_TRUE(WriteParquet(table, path_, options).ok());
        auto back = ReadParquet(path_);
        ASSERT_TRUE(back.ok()) << back.status().ToString();
        ASSERT_EQ(back->batches().size(), 1u);
        const Column& got = back->batches()[0].column(0);
        const std::string label = "n=" + std::to_string(n) + " nulls=" + std::to_string(null_every);
        EXPECT_TRUE(got.Equals(pcol)) << label;
        ExpectCodesInRange(got, label);
        // Entries used by some row, in dictionary order: at most a, b, a, c.
        std::vector<std::string> entries;
        for (int64_t e = 0; e < got.dictionary()->length(); ++e) entries.emplace_back(got.dictionary()->GetString(e));
        for (const std::string& e : entries) EXPECT_TRUE(e == "a" || e == "b" || e == "c") << label << ": " << e;
        if (n >= 127 && null_every == 0) {
          EXPECT_EQ(entries, (std::vector<std::string>{"a", "b", "a", "c"})) << label;
        }
        // Statistics come from the used entries only.
        auto reader = ParquetFileReader::Open(path_);
        ASSERT_TRUE(reader.ok());
        const FileInfo file_info = (*reader)->Info();
        const ColumnChunkInfo& info = file_info.row_groups[0].columns[0];
        EXPECT_NE(std::find(info.encodings.begin(), info.encodings.end(), "RLE_DICTIONARY"), info.encodings.end());
        if (n >= 127) {
          EXPECT_EQ(info.min.value_or("?"), "a") << label;
          EXPECT_EQ(info.max.value_or("?"), "c") << label;
        }
      }
    }
  }
}

TEST_F(DictionaryParquetTest, WriterCombinesBatchesWithDifferentDictionaries) {
  auto d1 = Dict({"imu-01", "imu-02", "imu-03"});
  auto d2 = Dict({"imu-03", "gps", ""});
  auto [a, pa] = DictAndPlain(d1, {0, 1, 2}, 700, 4, 1);
  auto [b, pb] = DictAndPlain(d2, {0, 1, 2}, 900, 0, 2);
  auto [c, pc] = DictAndPlain(d1, {2}, 300, 3, 3);
  std::vector<std::string> plain_strings = {"x", "imu-01", "", "y"};
  Column plain = *ColumnFromVector(Type::kString, plain_strings);
  Table dict_only(IdSchema()), mixed(IdSchema()), expect_dict(IdSchema()), expect_mixed(IdSchema());
  for (const Column* col : {&a, &b, &c}) ASSERT_TRUE(dict_only.Append(*RecordBatch::Make(IdSchema(), {*col})).ok());
  for (const Column* col : {&pa, &pb, &pc}) {
    ASSERT_TRUE(expect_dict.Append(*RecordBatch::Make(IdSchema(), {*col})).ok());
  }
  for (const Column* col : {&a, &plain, &b}) ASSERT_TRUE(mixed.Append(*RecordBatch::Make(IdSchema(), {*col})).ok());
  for (const Column* col : {&pa, &plain, &pb}) {
    ASSERT_TRUE(expect_mixed.Append(*RecordBatch::Make(IdSchema(), {*col})).ok());
  }
  struct Case {
    const char* name;
    const Table* input;
    const Table* expected;
  };
  for (const Case& k : {Case{"dictionaries", &dict_only, &expect_dict}, Case{"mixed", &mixed, &expect_mixed}}) {
    for (int64_t row_group_rows : {int64_t{100}, int64_t{1000}, int64_t{1 << 20}}) {
      ParquetWriteOptions options;
      options.row_group_rows = row_group_rows;
      options.compression = Compression::kSnappy;
      ASSERT_TRUE(WriteParquet(*k.input, path_, options).ok());
      auto back = ReadParquet(path_);
      ASSERT_TRUE(back.ok()) << back.status().ToString();
      EXPECT_TRUE(back->Equals(*k.expected)) << k.name << " row groups of " << row_group_rows;
      for (const RecordBatch& batch : back->batches()) ExpectCodesInRange(batch.column(0), k.name);
    }
  }
}

TEST_F(DictionaryParquetTest, WriterRespectsDictionaryLimitAndExplicitEncodings) {
  std::vector<std::string> entries;
  for (int i = 0; i < 300; ++i) entries.push_back("sensor-" + std::to_string(i) + std::string(20, 'x'));
  auto dict = Dict(entries);
  std::vector<int32_t> use(300);
  for (int i = 0; i < 300; ++i) use[i] = i;
  auto [dcol, pcol] = DictAndPlain(dict, use, 5000, 7, 9);
  Table table(IdSchema());
  ASSERT_TRUE(table.Append(*RecordBatch::Make(IdSchema(), {dcol})).ok());
  struct Case {
    const char* name;
    ParquetWriteOptions options;
    bool dictionary;
  };
  std::vector<Case> cases;
  cases.push_back({"limit", {}, false});
  cases.back().options.dictionary_bytes_limit = 1000;  // 300 entries need ~8.7 KB
  cases.push_back({"plain", {}, false});
  cases.back().options.columns["id"].encoding = ColumnEncoding::kPlain;
  cases.push_back({"delta_byte_array", {}, false});
  cases.back().options.columns["id"].encoding = ColumnEncoding::kDeltaByteArray;
  cases.push_back({"delta_length", {}, false});
  cases.back().options.columns["id"].encoding = ColumnEncoding::kDeltaLengthByteArray;
  cases.push_back({"dictionary", {}, true});
  cases.back().options.columns["id"].encoding = ColumnEncoding::kDictionary;
  for (const Case& k : cases) {
    ASSERT_TRUE(WriteParquet(table, path_, k.options).ok()) << k.name;
    auto back = ReadParquet(path_);
    ASSERT_TRUE(back.ok()) << k.name << ": " << back.status().ToString();
    ASSERT_EQ(back->batches().size(), 1u);
    const Column& got = back->batches()[0].column(0);
    EXPECT_EQ(got.is_dictionary(), k.dictionary) << k.name;
    EXPECT_TRUE(got.Equals(pcol)) << k.name;
  }
}

TEST_F(DictionaryParquetTest, ReadWriteReadRoundTrip) {
  TestFile file;
  file.row_group_rows = 700;
  TestColumn c = StringColumn(2500, 40, 6, 8);
  c.page_rows = 250;
  c.codec = CompressionCodec::kZstd;
  file.columns = {c};
  WriteFile(path_, BuildParquet(file));
  auto first = ReadParquet(path_);
  ASSERT_TRUE(first.ok());
  for (const RecordBatch& batch : first->batches()) ASSERT_TRUE(batch.column(0).is_dictionary());
  const std::string second_path = path_ + ".2.parquet";
  for (int64_t row_group_rows : {int64_t{300}, int64_t{700}, int64_t{5000}}) {
    ParquetWriteOptions options;
    options.row_group_rows = row_group_rows;
    ASSERT_TRUE(WriteParquet(*first, second_path, options).ok());
    auto second = ReadParquet(second_path);
    ASSERT_TRUE(second.ok()) << second.status().ToString();
    EXPECT_TRUE(second->Equals(*first)) << "row groups of " << row_group_rows;
    for (const RecordBatch& batch : second->batches()) ExpectCodesInRange(batch.column(0), "second read");
  }
  ::unlink(second_path.c_str());
}

}  // namespace
}  // namespace edgepipe::parquet
