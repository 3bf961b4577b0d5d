// Dictionary string columns as the Parquet reader hands them out, through
// the code that consumes string columns: the CSV writer, Filter and Take
// (which keep the dictionary), table concatenation and rolling windows keyed
// by a string. Each result must equal the one computed from the same file
// read with plain strings (read_dictionary = false).

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "edgepipe/compute/selection.h"
#include "edgepipe/compute/window.h"
#include "edgepipe/csv/writer.h"
#include "edgepipe/parquet/reader.h"
#include "parquet/reader_test_file_builder.h"

namespace edgepipe::parquet {
namespace {

using testing::BuildParquet;
using testing::TestColumn;
using testing::TestFile;
using testing::WriteFile;

class DictionaryConsumersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = testing::FastTempDir() + "/edgepipe_dict_consumers_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name();
  }
  void TearDown() override {
    for (const char* suffix : {".parquet", ".dict.csv", ".plain.csv"}) ::unlink((base_ + suffix).c_str());
  }

  // The file read both ways: (dictionary columns, plain columns).
  void ReadBoth(int64_t rows, uint32_t seed, Table* dict, Table* plain) {
    std::mt19937 rng(seed);
    TestFile file;
    file.row_group_rows = 700;
    TestColumn ts, id, value;
    ts.name = "timestamp";
    ts.physical = PhysicalType::kInt64;
    id.name = "id";
    id.physical = PhysicalType::kByteArray;
    id.optional = true;
    id.dictionary = true;
    id.page_rows = 250;
    value.name = "value";
    value.physical = PhysicalType::kDouble;
    const std::string specials[] = {"", "NA", "with,comma", "quote\"d", "line\nbreak", "λ"};
    for (int64_t i = 0; i < rows; ++i) {
      ts.i64.push_back(i * 1000);
      const uint32_t k = rng() % 12;
      id.s.push_back(k < 6 ? specials[k] : "imu-" + std::to_string(k));
      id.valid.push_back(rng() % 7 != 0);
      value.f64.push_back(static_cast<double>(rng() % 1000) / 8.0);
    }
    file.columns = {ts, id, value};
    WriteFile(base_ + ".parquet", BuildParquet(file));
    for (bool read_dictionary : {true, false}) {
      ParquetReadOptions options;
      options.read_dictionary = read_dictionary;
      auto table = ReadParquet(base_ + ".parquet", options);
      ASSERT_TRUE(table.ok()) << table.status().ToString();
      for (const RecordBatch& b : table->batches()) ASSERT_EQ(b.column(1).is_dictionary(), read_dictionary);
      *(read_dictionary ? dict : plain) = *table;
    }
  }

  std::string base_;
};

std::string Slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

TEST_F(DictionaryConsumersTest, CsvWriterWritesTheSameBytes) {
  for (int64_t rows : {1, 129, 1025, 3000}) {
    Table dict, plain;
    ReadBoth(rows, static_cast<uint32_t>(rows), &dict, &plain);
    if (HasFatalFailure()) return;
    csv::CsvWriteOptions options = csv::CsvWriteOptions::Defaults();
    options.rows_per_task = 100;  // several tasks per batch
    ASSERT_TRUE(csv::WriteCsv(base_ + ".dict.csv", dict, options).ok());
    ASSERT_TRUE(csv::WriteCsv(base_ + ".plain.csv", plain, options).ok());
    const std::string a = Slurp(base_ + ".dict.csv");
    EXPECT_GT(a.size(), static_cast<size_t>(rows));
    EXPECT_EQ(a, Slurp(base_ + ".plain.csv")) << rows << " rows";
  }
}

TEST_F(DictionaryConsumersTest, FilterAndTakeKeepTheDictionary) {
  Table dict, plain;
  ReadBoth(2100, 5, &dict, &plain);
  if (HasFatalFailure()) return;
  const Column& dcol = dict.batches()[0].column(1);
  const Column& pcol = plain.batches()[0].column(1);
  for (int64_t off : {0, 1, 63, 64, 65}) {
    for (int64_t len : {0, 1, 7, 64, 127, 128, 129, 600}) {
      if (off + len > dcol.length()) continue;
      const Column d = dcol.Slice(off, len);
      const Column p = pcol.Slice(off, len);
      const uint64_t seed = static_cast<uint64_t>(off * 1000 + len);
      std::mt19937_64 rng(seed);
      std::vector<bool> sel(static_cast<size_t>(len)), sel_valid(static_cast<size_t>(len));
      for (int64_t i = 0; i < len; ++i) {
        sel[i] = rng() % 3 != 0 || (len >= 64 && i < 64);  // a full 64-row word too
        sel_valid[i] = rng() % 11 != 0;
      }
      const Column selection = *ColumnFromVector(Type::kBool, sel, sel_valid);
      auto fd = compute::Filter(d, selection);
      auto fp = compute::Filter(p, selection);
      ASSERT_TRUE(fd.ok() && fp.ok()) << fd.status().ToString();
      EXPECT_TRUE(fd->is_dictionary());
      EXPECT_EQ(fd->dictionary().get(), dcol.dictionary().get());
      EXPECT_TRUE(fd->Equals(*fp)) << "filter off=" << off << " len=" << len << " seed=" << seed;

      std::vector<int64_t> idx;
      std::vector<bool> idx_valid;
      for (int64_t i = 0; i < len + 5 && len > 0; ++i) {
        idx.push_back(static_cast<int64_t>(rng() % static_cast<uint64_t>(len)));
        idx_valid.push_back(rng() % 9 != 0);
      }
      const Column indices = *ColumnFromVector(Type::kInt64, idx, idx_valid);
      auto td = compute::Take(d, indices);
      auto tp = compute::Take(p, indices);
      ASSERT_TRUE(td.ok() && tp.ok()) << td.status().ToString();
      EXPECT_TRUE(td->is_dictionary());
      EXPECT_TRUE(td->Equals(*tp)) << "take off=" << off << " len=" << len << " seed=" << seed;
      // Out-of-range indices are still rejected.
      if (len > 0) {
        const Column bad = *ColumnFromVector<int64_t>(Type::kInt64, {0, len});
        EXPECT_TRUE(compute::Take(d, bad).status().IsInvalidArgument());
      }
    }
  }
}

TEST_F(DictionaryConsumersTest, ConcatenateAndRollingByStringKey) {
  Table dict, plain;
  ReadBoth(2500, 9, &dict, &plain);
  if (HasFatalFailure()) return;
  ASSERT_GT(dict.batches().size(), 1u);  // several row groups, one dictionary each
  auto cd = dict.Concatenate();
  auto cp = plain.Concatenate();
  ASSERT_TRUE(cd.ok() && cp.ok());
  EXPECT_TRUE(cd->column(1).is_dictionary());
  EXPECT_TRUE(cd->column(1).Equals(cp->column(1)));
  EXPECT_TRUE(dict.Equals(plain));

  compute::RollingOptions options;
  options.time_column = "timestamp";
  options.period_ns = 5000;
  options.by = {"id"};
  auto rd = compute::RollingMean(dict, options, {"value"});
  auto rp = compute::RollingMean(plain, options, {"value"});
  ASSERT_TRUE(rd.ok()) << rd.status().ToString();
  ASSERT_TRUE(rp.ok()) << rp.status().ToString();
  EXPECT_TRUE(rd->Equals(*rp));
}

}  // namespace
}  // namespace edgepipe::parquet
