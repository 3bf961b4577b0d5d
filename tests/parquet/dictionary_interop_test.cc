// Dictionary string columns against DuckDB and Polars: files the engines
// write with dictionary-encoded strings read back as dictionary columns with
// every value equal to the engine's own dump; written again by edgepipe
// (from the codes), the engines read the same values.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <vector>

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

using DictionaryInteropTest = ::edgepipe::testing::PeerFileTest;

// A low-cardinality key with nulls and an empty string, a medium-cardinality
// text column with non-ASCII and quoted values, and numbers.
std::string MakeCsv(int64_t rows, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string csv = "seq,sensor_id,note,value\n";
  const char* notes[] = {"ok", "\"quoted, comma\"", "λ-ü", "", "calibrating"};
  for (int64_t i = 0; i < rows; ++i) {
    csv += std::to_string(i) + ",";
    if (i % 23 != 4) csv += i % 41 == 0 ? "\"\"" : "imu-0" + std::to_string(rng() % 9);
    csv += ",";
    if (i % 17 != 2) csv += i % 5 == 0 ? notes[(i / 5) % 5] : "note-" + std::to_string(rng() % 700);
    char buf[32];
    std::snprintf(buf, sizeof(buf), ",%.4f\n", static_cast<double>(rng() % 100000) / 100.0);
    csv += buf;
  }
  return csv;
}

bool HasDictionaryPages(const ColumnChunkInfo& info) {
  return std::find(info.encodings.begin(), info.encodings.end(), "RLE_DICTIONARY") != info.encodings.end() ||
         std::find(info.encodings.begin(), info.encodings.end(), "PLAIN_DICTIONARY") != info.encodings.end();
}

std::string Join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ",") + x;
  return s;
}

TEST_F(DictionaryInteropTest, EngineFilesReadAsDictionaryColumnsAndWriteBack) {
  EDGEPIPE_SKIP_WITHOUT_PEERS();
  const std::string csv_path = Path("in.csv");
  std::ofstream(csv_path) << MakeCsv(5000, 3);
  struct PeerCase {
    std::string engine;
    std::vector<std::string> flags;
    bool expect_dictionary;
  };
  const std::vector<PeerCase> cases = {
      {"duckdb", {}, true},
      {"duckdb", {"--compression", "zstd", "--row-group-size", "2048"}, true},
      {"duckdb", {"--page-v2", "--compression", "snappy"}, true},
      {"duckdb", {"--dictionary", "off"}, false},
      {"polars", {}, true},
      {"polars", {"--compression", "snappy", "--row-group-size", "1000"}, true},
  };
  int idx = 0;
  for (const PeerCase& pc : cases) {
    std::string label = pc.engine;
    for (const auto& f : pc.flags) label += " " + f;
    SCOPED_TRACE(label);
    const std::string path = Path("peer" + std::to_string(idx) + ".parquet");
    const std::string again = Path("again" + std::to_string(idx++) + ".parquet");
    std::vector<std::string> args = {"parquet_write.mjs", "--engine", pc.engine, "--csv", csv_path, "--out", path};
    args.insert(args.end(), pc.flags.begin(), pc.flags.end());
    auto written = RunPeer(args);
    ASSERT_TRUE(written.ok()) << written.status().ToString();
    const CanonicalTable reference = Dump(pc.engine, path);
    ASSERT_EQ(reference.num_rows(), 5000u);

    auto reader = ParquetFileReader::Open(path);
    ASSERT_TRUE(reader.ok()) << reader.status().ToString();
    const FileInfo info = (*reader)->Info();
    auto ours = (*reader)->ReadTable();
    ASSERT_TRUE(ours.ok()) << ours.status().ToString();
    EXPECT_EQ(DiffCanonical(reference, ToCanonical(*ours)), "");
    // The low-cardinality key is dictionary-encoded by both engines (unless
    // told not to): every batch must come back as a dictionary column. Other
    // string chunks are dictionary columns exactly when their data pages are
    // all dictionary-encoded, which the footer does not always tell, so
    // only the absence of dictionary pages is checked for them.
    const int sensor_idx = ours->schema()->GetFieldIndex("sensor_id").ValueOrDie();
    for (size_t rg = 0; rg < ours->batches().size(); ++rg) {
      const RecordBatch& batch = ours->batches()[rg];
      for (int c = 0; c < batch.num_columns(); ++c) {
        if (batch.schema()->field(c).type != Type::kString) continue;
        const ColumnChunkInfo& chunk = info.row_groups[rg].columns[static_cast<size_t>(c)];
        const Column& col = batch.column(c);
        if (!HasDictionaryPages(chunk)) {
          EXPECT_FALSE(col.is_dictionary()) << chunk.column << " row group " << rg;
        }
        if (c == sensor_idx) {
          EXPECT_EQ(col.is_dictionary(), pc.expect_dictionary)
              << chunk.column << " row group " << rg << " encodings " << Join(chunk.encodings);
        }
        if (col.is_dictionary()) {
          // Codes in range for every row, nulls included.
          for (int64_t i = 0; i < col.length(); ++i) {
            ASSERT_LT(static_cast<uint32_t>(col.dictionary_codes()[i]), static_cast<uint32_t>(col.dictionary()->length()));
          }
        }
      }
    }

    // Written again from the codes; both engines and our reader see the same values.
    ParquetWriteOptions options;
    options.row_group_rows = 1500;
    ASSERT_TRUE(WriteParquet(*ours, again, options).ok());
    const CanonicalTable ours_canonical = ToCanonical(*ours);
    EXPECT_EQ(DiffCanonical(ours_canonical, Dump("duckdb", again)), "") << "duckdb reading our rewrite";
    EXPECT_EQ(DiffCanonical(ours_canonical, Dump("polars", again)), "") << "polars reading our rewrite";
    auto back = ReadParquet(again);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_TRUE(back->Equals(*ours));
    const int sensor = back->schema()->GetFieldIndex("sensor_id").ValueOrDie();
    for (const RecordBatch& batch : back->batches()) EXPECT_TRUE(batch.column(sensor).is_dictionary());
  }
}

}  // namespace
}  // namespace edgepipe::parquet
