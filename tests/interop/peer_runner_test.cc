#include "interop/peer_runner.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

namespace edgepipe::testing {
namespace {

// ------------------------------------------------------- parser (no peers)

TEST(ParseCanonicalTest, ParsesHeaderAndColumnMajorCells) {
  Result<CanonicalTable> t = ParseCanonical(
      "a:int64\tb:string\tc:float32\n"
      "1\t\"x\\ty\"\t3fc00000\n"
      "null\tnull\tnull\n");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->names, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(t->types, (std::vector<std::string>{"int64", "string", "float32"}));
  ASSERT_EQ(t->num_rows(), 2u);
  EXPECT_EQ(t->columns[0], (std::vector<std::string>{"1", "null"}));
  EXPECT_EQ(t->columns[1], (std::vector<std::string>{"\"x\\ty\"", "null"}));
  EXPECT_EQ(t->columns[2], (std::vector<std::string>{"3fc00000", "null"}));
}

TEST(ParseCanonicalTest, NameMayContainColons) {
  Result<CanonicalTable> t = ParseCanonical("a:b:int32\n7\n");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->names[0], "a:b");
  EXPECT_EQ(t->types[0], "int32");
}

TEST(ParseCanonicalTest, HeaderOnlyIsAnEmptyTable) {
  Result<CanonicalTable> t = ParseCanonical("a:int32\tb:bool\n");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->num_rows(), 0u);
  EXPECT_EQ(t->columns.size(), 2u);
}

TEST(ParseCanonicalTest, MalformedDumpsAreCorruption) {
  const char* bad[] = {
      "",                              // no header
      "a:int32\n1",                    // no final newline
      "\n",                            // empty header
      "a\n1\n",                        // header cell without type
      "a:decimal\n1\n",                // unknown type
      "a:int32\tb:int32\n1\n",         // too few cells
      "a:int32\n1\t2\n",               // too many cells
      "a:float32\n3fc0000\n",          // 7 hex digits
      "a:float64\n3FF8000000000000\n", // upper-case hex
      "a:int64\n1.5\n",                // not an integer
      "a:bool\nTrue\n",                // not true/false
      "a:string\nabc\n",               // unquoted string
  };
  for (const char* text : bad) {
    Result<CanonicalTable> t = ParseCanonical(text);
    EXPECT_TRUE(t.status().IsCorruption()) << "input: '" << text << "' gave " << t.status().ToString();
  }
}

TEST(ParseCanonicalTest, ErrorNamesTheLine) {
  Result<CanonicalTable> t = ParseCanonical("a:int32\n1\n2\n3\t4\n");
  ASSERT_TRUE(t.status().IsCorruption());
  EXPECT_NE(t.status().message().find("line 4"), std::string::npos) << t.status().message();
}

TEST(CanonicalCellTest, FloatsAsIeeeBits) {
  EXPECT_EQ(CanonicalFloat32(1.5f), "3fc00000");
  EXPECT_EQ(CanonicalFloat32(-0.0f), "80000000");
  EXPECT_EQ(CanonicalFloat32(std::numeric_limits<float>::infinity()), "7f800000");
  EXPECT_EQ(CanonicalFloat32(std::numeric_limits<float>::denorm_min()), "00000001");
  EXPECT_EQ(CanonicalFloat64(1.5), "3ff8000000000000");
  EXPECT_EQ(CanonicalFloat64(-0.25), "bfd0000000000000");
}

TEST(CanonicalCellTest, StringsAsJsonStringify) {
  EXPECT_EQ(CanonicalString(""), "\"\"");
  EXPECT_EQ(CanonicalString("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(CanonicalString("\t\n\r\b\f"), "\"\\t\\n\\r\\b\\f\"");
  EXPECT_EQ(CanonicalString(std::string_view("\x01\x1f\x7f", 3)), "\"\\u0001\\u001f\x7f\"");
  EXPECT_EQ(CanonicalString("h\xc3\xa9llo \xf0\x9f\x98\x80"), "\"h\xc3\xa9llo \xf0\x9f\x98\x80\"");
}

// ------------------------------------------------------------ with peers

TEST(RunPeerTest, RejectsPathsAsScriptNames) {
  EXPECT_TRUE(RunPeer({}).status().IsInvalidArgument());
  EXPECT_TRUE(RunPeer({"../x.mjs"}).status().IsInvalidArgument());
}

TEST(RunPeerTest, FailureCarriesStderr) {
  EDGEPIPE_SKIP_WITHOUT_PEERS();
  Result<std::string> r = RunPeer({"parquet_dump.mjs", "--engine", "duckdb", "/nonexistent/x.parquet"});
  ASSERT_TRUE(r.status().IsIOError()) << r.status().ToString();
  EXPECT_NE(r.status().message().find("parquet_dump.mjs: error"), std::string::npos)
      << r.status().message();
  Result<std::string> bad_engine = RunPeer({"parquet_dump.mjs", "--engine", "spark", "x.parquet"});
  ASSERT_TRUE(bad_engine.status().IsIOError());
  EXPECT_NE(bad_engine.status().message().find("unknown engine"), std::string::npos);
}

class TempDir {
 public:
  TempDir() {
    std::string templ = (std::filesystem::temp_directory_path() / "edgepipe_peer_XXXXXX").string();
    if (mkdtemp(templ.data()) != nullptr) path_ = templ;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Nulls (unquoted empty), an empty string (quoted ""), unicode, escapes,
// negative and extreme integers, float32 rounding, denormals, overflow to
// infinity, underflow to -0.
constexpr const char* kImuCsv =
    "timestamp,sensor_id,seq,ax,ay,az,gx,gy,gz,temp_c\n"
    "1700000000123456789,imu-1,1,1.5,-0.25,9.81,0.001,0,-3.4e38,21.5\n"
    "-1,\"\",2,,1e-45,3,4,5,6,\n"
    "0,\"h\xc3\xa9llo \xe2\x9c\x93 \xf0\x9f\x98\x80 \"\"q\"\" \\t\",-9223372036854775808,-0,0.1,1e39,"
    "-1e-50,3.4028235e38,16777217,-273.15\n"
    "1,,9223372036854775807,-1.5,,,,,,\n";

constexpr const char* kImuHeader =
    "timestamp:timestamp_ns\tsensor_id:string\tseq:int64\tax:float32\tay:float32\taz:float32\t"
    "gx:float32\tgy:float32\tgz:float32\ttemp_c:float32\n";

// Rows after the timestamp cell, identical whoever wrote or read the file.
constexpr const char* kImuRowTails[] = {
    "\t\"imu-1\"\t1\t3fc00000\tbe800000\t411cf5c3\t3a83126f\t00000000\tff7fc99e\t41ac0000\n",
    "\t\"\"\t2\tnull\t00000001\t40400000\t40800000\t40a00000\t40c00000\tnull\n",
    "\t\"h\xc3\xa9llo \xe2\x9c\x93 \xf0\x9f\x98\x80 \\\"q\\\" \\\\t\"\t-9223372036854775808\t80000000\t3dcccccd\t"
    "7f800000\t80000000\t7f7fffff\t4b800000\tc3889333\n",
    "\tnull\t9223372036854775807\tbfc00000\tnull\tnull\tnull\tnull\tnull\tnull\n",
};

std::string ImuExpected(const std::vector<std::string>& timestamps) {
  std::string text = kImuHeader;
  for (size_t i = 0; i < timestamps.size(); ++i) text += timestamps[i] + kImuRowTails[i];
  return text;
}

// Exact ns timestamps.
const std::vector<std::string> kExactTimestamps = {"1700000000123456789", "-1", "0", "1"};
// DuckDB 1.5 reads TIMESTAMP(NANOS, isAdjustedToUTC=true) as TIMESTAMPTZ,
// i.e. microseconds truncated toward zero (docs/interop.md).
const std::vector<std::string> kMicrosTimestamps = {"1700000000123456000", "0", "0", "0"};

void WriteFile(const std::filesystem::path& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
}

TEST(PeerRoundTripTest, ImuSchemaWriteAndDumpByEveryEnginePair) {
  EDGEPIPE_SKIP_WITHOUT_PEERS();
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  const std::string csv = (dir.path() / "imu.csv").string();
  WriteFile(csv, kImuCsv);
  for (const std::string writer : {"duckdb", "polars"}) {
    const std::string parquet = (dir.path() / ("imu_" + writer + ".parquet")).string();
    Result<std::string> w = RunPeer({"parquet_write.mjs", "--engine", writer, "--csv", csv, "--out", parquet,
                                     "--schema", "imu", "--compression", "zstd", "--row-group-size", "2"});
    ASSERT_TRUE(w.ok()) << writer << ": " << w.status().ToString();
    for (const std::string reader : {"duckdb", "polars"}) {
      SCOPED_TRACE("written by " + writer + ", dumped by " + reader);
      Result<std::string> dump = RunPeer({"parquet_dump.mjs", "--engine", reader, parquet});
      ASSERT_TRUE(dump.ok()) << dump.status().ToString();
      // Polars marks the timestamp UTC, which DuckDB reads at us precision.
      const bool lossy = writer == "polars" && reader == "duckdb";
      EXPECT_EQ(*dump, ImuExpected(lossy ? kMicrosTimestamps : kExactTimestamps));
      Result<CanonicalTable> table = ParseCanonical(*dump);
      ASSERT_TRUE(table.ok()) << table.status().ToString();
      EXPECT_EQ(table->num_rows(), 4u);
      EXPECT_EQ(table->columns[3][0], CanonicalFloat32(1.5f));
    }
  }
}

TEST(PeerRoundTripTest, ColumnProjection) {
  EDGEPIPE_SKIP_WITHOUT_PEERS();
  TempDir dir;
  const std::string csv = (dir.path() / "imu.csv").string();
  WriteFile(csv, kImuCsv);
  const std::string parquet = (dir.path() / "imu.parquet").string();
  ASSERT_TRUE(RunPeer({"parquet_write.mjs", "--engine", "duckdb", "--csv", csv, "--out", parquet, "--schema",
                       "imu", "--compression", "snappy", "--dictionary", "off", "--page-v2"})
                  .ok());
  for (const std::string reader : {"duckdb", "polars"}) {
    Result<std::string> dump = RunPeer({"parquet_dump.mjs", "--engine", reader, parquet, "--columns", "temp_c,seq"});
    ASSERT_TRUE(dump.ok()) << reader << ": " << dump.status().ToString();
    EXPECT_EQ(*dump,
              "temp_c:float32\tseq:int64\n"
              "41ac0000\t1\n"
              "null\t2\n"
              "c3889333\t-9223372036854775808\n"
              "null\t9223372036854775807\n")
        << reader;
  }
}

TEST(PeerRoundTripTest, CsvReadInfersTypes) {
  EDGEPIPE_SKIP_WITHOUT_PEERS();
  TempDir dir;
  const std::string csv = (dir.path() / "imu.csv").string();
  WriteFile(csv, kImuCsv);
  const std::string expected =
      "timestamp:int64\tsensor_id:string\tseq:int64\tax:float64\tay:float64\taz:float64\t"
      "gx:float64\tgy:float64\tgz:float64\ttemp_c:float64\n"
      "1700000000123456789\t\"imu-1\"\t1\t3ff8000000000000\tbfd0000000000000\t40239eb851eb851f\t"
      "3f50624dd2f1a9fc\t0000000000000000\tc7eff933c78cdfad\t4035800000000000\n"
      "-1\t\"\"\t2\tnull\t3696d601ad376ab9\t4008000000000000\t4010000000000000\t"
      "4014000000000000\t4018000000000000\tnull\n"
      "0\t\"h\xc3\xa9llo \xe2\x9c\x93 \xf0\x9f\x98\x80 \\\"q\\\" \\\\t\"\t-9223372036854775808\t"
      "8000000000000000\t3fb999999999999a\t48078287f49c4a1d\tb58dee7a4ad4b81f\t47efffffe54daff8\t"
      "4170000010000000\tc071126666666666\n"
      "1\tnull\t9223372036854775807\tbff8000000000000\tnull\tnull\tnull\tnull\tnull\tnull\n";
  for (const std::string engine : {"duckdb", "polars"}) {
    Result<std::string> dump = RunPeer({"csv_read.mjs", "--engine", engine, csv});
    ASSERT_TRUE(dump.ok()) << engine << ": " << dump.status().ToString();
    EXPECT_EQ(*dump, expected) << engine;
  }
}

}  // namespace
}  // namespace edgepipe::testing
