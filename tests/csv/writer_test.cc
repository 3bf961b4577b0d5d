// CsvWriter: exact output text, and write -> read round trips of every type
// with nulls across batch sizes, bit-exact floats, atomic output.

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "csv/csv_test_util.h"
#include "edgepipe/csv/reader.h"
#include "edgepipe/csv/writer.h"

namespace edgepipe::csv {
namespace {

using testing::ReadFileToString;
using testing::TableColumn;
using testing::TempDir;

std::string OutPath(const std::string& name) { return (TempDir() / name).string(); }

RecordBatch MakeBatch(const std::vector<Field>& fields, std::vector<Column> columns) {
  auto b = RecordBatch::Make(std::make_shared<Schema>(fields), std::move(columns));
  EXPECT_TRUE(b.ok()) << b.status().ToString();
  return *b;
}

std::string WriteToString(const Table& table, const CsvWriteOptions& options = CsvWriteOptions::Defaults()) {
  const std::string path = OutPath("w.csv");
  const Status st = WriteCsv(path, table, options);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return ReadFileToString(path);
}

Table OneBatchTable(const RecordBatch& batch) {
  auto t = Table::Make(batch.schema(), {batch});
  EXPECT_TRUE(t.ok());
  return *t;
}

TEST(CsvWriterTest, ExactText) {
  auto ints = ColumnFromVector<int64_t>(Type::kInt64, {1, -2, 0}, {true, false, true});
  auto strs = ColumnFromVector<std::string>(Type::kString, {"a,b", "say \"hi\"", ""}, {true, true, true});
  auto more = ColumnFromVector<std::string>(Type::kString, {"NA", "two\nlines", "x"}, {true, true, false});
  auto flags = ColumnFromVector<bool>(Type::kBool, {true, false, true});
  auto ts = ColumnFromVector<int64_t>(Type::kTimestamp, {1500000000, -1, 0});
  auto fl = ColumnFromVector<double>(Type::kFloat64, {1.0, -0.0, 0.1});
  const RecordBatch batch =
      MakeBatch({{"i", Type::kInt64}, {"s,1", Type::kString}, {"t", Type::kString}, {"b", Type::kBool},
                 {"ts", Type::kTimestamp}, {"f", Type::kFloat64}},
                {*ints, *strs, *more, *flags, *ts, *fl});
  EXPECT_EQ(WriteToString(OneBatchTable(batch)),
            "i,\"s,1\",t,b,ts,f\n"
            "1,\"a,b\",\"NA\",true,1970-01-01T00:00:01.500000000Z,1.0\n"
            ",\"say \"\"hi\"\"\",\"two\nlines\",false,1969-12-31T23:59:59.999999999Z,-0.0\n"
            "0,\"\",,true,1970-01-01T00:00:00.000000000Z,0.1\n");
  CsvWriteOptions options;
  options.timestamp_format = TimestampFormat::kEpochNs;
  options.delimiter = ';';
  options.header = false;
  const std::string text = WriteToString(OneBatchTable(batch), options);
  EXPECT_EQ(text.substr(0, text.find('\n')), "1;a,b;\"NA\";true;1500000000;1.0");
}

TEST(CsvWriterTest, SpecialFloats) {
  auto d = ColumnFromVector<double>(Type::kFloat64, {NAN, INFINITY, -INFINITY, 1e308, 5e-324, 1e21, 123456.0});
  auto f = ColumnFromVector<float>(Type::kFloat32, {NAN, INFINITY, -INFINITY, 3.4e38f, 1e-45f, 0.1f, 16777216.0f});
  const RecordBatch batch = MakeBatch({{"d", Type::kFloat64}, {"f", Type::kFloat32}}, {*d, *f});
  EXPECT_EQ(WriteToString(OneBatchTable(batch)),
            "d,f\nNaN,NaN\ninf,inf\n-inf,-inf\n1e+308,3.4e+38\n5e-324,1e-45\n1e+21,0.1\n123456.0,16777216.0\n");
  // Without a schema they come back as float64 (every value has '.', 'e' or is special).
  auto back = ReadCsv(OutPath("w.csv"));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->schema()->field(0).type, Type::kFloat64);
  EXPECT_EQ(back->schema()->field(1).type, Type::kFloat64);
  const Column c = TableColumn(*back, 0);
  EXPECT_TRUE(std::isnan(c.values<double>()[0]));
  EXPECT_EQ(c.values<double>()[1], INFINITY);
  EXPECT_EQ(c.values<double>()[2], -INFINITY);
  EXPECT_EQ(c.values<double>()[4], 5e-324);
}

// Random doubles/floats from random bit patterns (all exponents, subnormals,
// both zeros) round-trip bit for bit, through inference (float64) and
// through a float32 schema.
TEST(CsvWriterTest, FloatsRoundTripBitExactly) {
  const uint64_t seed = 12345;
  std::mt19937_64 rng(seed);
  std::vector<double> doubles = {0.0, -0.0, 1e308, -1e308, std::numeric_limits<double>::max(),
                                 std::numeric_limits<double>::denorm_min(), std::numeric_limits<double>::min(),
                                 0.1, 1.0 / 3.0, 123456789.123456789};
  std::vector<float> floats = {0.0f, -0.0f, std::numeric_limits<float>::max(), std::numeric_limits<float>::denorm_min(),
                               std::numeric_limits<float>::min(), 0.1f, 1.0f / 3.0f, -7.0f, 1e10f, 3e-40f};
  while (doubles.size() < 50000) {
    const uint64_t bits = rng();
    double d;
    std::memcpy(&d, &bits, 8);
    if (!std::isfinite(d)) continue;
    doubles.push_back(d);
    const auto fbits = static_cast<uint32_t>(rng());
    float f;
    std::memcpy(&f, &fbits, 4);
    if (std::isfinite(f)) floats.push_back(f);
    // Plain sensor-like values too (the reader's fast path).
    doubles.push_back(std::round(static_cast<double>(static_cast<int64_t>(rng() % 2000000) - 1000000)) / 1e6);
  }
  floats.resize(std::min(floats.size(), doubles.size()));
  while (floats.size() < doubles.size()) floats.push_back(static_cast<float>(floats.size()) * 0.37f);
  auto dc = ColumnFromVector<double>(Type::kFloat64, doubles);
  auto fc = ColumnFromVector<float>(Type::kFloat32, floats);
  const RecordBatch batch = MakeBatch({{"d", Type::kFloat64}, {"f", Type::kFloat32}}, {*dc, *fc});
  WriteToString(OneBatchTable(batch));
  CsvReadOptions options;
  options.column_types = {{"f", Type::kFloat32}};
  auto back = ReadCsv(OutPath("w.csv"), options);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->schema()->field(0).type, Type::kFloat64);
  const Column d = TableColumn(*back, 0);
  const Column f = TableColumn(*back, 1);
  ASSERT_EQ(d.length(), static_cast<int64_t>(doubles.size()));
  for (size_t i = 0; i < doubles.size(); ++i) {
    ASSERT_EQ(std::memcmp(&doubles[i], d.values<double>() + i, 8), 0)
        << "seed " << seed << " row " << i << ": " << doubles[i] << " vs " << d.values<double>()[i];
    ASSERT_EQ(std::memcmp(&floats[i], f.values<float>() + i, 4), 0)
        << "seed " << seed << " row " << i << ": " << floats[i] << " vs " << f.values<float>()[i];
  }
}

// A table of every type with ~20% nulls and hard strings, cut into batches
// of `batch_rows`.
Table RandomTable(int64_t rows, int64_t batch_rows, uint64_t seed) {
  std::mt19937_64 rng(seed);
  const std::vector<Field> fields = {{"b", Type::kBool},       {"i32", Type::kInt32},  {"i64", Type::kInt64},
                                     {"f32", Type::kFloat32},  {"f64", Type::kFloat64}, {"s", Type::kString},
                                     {"ts", Type::kTimestamp}};
  auto schema = std::make_shared<Schema>(fields);
  const std::vector<std::string> pieces = {"a", ",", "\"", "\n", "\r\n", " ", "NA", "null", "é", "x\"y", ""};
  std::vector<RecordBatch> batches;
  for (int64_t start = 0; start < rows || (rows == 0 && batches.empty()); start += batch_rows) {
    const int64_t n = std::min(batch_rows, rows - start);
    std::vector<bool> bv, valid[7];
    std::vector<int32_t> i32;
    std::vector<int64_t> i64, ts;
    std::vector<float> f32;
    std::vector<double> f64;
    std::vector<std::string> s;
    for (int64_t r = 0; r < n; ++r) {
      for (auto& v : valid) v.push_back(rng() % 5 != 0);
      bv.push_back(rng() % 2);
      i32.push_back(static_cast<int32_t>(rng()));
      i64.push_back(static_cast<int64_t>(rng()));
      uint32_t fb = static_cast<uint32_t>(rng());
      float f;
      std::memcpy(&f, &fb, 4);
      f32.push_back(std::isfinite(f) ? f : 1.5f);
      uint64_t db = rng();
      double d;
      std::memcpy(&d, &db, 8);
      f64.push_back(std::isfinite(d) ? d : -2.25);
      std::string str;
      const int parts = static_cast<int>(rng() % 4);
      for (int p = 0; p < parts; ++p) str += pieces[rng() % pieces.size()];
      s.push_back(str);
      ts.push_back(static_cast<int64_t>(rng()));
    }
    std::vector<Column> cols;
    cols.push_back(*ColumnFromVector(Type::kBool, bv, valid[0]));
    cols.push_back(*ColumnFromVector(Type::kInt32, i32, valid[1]));
    cols.push_back(*ColumnFromVector(Type::kInt64, i64, valid[2]));
    cols.push_back(*ColumnFromVector(Type::kFloat32, f32, valid[3]));
    cols.push_back(*ColumnFromVector(Type::kFloat64, f64, valid[4]));
    cols.push_back(*ColumnFromVector(Type::kString, s, valid[5]));
    cols.push_back(*ColumnFromVector(Type::kTimestamp, ts, valid[6]));
    batches.push_back(*RecordBatch::Make(schema, std::move(cols)));
    if (rows == 0) break;
  }
  return *Table::Make(schema, std::move(batches));
}

TEST(CsvWriterTest, EveryTypeWithNullsRoundTripsAcrossBatchSizes) {
  for (int64_t batch_rows : {1, 7, 8, 31, 32, 127, 128, 129, 1023, 1024, 1025}) {
    for (int64_t rows : {int64_t{0}, int64_t{1}, batch_rows, 3000 + batch_rows}) {
      const uint64_t seed = static_cast<uint64_t>(batch_rows * 7919 + rows);
      const Table table = RandomTable(rows, batch_rows, seed);
      CsvWriteOptions write_options;
      write_options.rows_per_task = 100;  // several formatting tasks per batch
      for (auto ts_format : {TimestampFormat::kIso8601, TimestampFormat::kEpochNs}) {
        write_options.timestamp_format = ts_format;
        const std::string path = OutPath("roundtrip.csv");
        ASSERT_TRUE(WriteCsv(path, table, write_options).ok());
        CsvReadOptions read_options;
        for (const auto& f : table.schema()->fields()) read_options.column_types[f.name] = f.type;
        read_options.block_size = 4096;  // many blocks
        auto back = ReadCsv(path, read_options);
        ASSERT_TRUE(back.ok()) << back.status().ToString() << " seed " << seed;
        ASSERT_TRUE(back->Equals(table)) << "rows " << rows << " batch_rows " << batch_rows << " seed " << seed;
      }
    }
  }
}

TEST(CsvWriterTest, SlicedBatches) {
  const Table table = RandomTable(500, 500, 99);
  const RecordBatch slice = table.batches()[0].Slice(123, 200);
  const std::string path = OutPath("slice.csv");
  auto writer = CsvWriter::Open(path, slice.schema());
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->WriteBatch(slice).ok());
  ASSERT_TRUE((*writer)->Close().ok());
  EXPECT_EQ((*writer)->rows_written(), 200);
  CsvReadOptions read_options;
  for (const auto& f : table.schema()->fields()) read_options.column_types[f.name] = f.type;
  auto back = ReadCsv(path, read_options);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(back->Equals(*Table::Make(slice.schema(), {slice})));
}

TEST(CsvWriterTest, NoFileUnlessClosed) {
  const std::string path = OutPath("atomic.csv");
  std::filesystem::remove(path);
  const Table table = RandomTable(100, 50, 1);
  {
    auto writer = CsvWriter::Open(path, table.schema());
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->WriteTable(table).ok());
    EXPECT_FALSE(std::filesystem::exists(path));
  }
  EXPECT_FALSE(std::filesystem::exists(path));
  for (const auto& entry : std::filesystem::directory_iterator(TempDir())) {
    EXPECT_EQ(entry.path().string().find("atomic.csv.tmp"), std::string::npos) << entry.path();
  }
  auto writer = CsvWriter::Open(path, table.schema());
  ASSERT_TRUE(writer.ok());
  // A batch of another schema is refused.
  const RecordBatch other = MakeBatch({{"x", Type::kInt64}}, {*ColumnFromVector<int64_t>(Type::kInt64, {1})});
  EXPECT_TRUE((*writer)->WriteBatch(other).IsInvalidArgument());
  ASSERT_TRUE((*writer)->Close().ok());
  EXPECT_TRUE(std::filesystem::exists(path));
  EXPECT_EQ(ReadFileToString(path), "b,i32,i64,f32,f64,s,ts\n");  // header only
  EXPECT_TRUE((*writer)->WriteBatch(table.batches()[0]).IsInvalidArgument());
}

TEST(CsvWriterTest, OpenFailsInMissingDirectory) {
  auto writer = CsvWriter::Open((TempDir() / "no_such_dir" / "x.csv").string(),
                                std::make_shared<Schema>(std::vector<Field>{{"a", Type::kInt64}}));
  ASSERT_FALSE(writer.ok());
  EXPECT_TRUE(writer.status().IsNotFound() || writer.status().IsIOError()) << writer.status().ToString();
}

}  // namespace
}  // namespace edgepipe::csv
