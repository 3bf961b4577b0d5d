// Differential tests of the Parquet reader and writer against DuckDB and
// Polars: every value compared, in both directions.
//   - edgepipe writes (every codec x page v1/v2 x encoding set), each engine
//     reads and dumps; the dumps must equal our source table.
//   - each engine writes (defaults and non-default settings) from one CSV,
//     edgepipe reads; our values must equal the engine's dump of its own file.

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <random>

#include "edgepipe/parquet/reader.h"
#include "edgepipe/parquet/writer.h"
#include "interop/canonical_table.h"
#include "interop/peer_file_test.h"

namespace edgepipe::parquet {
namespace {

using ::edgepipe::testing::CanonicalTable;
using ::edgepipe::testing::DiffCanonical;
using ::edgepipe::testing::RunPeer;
using ::edgepipe::testing::ToCanonical;

using ParquetInteropTest = ::edgepipe::testing::PeerFileTest;

// Every type, nulls in every nullable column, and the values that break
// naive code: extremes, -0.0, NaN, infinities, subnormals, empty and
// non-ASCII strings, negative and sub-microsecond timestamps.
Table TrickyTable(int64_t rows, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0, 3);
  std::vector<int64_t> ts, seq;
  std::vector<int32_t> i32;
  std::vector<std::string> ids;
  std::vector<bool> flags, id_valid, seq_valid, flag_valid, f32_valid;
  std::vector<float> f32;
  std::vector<double> f64;
  const std::string specials[] = {"", "λ-sensor ü", "quote \" here", "tab\tand\nnewline", "comma,semi;"};
  for (int64_t i = 0; i < rows; ++i) {
    ts.push_back(i < 3 ? -1 - i * 1001 : 1700000000123456789 + i * 1000003);
    id_valid.push_back(i % 11 != 5);
    ids.push_back(i % 97 == 0 ? specials[(i / 97) % 5] : "imu-0" + std::to_string(i % 7));
    seq_valid.push_back(i % 13 != 0);
    seq.push_back(i == 1 ? std::numeric_limits<int64_t>::min() : i == 2 ? std::numeric_limits<int64_t>::max() : i / 7);
    i32.push_back(i == 4 ? std::numeric_limits<int32_t>::min() : static_cast<int32_t>(rng() % 2001) - 1000);
    flag_valid.push_back(i % 5 != 1);
    flags.push_back(rng() % 3 == 0);
    f32_valid.push_back(i % 17 != 3);
    float f = static_cast<float>(normal(rng));
    if (i == 6) f = -0.0f;
    if (i == 7) f = std::numeric_limits<float>::quiet_NaN();
    if (i == 8) f = std::numeric_limits<float>::infinity();
    if (i == 9) f = std::numeric_limits<float>::denorm_min();
    f32.push_back(f);
    double d = 9.80665 + normal(rng) * 1e-3;
    if (i == 10) d = -std::numeric_limits<double>::infinity();
    if (i == 11) d = std::numeric_limits<double>::max();
    if (i == 12) d = 5e-324;
    f64.push_back(d);
  }
  auto schema = std::make_shared<Schema>(std::vector<Field>{
      {"timestamp", Type::kTimestamp, false}, {"sensor_id", Type::kString, true}, {"seq", Type::kInt64, true},
      {"i32", Type::kInt32, false},          {"flag", Type::kBool, true},        {"f32", Type::kFloat32, true},
      {"f64", Type::kFloat64, false}});
  std::vector<Column> cols = {
      *ColumnFromVector(Type::kTimestamp, ts),     *ColumnFromVector(Type::kString, ids, id_valid),
      *ColumnFromVector(Type::kInt64, seq, seq_valid), *ColumnFromVector(Type::kInt32, i32),
      *ColumnFromVector(Type::kBool, flags, flag_valid), *ColumnFromVector(Type::kFloat32, f32, f32_valid),
      *ColumnFromVector(Type::kFloat64, f64)};
  Table table(schema);
  EXPECT_TRUE(table.Append(*RecordBatch::Make(schema, cols)).ok());
  return table;
}

struct WriteCase {
  std::string name;
  ParquetWriteOptions options;
};

std::vector<WriteCase> WriteCases() {
  std::vector<WriteCase> cases;
  for (Compression c : {Compression::kUncompressed, Compression::kSnappy, Compression::kGzip, Compression::kZstd,
                        Compression::kLz4Raw}) {
    for (bool v2 : {false, true}) {
      WriteCase wc;
      wc.name = std::string(CompressionName(c)) + (v2 ? "-v2" : "-v1");
      wc.options.compression = c;
      wc.options.data_page_v2 = v2;
      cases.push_back(wc);
    }
  }
  auto set = [](WriteCase* wc, const std::string& col, ColumnEncoding e) { wc->options.columns[col].encoding = e; };
  for (bool v2 : {false, true}) {
    WriteCase plain{std::string("plain") + (v2 ? "-v2" : "-v1"), {}};
    for (const char* col : {"timestamp", "sensor_id", "seq", "i32", "flag", "f32", "f64"}) {
      set(&plain, col, ColumnEncoding::kPlain);
    }
    WriteCase dict{std::string("dictionary") + (v2 ? "-v2" : "-v1"), {}};
    for (const char* col : {"timestamp", "sensor_id", "seq", "i32", "f32", "f64"}) {
      set(&dict, col, ColumnEncoding::kDictionary);
    }
    set(&dict, "flag", ColumnEncoding::kRle);
    WriteCase delta{std::string("delta-bss") + (v2 ? "-v2" : "-v1"), {}};
    set(&delta, "sensor_id", v2 ? ColumnEncoding::kDeltaByteArray : ColumnEncoding::kDeltaLengthByteArray);
    set(&delta, "f32", ColumnEncoding::kByteStreamSplit);
    set(&delta, "f64", ColumnEncoding::kByteStreamSplit);
    set(&delta, "i32", ColumnEncoding::kDeltaBinaryPacked);
    set(&delta, "flag", ColumnEncoding::kRle);
    for (WriteCase* wc : {&plain, &dict, &delta}) {
      wc->options.data_page_v2 = v2;
      cases.push_back(*wc);
    }
  }
  for (WriteCase& wc : cases) {
    wc.options.row_group_rows = 2048;  // several row groups ...
    wc.options.page_bytes = 4096;      // ... of several pages
  }
  return cases;
}

TEST_F(ParquetInteropTest, EnginesReadEveryFileWeWrite) {
  EDGEPIPE_SKIP_WITHOUT_PEERS();
  const Table table = TrickyTable(5000, 20261125);
  const CanonicalTable expected = ToCanonical(table);
  CanonicalTable expected_us = expected;
  ::edgepipe::testing::TruncateTimestampsToMicros(&expected_us);
  for (const WriteCase& wc : WriteCases()) {
    SCOPED_TRACE(wc.name);
    const std::string path = Path(wc.name + ".parquet");
    Status st = WriteParquet(table, path, wc.options);
    ASSERT_TRUE(st.ok()) << st.ToString();
    // Our own reader first: the cheapest place to see a writer bug.
    auto ours = ReadParquet(path);
    ASSERT_TRUE(ours.ok()) << ours.status().ToString();
    EXPECT_EQ(DiffCanonical(expected, ToCanonical(*ours)), "") << "edgepipe reading " << wc.name;
    EXPECT_EQ(DiffCanonical(expected, Dump("polars", path)), "") << "polars reading " << wc.name;
    EXPECT_EQ(DiffCanonical(expected_us, Dump("duckdb", path)), "") << "duckdb reading " << wc.name;
  }
}

// CSV input for the engines, written by hand (no dependence on our CSV code):
// epoch-ns timestamps, a string key, an int, floats with varying precision,
// and empty fields (nulls) scattered through.
std::string MakeCsv(int64_t rows, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string csv = "timestamp,sensor_id,seq,ax,ay,az,gx,gy,gz,temp_c\n";
  for (int64_t i = 0; i < rows; ++i) {
    csv += std::to_string(1700000000000000000 + i * 1000000 + (i % 3)) + ",";
    if (i % 29 != 4) csv += "imu-0" + std::to_string(i % 10);
    csv += "," + std::to_string(i / 10);
    for (int c = 0; c < 7; ++c) {
      csv += ",";
      if ((i + c) % 31 == 0) continue;
      const double v = (static_cast<double>(rng() % 2000001) - 1000000.0) / 1e5;
      char buf[32];
      std::snprintf(buf, sizeof(buf), c % 2 ? "%.6f" : "%.3f", v);
      csv += buf;
    }
    csv += "\n";
  }
  return csv;
}

TEST_F(ParquetInteropTest, WeReadEveryFileTheEnginesWrite) {
  EDGEPIPE_SKIP_WITHOUT_PEERS();
  const std::string csv_path = Path("in.csv");
  std::ofstream(csv_path) << MakeCsv(6000, 7);
  struct PeerCase {
    std::string engine;
    std::vector<std::string> flags;
  };
  const std::vector<PeerCase> cases = {
      {"duckdb", {}},
      {"duckdb", {"--compression", "zstd"}},
      {"duckdb", {"--compression", "gzip", "--row-group-size", "2048"}},
      {"duckdb", {"--compression", "lz4"}},
      {"duckdb", {"--compression", "uncompressed", "--dictionary", "off"}},
      {"duckdb", {"--page-v2", "--compression", "zstd"}},
      {"duckdb", {"--schema", "imu", "--compression", "snappy"}},
      {"duckdb", {"--schema", "imu", "--page-v2", "--row-group-size", "2048"}},
      {"polars", {}},
      {"polars", {"--compression", "snappy"}},
      {"polars", {"--compression", "gzip", "--row-group-size", "1000"}},
      {"polars", {"--compression", "lz4"}},
      {"polars", {"--compression", "uncompressed"}},
      {"polars", {"--schema", "imu", "--compression", "zstd", "--row-group-size", "1500"}},
  };
  int idx = 0;
  for (const PeerCase& pc : cases) {
    std::string label = pc.engine;
    for (const auto& f : pc.flags) label += " " + f;
    SCOPED_TRACE(label);
    const std::string path = Path("peer" + std::to_string(idx++) + ".parquet");
    std::vector<std::string> args = {"parquet_write.mjs", "--engine", pc.engine, "--csv", csv_path, "--out", path};
    args.insert(args.end(), pc.flags.begin(), pc.flags.end());
    auto written = RunPeer(args);
    ASSERT_TRUE(written.ok()) << written.status().ToString();
    const CanonicalTable reference = Dump(pc.engine, path);
    auto ours = ReadParquet(path);
    ASSERT_TRUE(ours.ok()) << ours.status().ToString();
    EXPECT_EQ(reference.num_rows(), 6000u);
    EXPECT_EQ(DiffCanonical(reference, ToCanonical(*ours)), "");
  }
}

}  // namespace
}  // namespace edgepipe::parquet
