// Writer tests that need no reader: the footer is decoded with the thrift
// layer and checked field by field. Round trips live in roundtrip_test.cc
// and the interop tests (DuckDB, Polars read what we write).

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <random>

#include "edgepipe/core/mapped_file.h"
#include "edgepipe/parquet/writer.h"
#include "parquet/thrift/parquet_types.h"
#include "parquet/writer/column_chunk_writer.h"

namespace edgepipe::parquet {
namespace {

namespace fs = std::filesystem;

class WriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("edgepipe_writer_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }
  fs::path dir_;
};

// A sensor-like table: constant-rate timestamps, 3 sensor ids, a seq, a float
// column with nulls and an all-valid double column.
Table SensorTable(int64_t rows, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<int64_t> ts, seq;
  std::vector<std::string> ids;
  std::vector<float> ax;
  std::vector<double> temp;
  std::vector<bool> ax_valid;
  for (int64_t i = 0; i < rows; ++i) {
    ts.push_back(1700000000000000000 + i * 1000000);
    seq.push_back(i / 3);
    ids.push_back("imu-0" + std::to_string(i % 3));
    ax.push_back(static_cast<float>(std::normal_distribution<double>(0, 1)(rng)));
    ax_valid.push_back(i % 7 != 3);
    temp.push_back(25.0 + static_cast<double>(i % 100) * 0.01);
  }
  auto schema = std::make_shared<Schema>(std::vector<Field>{{"timestamp", Type::kTimestamp, false},
                                                            {"sensor_id", Type::kString, true},
                                                            {"seq", Type::kInt64, true},
                                                            {"ax", Type::kFloat32, true},
                                                            {"temp_c", Type::kFloat64, true}});
  std::vector<Column> cols = {*ColumnFromVector(Type::kTimestamp, ts), *ColumnFromVector(Type::kString, ids),
                              *ColumnFromVector(Type::kInt64, seq), *ColumnFromVector(Type::kFloat32, ax, ax_valid),
                              *ColumnFromVector(Type::kFloat64, temp)};
  Table t(schema);
  EXPECT_TRUE(t.Append(*RecordBatch::Make(schema, cols)).ok());
  return t;
}

FileMetaData ReadFooter(const std::string& path) {
  auto file = MappedFile::Open(path);
  EXPECT_TRUE(file.ok());
  const uint8_t* d = (*file)->data();
  const size_t n = (*file)->size();
  EXPECT_GE(n, 12u);
  EXPECT_EQ(std::memcmp(d, "PAR1", 4), 0);
  EXPECT_EQ(std::memcmp(d + n - 4, "PAR1", 4), 0);
  uint32_t len;
  std::memcpy(&len, d + n - 8, 4);
  FileMetaData md;
  Status st = DecodeFileMetaData(d + n - 8 - len, len, &md);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return md;
}

TEST_F(WriterTest, FooterDescribesSchemaRowGroupsAndEncodings) {
  Table table = SensorTable(10000, 1);
  ParquetWriteOptions options;
  options.row_group_rows = 4096;
  ASSERT_TRUE(WriteParquet(table, Path("a.parquet"), options).ok());
  FileMetaData md = ReadFooter(Path("a.parquet"));
  EXPECT_EQ(md.num_rows, 10000);
  ASSERT_EQ(md.schema.size(), 6u);
  EXPECT_EQ(md.schema[0].num_children, 5);
  EXPECT_EQ(md.schema[1].name, "timestamp");
  EXPECT_EQ(md.schema[1].repetition_type, FieldRepetitionType::kRequired);
  ASSERT_TRUE(md.schema[1].logical_type.has_value());
  EXPECT_EQ(md.schema[1].logical_type->kind, LogicalType::Kind::kTimestamp);
  EXPECT_EQ(md.schema[1].logical_type->unit, TimeUnit::kNanos);
  EXPECT_TRUE(md.schema[1].logical_type->is_adjusted_to_utc);
  EXPECT_EQ(md.schema[2].logical_type->kind, LogicalType::Kind::kString);
  EXPECT_EQ(md.schema[4].type, PhysicalType::kFloat);
  EXPECT_EQ(md.schema[4].repetition_type, FieldRepetitionType::kOptional);

  ASSERT_EQ(md.row_groups.size(), 3u);  // 4096 + 4096 + 1808
  EXPECT_EQ(md.row_groups[2].num_rows, 10000 - 2 * 4096);
  auto has = [](const ColumnMetaData& m, Encoding e) {
    return std::find(m.encodings.begin(), m.encodings.end(), e) != m.encodings.end();
  };
  for (const RowGroup& rg : md.row_groups) {
    ASSERT_EQ(rg.columns.size(), 5u);
    const ColumnMetaData& ts = *rg.columns[0].meta_data;
    EXPECT_TRUE(has(ts, Encoding::kDeltaBinaryPacked));
    EXPECT_EQ(ts.codec, CompressionCodec::kZstd);
    EXPECT_EQ(ts.num_values, rg.num_rows);
    const ColumnMetaData& ids = *rg.columns[1].meta_data;
    EXPECT_TRUE(has(ids, Encoding::kRleDictionary));
    ASSERT_TRUE(ids.dictionary_page_offset.has_value());
    EXPECT_LT(*ids.dictionary_page_offset, ids.data_page_offset);
    // Chunks are laid out back to back after the magic.
    EXPECT_GE(rg.columns[0].meta_data->dictionary_page_offset.value_or(ts.data_page_offset), 4);
  }
  // Statistics: exact bounds, nulls counted.
  const Statistics& ts_stats = *md.row_groups[0].columns[0].meta_data->statistics;
  int64_t lo, hi;
  std::memcpy(&lo, ts_stats.min_value->data(), 8);
  std::memcpy(&hi, ts_stats.max_value->data(), 8);
  EXPECT_EQ(lo, 1700000000000000000);
  EXPECT_EQ(hi, 1700000000000000000 + 4095 * int64_t{1000000});
  const Statistics& id_stats = *md.row_groups[0].columns[1].meta_data->statistics;
  EXPECT_EQ(*id_stats.min_value, "imu-00");
  EXPECT_EQ(*id_stats.max_value, "imu-02");
  int64_t ax_nulls = 0;
  for (int64_t i = 0; i < 4096; ++i) ax_nulls += i % 7 == 3;
  EXPECT_EQ(*md.row_groups[0].columns[3].meta_data->statistics->null_count, ax_nulls);
}

TEST_F(WriterTest, DictionaryFallsBackToPlainPastItsLimit) {
  std::vector<std::string> ids;
  for (int i = 0; i < 5000; ++i) ids.push_back("unique-value-" + std::to_string(i));
  auto schema = std::make_shared<Schema>(std::vector<Field>{{"id", Type::kString, true}});
  Table t(schema);
  ASSERT_TRUE(t.Append(*RecordBatch::Make(schema, {*ColumnFromVector(Type::kString, ids)})).ok());
  ParquetWriteOptions options;
  options.dictionary_bytes_limit = 1000;
  ASSERT_TRUE(WriteParquet(t, Path("b.parquet"), options).ok());
  FileMetaData md = ReadFooter(Path("b.parquet"));
  const ColumnMetaData& m = *md.row_groups[0].columns[0].meta_data;
  EXPECT_FALSE(m.dictionary_page_offset.has_value());
  EXPECT_EQ(std::count(m.encodings.begin(), m.encodings.end(), Encoding::kRleDictionary), 0);
}

TEST_F(WriterTest, OptionsAreValidatedAgainstTheSchema) {
  Table table = SensorTable(10, 2);
  ParquetWriteOptions options;
  options.columns["sensor_id"].encoding = ColumnEncoding::kDeltaBinaryPacked;
  Status st = WriteParquet(table, Path("c.parquet"), options);
  EXPECT_TRUE(st.IsInvalidArgument()) << st.ToString();
  EXPECT_NE(st.message().find("sensor_id"), std::string::npos);
  options.columns.clear();
  options.columns["nope"].encoding = ColumnEncoding::kPlain;
  EXPECT_TRUE(WriteParquet(table, Path("c.parquet"), options).IsNotFound());
  EXPECT_FALSE(fs::exists(Path("c.parquet")));
}

TEST_F(WriterTest, NothingAppearsWithoutClose) {
  Table table = SensorTable(100, 3);
  {
    auto writer = ParquetWriter::Open(Path("d.parquet"), table.schema());
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->WriteBatch(table.batches()[0]).ok());
  }
  EXPECT_FALSE(fs::exists(Path("d.parquet")));
  EXPECT_TRUE(fs::is_empty(dir_));  // the temporary is gone too
}

TEST_F(WriterTest, NullsInANotNullColumnAreRejected) {
  auto schema = std::make_shared<Schema>(std::vector<Field>{{"x", Type::kInt32, false}});
  auto nullable = std::make_shared<Schema>(std::vector<Field>{{"x", Type::kInt32, false}});
  auto col = ColumnFromVector(Type::kInt32, std::vector<int32_t>{1, 2}, {true, false});
  auto batch = RecordBatch::Make(nullable, {*col});
  ASSERT_TRUE(batch.ok());
  auto writer = ParquetWriter::Open(Path("e.parquet"), schema);
  ASSERT_TRUE(writer.ok());
  EXPECT_TRUE((*writer)->WriteBatch(*batch).IsInvalidArgument());
}

TEST_F(WriterTest, EveryEncodingAndCodecWrites) {
  Table table = SensorTable(3000, 4);
  for (Compression c : {Compression::kUncompressed, Compression::kSnappy, Compression::kGzip, Compression::kZstd,
                        Compression::kLz4Raw}) {
    for (bool v2 : {false, true}) {
      ParquetWriteOptions options;
      options.compression = c;
      options.data_page_v2 = v2;
      options.page_bytes = 2048;  // many pages per chunk
      options.columns["sensor_id"].encoding = ColumnEncoding::kDeltaByteArray;
      options.columns["ax"].encoding = ColumnEncoding::kByteStreamSplit;
      options.columns["seq"].encoding = ColumnEncoding::kPlain;
      const std::string path = Path("f.parquet");
      Status st = WriteParquet(table, path, options);
      ASSERT_TRUE(st.ok()) << CompressionName(c) << " v2=" << v2 << ": " << st.ToString();
      FileMetaData md = ReadFooter(path);
      EXPECT_EQ(static_cast<int>(md.row_groups[0].columns[0].meta_data->codec), static_cast<int>(ThriftCodecOf(c)));
    }
  }
}

}  // namespace
}  // namespace edgepipe::parquet
