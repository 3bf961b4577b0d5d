// Differential test: GroupBy against pandas (Debian's /usr/bin/python3).
// The random input is written as a small CSV by hand (no dependency on the
// CSV module), pandas computes groupby(...).agg([...]) and prints every
// value with float.hex(); values must agree within 1e-12 relative.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "compute/group_by_test_util.h"
#include "edgepipe/compute/group_by.h"
#include "edgepipe/core/parallel.h"
#include "edgepipe/core/subprocess.h"
#include "interop/peer_runner.h"

namespace edgepipe::compute {
namespace {

constexpr const char* kPython = "/usr/bin/python3";

constexpr const char* kScript = R"PY(
import sys
import numpy as np
import pandas as pd

keys = sys.argv[2].split(',')
vals = ['v_f64', 'v_f32', 'v_i32']
aggs = ['count', 'sum', 'mean', 'min', 'max', 'first', 'last', 'std']
dtypes = {k: str for k in keys}
dtypes.update({v: np.float64 for v in vals})
df = pd.read_csv(sys.argv[1], dtype=dtypes, keep_default_na=False, na_values=['NULL'],
                 float_precision='round_trip')
g = df.groupby(keys, dropna=False, sort=True)[vals].agg(aggs)
for v in vals:  # pandas sums an all-null group to 0; SQL (and we) say null
    g[(v, 'sum')] = g[(v, 'sum')].where(g[(v, 'count')] > 0)

def fmt(x):
    return 'nan' if pd.isna(x) else float(x).hex()

def key(x):
    return 'NULL' if pd.isna(x) else str(x)

for idx, row in g.iterrows():
    idx = idx if isinstance(idx, tuple) else (idx,)
    print('\t'.join([key(i) for i in idx] + [fmt(row[(v, a)]) for v in vals for a in aggs]))
)PY";

bool PandasAvailable() {
  auto run = RunSubprocess({kPython, "-c", "import pandas"});
  return run.ok() && run->ok();
}

std::string TempDir() {
  char tmpl[] = "/tmp/edgepipe_pandas_XXXXXX";
  const char* dir = mkdtemp(tmpl);
  return dir ? dir : "/tmp";
}

std::string CsvValue(const Column& col, int64_t r) {
  if (col.IsNull(r)) return "NULL";
  if (col.type() == Type::kFloat32 || col.type() == Type::kFloat64) {
    // %.17g of the double round-trips exactly; a float32 widens exactly.
    const double d = col.type() == Type::kFloat32 ? col.values<float>()[r] : col.values<double>()[r];
    char buf[40];
    std::snprintf(buf, sizeof(buf), "%.17g", d);
    return buf;
  }
  return col.ValueToString(r);
}

double AsDouble(const Column& col, int64_t r) {
  switch (col.type()) {
    case Type::kInt32:
      return col.values<int32_t>()[r];
    case Type::kInt64:
      return static_cast<double>(col.values<int64_t>()[r]);
    case Type::kFloat32:
      return col.values<float>()[r];
    default:
      return col.values<double>()[r];
  }
}

void RunDifferential(uint64_t seed, int64_t rows, const std::vector<std::string>& keys) {
  const Table input = test::MakeRandomTable(seed, rows, 900);
  const std::string dir = TempDir();
  const std::string csv_path = dir + "/input.csv";
  const std::string py_path = dir + "/agg.py";
  {
    std::ofstream py(py_path);
    py << kScript;
    std::ofstream csv(csv_path);
    const std::vector<std::string> cols = {keys[0], keys.size() > 1 ? keys[1] : "", "v_f64", "v_f32", "v_i32"};
    std::vector<int> idx;
    std::string header;
    for (const auto& c : cols) {
      if (c.empty()) continue;
      idx.push_back(input.schema()->FieldIndex(c));
      header += (header.empty() ? "" : ",") + c;
    }
    csv << header << "\n";
    for (const RecordBatch& b : input.batches()) {
      for (int64_t r = 0; r < b.num_rows(); ++r) {
        for (size_t i = 0; i < idx.size(); ++i) csv << (i ? "," : "") << CsvValue(b.column(idx[i]), r);
        csv << "\n";
      }
    }
  }
  std::string key_arg;
  for (const auto& k : keys) key_arg += (key_arg.empty() ? "" : ",") + k;
  auto printed = RunSubprocessForOutput({kPython, py_path, csv_path, key_arg});
  ASSERT_TRUE(printed.ok()) << printed.status().ToString();

  const std::vector<std::string> vals = {"v_f64", "v_f32", "v_i32"};
  const std::vector<AggKind> kinds = {AggKind::kCount, AggKind::kSum,   AggKind::kMean, AggKind::kMin,
                                      AggKind::kMax,   AggKind::kFirst, AggKind::kLast, AggKind::kStd};
  std::vector<Aggregate> aggs;
  for (const auto& v : vals) {
    for (AggKind k : kinds) aggs.push_back({k, v, ""});
  }
  auto result = GroupBy(input, keys, aggs);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  auto out = result->Concatenate();
  ASSERT_TRUE(out.ok());
  std::map<std::vector<std::string>, int64_t> row_of;
  for (int64_t r = 0; r < out->num_rows(); ++r) {
    std::vector<std::string> key;
    for (size_t k = 0; k < keys.size(); ++k) {
      const Column& c = out->column(static_cast<int>(k));
      key.push_back(c.IsNull(r) ? "NULL" : c.ValueToString(r));
    }
    row_of[key] = r;
  }

  std::istringstream in(*printed);
  std::string line;
  int64_t lines = 0;
  while (std::getline(in, line)) {
    ++lines;
    std::vector<std::string> fields;
    std::stringstream ss(line);
    std::string f;
    while (std::getline(ss, f, '\t')) fields.push_back(f);
    if (!line.empty() && line.back() == '\t') fields.push_back("");
    ASSERT_EQ(fields.size(), keys.size() + aggs.size()) << line;
    const std::vector<std::string> key(fields.begin(), fields.begin() + static_cast<long>(keys.size()));
    auto it = row_of.find(key);
    ASSERT_NE(it, row_of.end()) << "pandas group missing from ours: " << line;
    const int64_t r = it->second;
    for (size_t a = 0; a < aggs.size(); ++a) {
      const std::string& want = fields[keys.size() + a];
      const Column& got = out->column(static_cast<int>(keys.size() + a));
      const std::string what = "seed " + std::to_string(seed) + " group " + line.substr(0, 40) + " " + aggs[a].column +
                               "_" + std::string(AggKindName(aggs[a].kind));
      if (want == "nan") {
        EXPECT_TRUE(got.IsNull(r)) << what << " = " << got.ValueToString(r);
        continue;
      }
      ASSERT_TRUE(got.IsValid(r)) << what << " expected " << want;
      const double expected = std::strtod(want.c_str(), nullptr);
      const double actual = AsDouble(got, r);
      EXPECT_LE(std::fabs(actual - expected), 1e-12 * std::fabs(expected))
          << what << ": ours " << actual << " pandas " << expected;
    }
  }
  EXPECT_EQ(lines, out->num_rows()) << "group counts differ";
  std::remove(csv_path.c_str());
  std::remove(py_path.c_str());
  std::remove(dir.c_str());
}

TEST(GroupByPandasTest, MatchesPandas) {
  if (!PandasAvailable()) {
    if (::edgepipe::testing::PeersRequired()) {
      FAIL() << "pandas is required (EDGEPIPE_REQUIRE_PEERS is set) but not importable by " << kPython;
    }
    GTEST_SKIP() << "pandas not importable by " << kPython << "; apt-get install python3-pandas";
  }
  for (int threads : {1, 2}) {
    SetNumThreads(threads);
    RunDifferential(11, 5000, {"k_str"});
    RunDifferential(12, 20000, {"k_i64", "k_str"});
    RunDifferential(13, 3000, {"k_i32"});
  }
  SetNumThreads(0);
}

}  // namespace
}  // namespace edgepipe::compute
