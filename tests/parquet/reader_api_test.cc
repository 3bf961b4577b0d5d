// ParquetFileReader's API: projection, row-group skipping from statistics,
// ReadRowGroup, the batch stream, Info(), unsupported columns.

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "edgepipe/parquet/reader.h"
#include "parquet/reader/statistics.h"
#include "parquet/reader_test_file_builder.h"

namespace edgepipe::parquet {
namespace {

using testing::BuildParquet;
using testing::TestColumn;
using testing::TestFile;
using testing::WriteFile;

std::string TempPath(const std::string& name) { return testing::TempParquetPath("reader_api", name); }

LogicalType Timestamp(TimeUnit unit) {
  LogicalType t;
  t.kind = LogicalType::Kind::kTimestamp;
  t.unit = unit;
  t.is_adjusted_to_utc = true;
  return t;
}

// 4 row groups of 250 rows: seq = row, ts = 1.7e12 ms + row ms, temp = row /
// 10 (float), name = "n<row % 7>", flag, and an optional column whose third
// row group is all null.
TestFile SensorFile() {
  TestFile file;
  file.row_group_rows = 250;
  file.key_value_metadata = {{"origin", std::string("test")}};
  TestColumn seq, ts, temp, name, maybe;
  seq.name = "seq";
  seq.physical = PhysicalType::kInt64;
  seq.encoding = Encoding::kDeltaBinaryPacked;
  ts.name = "ts";
  ts.physical = PhysicalType::kInt64;
  ts.logical = Timestamp(TimeUnit::kMillis);
  ts.codec = CompressionCodec::kZstd;
  temp.name = "temp";
  temp.physical = PhysicalType::kFloat;
  temp.encoding = Encoding::kByteStreamSplit;
  temp.codec = CompressionCodec::kSnappy;
  name.name = "name";
  name.physical = PhysicalType::kByteArray;
  name.dictionary = true;
  maybe.name = "maybe";
  maybe.physical = PhysicalType::kInt32;
  maybe.optional = true;
  for (int64_t i = 0; i < 1000; ++i) {
    seq.i64.push_back(i);
    ts.i64.push_back(int64_t{1700000000000} + i);
    temp.f32.push_back(static_cast<float>(i) / 10.0f);
    name.s.push_back("n" + std::to_string(i % 7));
    maybe.i32.push_back(static_cast<int32_t>(i));
    maybe.valid.push_back(!(i >= 500 && i < 750));
  }
  file.columns = {seq, ts, temp, name, maybe};
  return file;
}

class ParquetReaderApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = TempPath(::testing::UnitTest::GetInstance()->current_test_info()->name());
    WriteFile(path_, BuildParquet(SensorFile()));
  }
  void TearDown() override { ::unlink(path_.c_str()); }

  std::vector<int> Selected(std::vector<RangeFilter> filters) {
    ParquetReadOptions options;
    options.filters = std::move(filters);
    auto reader = ParquetFileReader::Open(path_, options);
    EXPECT_TRUE(reader.ok()) << reader.status().ToString();
    if (!reader.ok()) return {-1};
    return (*reader)->SelectedRowGroups();
  }

  std::string path_;
};

TEST_F(ParquetReaderApiTest, SchemaAndCounts) {
  auto reader = ParquetFileReader::Open(path_);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ((*reader)->num_rows(), 1000);
  EXPECT_EQ((*reader)->num_row_groups(), 4);
  const Schema& s = *(*reader)->schema();
  ASSERT_EQ(s.num_fields(), 5);
  EXPECT_EQ(s.field(0), (Field{"seq", Type::kInt64, false}));
  EXPECT_EQ(s.field(1), (Field{"ts", Type::kTimestamp, false}));
  EXPECT_EQ(s.field(2), (Field{"temp", Type::kFloat32, false}));
  EXPECT_EQ(s.field(3), (Field{"name", Type::kString, false}));
  EXPECT_EQ(s.field(4), (Field{"maybe", Type::kInt32, true}));
}

TEST_F(ParquetReaderApiTest, ReadTableSharesOneBufferPerFixedWidthColumn) {
  auto table = ReadParquet(path_);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  ASSERT_EQ(table->batches().size(), 4u);
  const auto& batches = table->batches();
  for (size_t b = 0; b < batches.size(); ++b) {
    EXPECT_EQ(batches[b].column(0).values_buffer(), batches[0].column(0).values_buffer());
    EXPECT_EQ(batches[b].column(0).offset(), static_cast<int64_t>(b) * 250);
    EXPECT_EQ(batches[b].column(0).values<int64_t>()[0], static_cast<int64_t>(b) * 250);
    EXPECT_EQ(batches[b].column(1).values<int64_t>()[3], (int64_t{1700000000000} + static_cast<int64_t>(b) * 250 + 3) * 1000000);
  }
  // Row group 2 of `maybe` is all null; the others have no validity bitmap.
  EXPECT_EQ(batches[2].column(4).null_count(), 250);
  EXPECT_EQ(batches[1].column(4).null_count(), 0);
  EXPECT_EQ(batches[1].column(4).validity_bits(), nullptr);
  EXPECT_TRUE(batches[2].column(4).IsNull(0));
  EXPECT_TRUE(batches[2].column(4).IsNull(249));
  EXPECT_EQ(batches[3].column(3).GetString(0), "n" + std::to_string(750 % 7));
}

TEST_F(ParquetReaderApiTest, Projection) {
  ParquetReadOptions options;
  options.columns = {"name", "seq"};
  auto reader = ParquetFileReader::Open(path_, options);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  ASSERT_EQ((*reader)->schema()->num_fields(), 2);
  EXPECT_EQ((*reader)->schema()->field(0).name, "name");
  EXPECT_EQ((*reader)->schema()->field(1).name, "seq");
  auto batch = (*reader)->ReadRowGroup(1);
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  EXPECT_EQ(batch->num_rows(), 250);
  EXPECT_EQ(batch->column(0).GetString(0), "n" + std::to_string(250 % 7));
  EXPECT_EQ(batch->column(1).values<int64_t>()[249], 499);

  options.columns = {"nope"};
  auto missing = ParquetFileReader::Open(path_, options);
  EXPECT_TRUE(missing.status().IsNotFound()) << missing.status().ToString();
  EXPECT_NE(missing.status().message().find("seq, ts, temp, name, maybe"), std::string::npos);
  options.columns = {"seq", "seq"};
  EXPECT_TRUE(ParquetFileReader::Open(path_, options).status().IsInvalidArgument());
}

TEST_F(ParquetReaderApiTest, ReadRowGroupOutOfRange) {
  auto reader = ParquetFileReader::Open(path_);
  ASSERT_TRUE(reader.ok());
  EXPECT_TRUE((*reader)->ReadRowGroup(4).status().IsInvalidArgument());
  EXPECT_TRUE((*reader)->ReadRowGroup(-1).status().IsInvalidArgument());
}

TEST_F(ParquetReaderApiTest, RowGroupSkippingFromStatistics) {
  EXPECT_EQ(Selected({}), (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(Selected({{"seq", 250.0, 499.0}}), (std::vector<int>{1}));
  EXPECT_EQ(Selected({{"seq", 249.0, 250.0}}), (std::vector<int>{0, 1}));
  EXPECT_EQ(Selected({{"seq", 999.0, std::nullopt}}), (std::vector<int>{3}));
  EXPECT_EQ(Selected({{"seq", std::nullopt, -1.0}}), (std::vector<int>{}));
  EXPECT_EQ(Selected({{"seq", 1000.5, std::nullopt}}), (std::vector<int>{}));
  // Timestamps compare in ns.
  const double ms = 1e6;
  EXPECT_EQ(Selected({{"ts", (1700000000000.0 + 600) * ms, std::nullopt}}), (std::vector<int>{2, 3}));
  EXPECT_EQ(Selected({{"ts", std::nullopt, (1700000000000.0 + 100) * ms}}), (std::vector<int>{0}));
  EXPECT_EQ(Selected({{"temp", 30.0, 60.0}}), (std::vector<int>{1, 2}));
  // Two filters intersect.
  EXPECT_EQ(Selected({{"temp", 30.0, 60.0}, {"seq", 0.0, 400.0}}), (std::vector<int>{1}));
  // The all-null row group of `maybe` never matches.
  EXPECT_EQ(Selected({{"maybe", 0.0, 2000.0}}), (std::vector<int>{0, 1, 3}));

  ParquetReadOptions options;
  options.filters = {{"seq", 600.0, std::nullopt}};
  auto table = ReadParquet(path_, options);
  ASSERT_TRUE(table.ok());
  EXPECT_EQ(table->num_rows(), 500);  // whole row groups 2 and 3, rows not filtered
  EXPECT_EQ(table->batches()[0].column(0).values<int64_t>()[0], 500);

  options.filters = {{"name", 0.0, 1.0}};
  EXPECT_TRUE(ParquetFileReader::Open(path_, options).status().IsInvalidArgument());
  options.filters = {{"absent", 0.0, 1.0}};
  EXPECT_TRUE(ParquetFileReader::Open(path_, options).status().IsInvalidArgument());
}

TEST_F(ParquetReaderApiTest, BatchStreamYieldsSelectedRowGroupsInOrder) {
  ParquetReadOptions options;
  options.filters = {{"seq", 250.0, std::nullopt}};
  auto reader = ParquetFileReader::Open(path_, options);
  ASSERT_TRUE(reader.ok());
  std::unique_ptr<BatchReader> stream = (*reader)->GetBatchReader();
  EXPECT_EQ(*stream->schema(), *(*reader)->schema());
  int64_t expected_first = 250;
  int batches = 0;
  while (true) {
    auto next = stream->Next();
    ASSERT_TRUE(next.ok()) << next.status().ToString();
    if (!next->has_value()) break;
    EXPECT_EQ((*next)->num_rows(), 250);
    EXPECT_EQ((*next)->column(0).values<int64_t>()[0], expected_first);
    expected_first += 250;
    ++batches;
  }
  EXPECT_EQ(batches, 3);
  auto again = stream->Next();
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->has_value());
}

TEST_F(ParquetReaderApiTest, Info) {
  auto reader = ParquetFileReader::Open(path_);
  ASSERT_TRUE(reader.ok());
  FileInfo info = (*reader)->Info();
  EXPECT_EQ(info.num_rows, 1000);
  EXPECT_EQ(info.format_version, 2);
  EXPECT_EQ(info.created_by, "edgepipe reader test");
  ASSERT_EQ(info.key_value_metadata.size(), 1u);
  EXPECT_EQ(info.key_value_metadata[0].first, "origin");
  ASSERT_EQ(info.row_groups.size(), 4u);
  const RowGroupInfo& rg = info.row_groups[1];
  EXPECT_EQ(rg.num_rows, 250);
  ASSERT_EQ(rg.columns.size(), 5u);
  EXPECT_EQ(rg.columns[0].column, "seq");
  EXPECT_EQ(rg.columns[0].physical_type, "INT64");
  EXPECT_EQ(rg.columns[0].codec, "UNCOMPRESSED");
  EXPECT_EQ(rg.columns[0].encodings, std::vector<std::string>{"DELTA_BINARY_PACKED"});
  EXPECT_EQ(rg.columns[0].min, "250");
  EXPECT_EQ(rg.columns[0].max, "499");
  EXPECT_EQ(rg.columns[0].null_count, 0);
  EXPECT_EQ(rg.columns[0].num_values, 250);
  EXPECT_GT(rg.columns[0].compressed_bytes, 0);
  EXPECT_EQ(rg.columns[0].data_pages, -1);
  EXPECT_EQ(rg.columns[1].codec, "ZSTD");
  EXPECT_EQ(rg.columns[1].min, "2023-11-14T22:13:20.250Z");
  EXPECT_EQ(rg.columns[2].min, "25");
  EXPECT_EQ(rg.columns[2].max, "49.9");
  EXPECT_EQ(rg.columns[3].min, "n0");
  EXPECT_EQ(rg.columns[3].max, "n6");
  EXPECT_EQ(info.row_groups[2].columns[4].null_count, 250);
  EXPECT_FALSE(info.row_groups[2].columns[4].min.has_value());
}

TEST(ParquetReaderStatisticsTest, FormatTimestampAndDate) {
  EXPECT_EQ(FormatTimestamp(0, 9), "1970-01-01T00:00:00.000000000Z");
  EXPECT_EQ(FormatTimestamp(-1, 3), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatTimestamp(951782400, 0), "2000-02-29T00:00:00Z");
  EXPECT_EQ(FormatTimestamp(INT64_MIN, 9), "1677-09-21T00:12:43.145224192Z");
  EXPECT_EQ(FormatTimestamp(INT64_MAX, 9), "2262-04-11T23:47:16.854775807Z");
  EXPECT_EQ(FormatDate(0), "1970-01-01");
  EXPECT_EQ(FormatDate(-719468), "0000-03-01");
  EXPECT_EQ(FormatDate(2932896), "9999-12-31");
}

TEST(ParquetReaderUnsupportedTest, UnsupportedColumnsCanBeProjectedAway) {
  TestFile file;
  TestColumn ok, flba, dec;
  ok.name = "ok";
  ok.physical = PhysicalType::kInt32;
  ok.i32 = {1, 2, 3};
  flba.name = "uuid";
  flba.physical = PhysicalType::kFixedLenByteArray;
  flba.type_length = 2;
  flba.s = {"ab", "cd", "ef"};
  dec.name = "price";
  dec.physical = PhysicalType::kInt32;
  dec.converted = ConvertedType::kDecimal;
  dec.i32 = {100, 200, 300};
  dec.statistics = false;
  flba.statistics = false;
  file.columns = {ok, flba, dec};
  const std::string path = TempPath("unsupported");
  WriteFile(path, BuildParquet(file));
  auto all = ParquetFileReader::Open(path);
  ASSERT_TRUE(all.status().IsNotSupported()) << all.status().ToString();
  EXPECT_NE(all.status().message().find("'uuid'"), std::string::npos) << all.status().ToString();
  ParquetReadOptions options;
  options.columns = {"price"};
  auto decimal = ParquetFileReader::Open(path, options);
  EXPECT_TRUE(decimal.status().IsNotSupported()) << decimal.status().ToString();
  options.columns = {"ok"};
  auto table = ReadParquet(path, options);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  EXPECT_EQ(table->batches()[0].column(0).values<int32_t>()[2], 3);
  ::unlink(path.c_str());
}

TEST(ParquetReaderUnsupportedTest, MemoryLimitFromFooter) {
  TestFile file;
  TestColumn c;
  c.name = "v";
  c.physical = PhysicalType::kInt64;
  for (int i = 0; i < 1000; ++i) c.i64.push_back(i);
  file.columns = {c};
  const std::string path = TempPath("limit");
  WriteFile(path, BuildParquet(file));
  ParquetReadOptions options;
  options.max_decoded_bytes = 7999;
  auto reader = ParquetFileReader::Open(path, options);
  EXPECT_EQ(reader.status().code(), StatusCode::kOutOfMemory) << reader.status().ToString();
  options.max_decoded_bytes = 8000;
  EXPECT_TRUE(ReadParquet(path, options).ok());
  ::unlink(path.c_str());
}

TEST(ParquetReaderUnsupportedTest, EmptyFile) {
  TestFile file;
  TestColumn c;
  c.name = "v";
  c.physical = PhysicalType::kDouble;
  c.optional = true;
  file.columns = {c};
  const std::string path = TempPath("empty");
  WriteFile(path, BuildParquet(file));
  auto table = ReadParquet(path);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  EXPECT_EQ(table->num_rows(), 0);
  EXPECT_EQ(table->schema()->field(0).type, Type::kFloat64);
  ::unlink(path.c_str());
}

}  // namespace
}  // namespace edgepipe::parquet
