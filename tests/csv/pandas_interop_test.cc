// Differential test against pandas (Debian's python3-pandas): a CSV with
// quotes, embedded line breaks, CRLF, nulls, exponents and offsets is read
// by both; every cell must agree exactly (floats by their bits, strings by
// their bytes, timestamps in ns). Skipped when pandas is missing, unless
// EDGEPIPE_REQUIRE_PEERS=1 (CI), where that is a failure.

#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <sstream>
#include <string>

#include "csv/csv_test_util.h"
#include "edgepipe/core/subprocess.h"
#include "edgepipe/csv/reader.h"
#include "interop/peer_runner.h"

namespace edgepipe::csv {
namespace {

constexpr const char* kPython = "/usr/bin/python3";

bool PandasAvailable() {
  auto run = RunSubprocess({kPython, "-c", "import pandas"});
  return run.ok() && run->ok();
}

std::string Hex(std::string_view s) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

// Our cell as the script prints it.
std::string Cell(const Column& col, int64_t row) {
  if (col.IsNull(row)) return "null";
  switch (col.type()) {
    case Type::kFloat64: {
      uint64_t bits;
      std::memcpy(&bits, col.values<double>() + row, 8);
      return "f:" + std::to_string(bits);
    }
    case Type::kInt64: return "i:" + std::to_string(col.values<int64_t>()[row]);
    case Type::kBool: return col.GetBool(row) ? "b:true" : "b:false";
    case Type::kString: return "s:" + Hex(col.GetString(row));
    case Type::kTimestamp: return "t:" + std::to_string(col.values<int64_t>()[row]);
    default: return "?";
  }
}

// Prints "column<TAB>row<TAB>cell" for every cell, with exact encodings.
constexpr const char* kScript = R"PY(
import struct, sys
import pandas as pd
path = sys.argv[1]
nulls = ["", "NA", "N/A", "null", "NULL"]
# Integers are read as text and converted by Python: pandas 1.5's nullable
# Int64 goes through float64 and cannot hold 2^53 + 1.
df = pd.read_csv(path, keep_default_na=False, na_values=nulls, float_precision="round_trip",
                 dtype={"id": str, "name": str, "value": "float64", "score": str, "flag": "boolean",
                        "when": str, "note": str})
for col in df.columns:
    for row, v in enumerate(df[col]):
        if v is None or v is pd.NA or (isinstance(v, float) and v != v):
            out = "null"
        elif col == "when":
            out = "t:%d" % pd.Timestamp(v).tz_localize("UTC").value if pd.Timestamp(v).tzinfo is None \
                else "t:%d" % pd.Timestamp(v).tz_convert("UTC").value
        elif col in ("id", "score"):
            out = "i:%d" % int(v)
        elif col == "value":
            out = "f:%d" % struct.unpack("<Q", struct.pack("<d", float(v)))[0]
        elif col == "flag":
            out = "b:true" if bool(v) else "b:false"
        else:
            out = "s:" + v.encode("utf-8").hex()
        print("%s\t%d\t%s" % (col, row, out))
)PY";

TEST(CsvPandasInteropTest, EveryCellAgrees) {
  if (!PandasAvailable()) {
    if (::edgepipe::testing::PeersRequired()) {
      FAIL() << "pandas is required (EDGEPIPE_REQUIRE_PEERS is set) but `" << kPython << " -c 'import pandas'` failed";
    }
    GTEST_SKIP() << "pandas not available";
  }
  const std::string csv =
      "id,name,value,score,flag,when,note\r\n"
      "1,\"Smith, John\",-1.5e-3,10,true,2024-01-02T03:04:05Z,plain\r\n"
      "2,\"He said \"\"hi\"\"\",2.5E+10,,false,2024-01-02T03:04:05.123456789+01:00,\"a\"\"b\"\n"
      "3,\"multi\nline\",-0.0,-7,true,,\"x,y\"\r\n"
      "4,plain,,NA,false,2024-02-29T12:00:00-05:30,\n"
      "5,\"a,b,\"\"c\"\"\",1.7976931348623157e308,9007199254740993,true,2024-01-02T00:00:00Z,N/A\n"
      "6,\"\xc3\xa9t\xc3\xa9\",-4.9406564584124654e-324,-9223372036854775807,false,1970-01-01T00:00:01.5Z,null\n"
      "7,NULL,0.1,0,true,1969-12-31T23:59:59.999999999Z,\"tab\there\"\r\n"
      "8,\" lead\",-123456.789e-2,42,false,2000-03-01T00:00:00+00:00,\"cr\r\nlf\"\n"
      "9,last,-2.2250738585072014e-308,1,true,2024-01-02T03:04:05.5Z,end";  // no final line feed
  const std::string path = testing::WriteTempFile("pandas_diff.csv", csv);
  const std::string script = testing::WriteTempFile("pandas_diff.py", kScript);

  // stdout only: a warning pandas prints on stderr is not a cell.
  auto printed = RunSubprocessForOutput({kPython, script, path});
  ASSERT_TRUE(printed.ok()) << printed.status().ToString();
  const std::string& out = *printed;

  CsvReadOptions options;
  options.column_types = {{"note", Type::kString}};
  auto table = ReadCsv(path, options);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  const auto& schema = *table->schema();
  EXPECT_EQ(schema.field(schema.FieldIndex("id")).type, Type::kInt64);
  EXPECT_EQ(schema.field(schema.FieldIndex("value")).type, Type::kFloat64);
  EXPECT_EQ(schema.field(schema.FieldIndex("score")).type, Type::kInt64);
  EXPECT_EQ(schema.field(schema.FieldIndex("flag")).type, Type::kBool);
  EXPECT_EQ(schema.field(schema.FieldIndex("when")).type, Type::kTimestamp);
  ASSERT_EQ(table->num_rows(), 9);

  std::istringstream lines(out);
  std::string line;
  int compared = 0;
  while (std::getline(lines, line)) {
    const auto t1 = line.find('\t');
    const auto t2 = line.find('\t', t1 + 1);
    ASSERT_NE(t2, std::string::npos) << "unexpected pandas output: " << line;
    const std::string name = line.substr(0, t1);
    const int64_t row = std::stoll(line.substr(t1 + 1, t2 - t1 - 1));
    const std::string want = line.substr(t2 + 1);
    const int col = schema.FieldIndex(name);
    ASSERT_GE(col, 0) << name;
    const Column column = testing::TableColumn(*table, col);
    EXPECT_EQ(Cell(column, row), want) << "column " << name << " row " << row;
    ++compared;
  }
  EXPECT_EQ(compared, 9 * 7) << out;
}

}  // namespace
}  // namespace edgepipe::csv
