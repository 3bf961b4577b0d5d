// CsvReader: dialect (quotes, CRLF, blank lines, trailing line), inference,
// conversion, errors with line numbers, projection, block-boundary sweeps.

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "csv/csv_test_util.h"
#include "edgepipe/core/parallel.h"
#include "edgepipe/csv/reader.h"

namespace edgepipe::csv {
namespace {

using testing::Cells;
using testing::ReadText;
using testing::TableColumn;
using testing::WriteTempFile;
using Rows = std::vector<std::vector<std::string>>;

Table MustRead(const std::string& text, const CsvReadOptions& options = CsvReadOptions::Defaults()) {
  auto t = ReadText(text, options);
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.ok() ? *t : Table();
}

Status ReadError(const std::string& text, const CsvReadOptions& options = CsvReadOptions::Defaults()) {
  auto t = ReadText(text, options);
  EXPECT_FALSE(t.ok()) << "expected an error for:\n" << text;
  return t.ok() ? Status::OK() : t.status();
}

Type TypeOf(const Table& t, const std::string& name) {
  const int i = t.schema()->FieldIndex(name);
  EXPECT_GE(i, 0) << name;
  return i < 0 ? Type::kString : t.schema()->field(i).type;
}

// ---------------------------------------------------------------- inference

TEST(CsvInferenceTest, PicksEachType) {
  const Table t = MustRead(
      "b,i,f,ts,d,s,e\n"
      "true,1,1.5,2024-01-02T03:04:05Z,2024-01-02,x,\n"
      "False,-2,2,2024-01-02 03:04:05.5+01:00,2024-01-03,y,\n"
      "TRUE,3,-1e3,2024-01-02T03:04,2024-01-04,3,\n");
  EXPECT_EQ(TypeOf(t, "b"), Type::kBool);
  EXPECT_EQ(TypeOf(t, "i"), Type::kInt64);
  EXPECT_EQ(TypeOf(t, "f"), Type::kFloat64);
  EXPECT_EQ(TypeOf(t, "ts"), Type::kTimestamp);
  EXPECT_EQ(TypeOf(t, "d"), Type::kTimestamp);
  EXPECT_EQ(TypeOf(t, "s"), Type::kString);
  EXPECT_EQ(TypeOf(t, "e"), Type::kString);  // only nulls
  EXPECT_EQ(Cells(t), (Rows{{"true", "1", "1.5", "1704164645000000000", "1704153600000000000", "x", "null"},
                            {"false", "-2", "2", "1704161045500000000", "1704240000000000000", "y", "null"},
                            {"true", "3", "-1000", "1704164640000000000", "1704326400000000000", "3", "null"}}));
}

TEST(CsvInferenceTest, LatticeAndNulls) {
  const Table t = MustRead(
      "a,b,c,d,e,f,ts_ns\n"
      "1,1,0,NA,1,2024-01-01,1700000000000000000\n"
      "2,2.5,1,null,true,5,1700000000000000001\n"
      ",NULL,N/A,,2,2024-01-02,\n");
  EXPECT_EQ(TypeOf(t, "a"), Type::kInt64);
  EXPECT_EQ(TypeOf(t, "b"), Type::kFloat64);  // int then float
  EXPECT_EQ(TypeOf(t, "c"), Type::kInt64);    // 0/1 stay integers
  EXPECT_EQ(TypeOf(t, "d"), Type::kString);   // all null
  EXPECT_EQ(TypeOf(t, "e"), Type::kString);   // int and bool
  EXPECT_EQ(TypeOf(t, "f"), Type::kString);   // date and int
  EXPECT_EQ(TypeOf(t, "ts_ns"), Type::kInt64);  // named like a timestamp, still int
  const Column a = TableColumn(t, 0);
  EXPECT_EQ(a.null_count(), 1);
  EXPECT_TRUE(a.IsNull(2));
  const Column b = TableColumn(t, 1);
  EXPECT_EQ(b.values<double>()[1], 2.5);
  EXPECT_TRUE(b.IsNull(2));
  const Column d = TableColumn(t, 3);
  EXPECT_EQ(d.null_count(), 3);
}

TEST(CsvInferenceTest, SchemaOverridesInference) {
  CsvReadOptions options;
  options.column_types = {{"ts_ns", Type::kTimestamp}, {"id", Type::kString}, {"v", Type::kFloat32},
                          {"n", Type::kInt32}, {"flag", Type::kBool}};
  const Table t = MustRead("ts_ns,id,v,n,flag\n1500000000,007,0.1,-5,1\n2024-01-01T00:00:00Z,8,2,7,False\n", options);
  EXPECT_EQ(TypeOf(t, "ts_ns"), Type::kTimestamp);
  EXPECT_EQ(TypeOf(t, "id"), Type::kString);
  EXPECT_EQ(TypeOf(t, "v"), Type::kFloat32);
  EXPECT_EQ(TypeOf(t, "n"), Type::kInt32);
  EXPECT_EQ(TypeOf(t, "flag"), Type::kBool);
  EXPECT_EQ(Cells(t), (Rows{{"1500000000", "007", "0.1", "-5", "true"},
                            {"1704067200000000000", "8", "2", "7", "false"}}));
  EXPECT_EQ(TableColumn(t, 2).values<float>()[0], 0.1f);
}

TEST(CsvInferenceTest, LaterBlockThatDoesNotFitNamesLineColumnAndFix) {
  std::string text = "id,temp\n";
  for (int i = 0; i < 200; ++i) text += std::to_string(i) + "," + std::to_string(i * 2) + "\n";
  text += "200,12.5\n";  // line 202
  CsvReadOptions options;
  options.block_size = 256;  // the first block holds only a few rows
  const Status st = ReadError(text, options);
  EXPECT_TRUE(st.IsCorruption()) << st.ToString();
  EXPECT_NE(st.message().find("test.csv:202:"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("column 'temp'"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("\"12.5\""), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("--schema temp:float64"), std::string::npos) << st.message();
  // The suggested fix works.
  options.column_types = {{"temp", Type::kFloat64}};
  EXPECT_TRUE(ReadText(text, options).ok());
}

TEST(CsvInferenceTest, InferRowsLimitsTheSample) {
  const std::string text = "a\n1\n2\nx\n";
  EXPECT_EQ(TypeOf(MustRead(text), "a"), Type::kString);
  CsvReadOptions options;
  options.infer_rows = 2;
  const Status st = ReadError(text, options);
  EXPECT_TRUE(st.IsCorruption());
  EXPECT_NE(st.message().find("test.csv:4:"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("--schema a:string"), std::string::npos) << st.message();
  options.infer_rows = 3;
  EXPECT_EQ(TypeOf(MustRead(text, options), "a"), Type::kString);
  options.infer_rows = 2;
  EXPECT_EQ(Cells(MustRead("a\n1\n2\n", options)), (Rows{{"1"}, {"2"}}));
}

// ---------------------------------------------------------------- dialect

TEST(CsvDialectTest, QuotedFields) {
  const Table t = MustRead(
      "name,note\n"
      "\"a,b\",\"say \"\"hi\"\"\"\n"
      "\"multi\nline\",\"\"\n"
      "plain,\"x\"\"\"\n"
      "mid\"quote,\"crlf\r\ninside\"\n");
  EXPECT_EQ(TypeOf(t, "note"), Type::kString);
  const Column note = TableColumn(t, 1);
  EXPECT_EQ(note.null_count(), 0);  // "" is the empty string, not null
  EXPECT_EQ(Cells(t), (Rows{{"a,b", "say \"hi\""}, {"multi\nline", ""}, {"plain", "x\""},
                            {"mid\"quote", "crlf\r\ninside"}}));
}

TEST(CsvDialectTest, QuotedNullSpellingsStayStrings) {
  const Table t = MustRead("s,n\n\"NA\",\"\"\nNA,\n\"\",\"1\"\n");
  EXPECT_EQ(TypeOf(t, "n"), Type::kInt64);
  const Column s = TableColumn(t, 0);
  EXPECT_EQ(s.GetString(0), "NA");
  EXPECT_TRUE(s.IsNull(1));
  EXPECT_TRUE(s.IsValid(2));
  EXPECT_EQ(s.GetString(2), "");
  const Column n = TableColumn(t, 1);
  EXPECT_TRUE(n.IsNull(0));  // a quoted empty number is null
  EXPECT_TRUE(n.IsNull(1));
  EXPECT_EQ(n.values<int64_t>()[2], 1);
}

TEST(CsvDialectTest, CrlfEqualsLf) {
  const std::string lf = "a,b,c\n1,x,2.5\n2,,\n3,\"q\",-1\n";
  std::string crlf;
  for (char c : lf) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  EXPECT_TRUE(MustRead(lf).Equals(MustRead(crlf)));
  EXPECT_EQ(Cells(MustRead(crlf)), (Rows{{"1", "x", "2.5"}, {"2", "null", "null"}, {"3", "q", "-1"}}));
}

TEST(CsvDialectTest, MissingTrailingNewline) {
  EXPECT_EQ(Cells(MustRead("a,b\n1,2\n3,4")), (Rows{{"1", "2"}, {"3", "4"}}));
  EXPECT_EQ(Cells(MustRead("a,b\r\n1,2\r\n3,4\r")), (Rows{{"1", "2"}, {"3", "4"}}));
  EXPECT_EQ(Cells(MustRead("a,b\n1,2\n3,")), (Rows{{"1", "2"}, {"3", "null"}}));
  EXPECT_EQ(Cells(MustRead("a,b\n1,2\n3,\"x\"")), (Rows{{"1", "2"}, {"3", "x"}}));
  EXPECT_EQ(Cells(MustRead("a\n5")), (Rows{{"5"}}));
}

TEST(CsvDialectTest, BlankLines) {
  // Skipped with several columns (fast and quoted paths), null with one.
  EXPECT_EQ(Cells(MustRead("\n\na,b\n\n1,2\n\r\n\n3,4\n\n")), (Rows{{"1", "2"}, {"3", "4"}}));
  EXPECT_EQ(Cells(MustRead("a,b\n\"1\",2\n\n3,4\n")), (Rows{{"1", "2"}, {"3", "4"}}));
  const Table one = MustRead("a\n1\n\n3\n");
  EXPECT_EQ(Cells(one), (Rows{{"1"}, {"null"}, {"3"}}));
}

TEST(CsvDialectTest, OtherDelimitersBomAndNoHeader) {
  CsvReadOptions options;
  options.delimiter = ';';
  EXPECT_EQ(Cells(MustRead("a;b\n1,5;\"x;y\"\n", options)), (Rows{{"1,5", "x;y"}}));
  options.delimiter = '\t';
  EXPECT_EQ(Cells(MustRead("a\tb\n1\t2\n", options)), (Rows{{"1", "2"}}));
  const Table bom = MustRead("\xEF\xBB\xBFx,y\n1,2\n");
  EXPECT_EQ(bom.schema()->field(0).name, "x");
  CsvReadOptions no_header;
  no_header.header = false;
  const Table t = MustRead("1,a\n2,b\n", no_header);
  EXPECT_EQ(t.schema()->field(0).name, "f0");
  EXPECT_EQ(t.schema()->field(1).name, "f1");
  EXPECT_EQ(Cells(t), (Rows{{"1", "a"}, {"2", "b"}}));
}

TEST(CsvDialectTest, SpacesAroundNumbersAreTrimmed) {
  CsvReadOptions options;
  options.column_types = {{"a", Type::kFloat64}, {"b", Type::kInt64}, {"c", Type::kString}};
  EXPECT_EQ(Cells(MustRead("a,b,c\n 1.5 ,\t7 , s \n  ,NA , \n", options)),
            (Rows{{"1.5", "7", " s "}, {"null", "null", " "}}));
}

TEST(CsvDialectTest, CustomNullValues) {
  CsvReadOptions options;
  options.null_values = {"nan", "-"};
  const Table t = MustRead("a,b\nnan,-\n1.5,x\n", options);
  EXPECT_EQ(TypeOf(t, "a"), Type::kFloat64);
  EXPECT_EQ(Cells(t), (Rows{{"null", "null"}, {"1.5", "x"}}));
  // Default spellings: NaN is a float, not a null.
  const Table d = MustRead("a\nNaN\n1\n");
  EXPECT_EQ(TypeOf(d, "a"), Type::kFloat64);
  EXPECT_EQ(TableColumn(d, 0).null_count(), 0);
  EXPECT_TRUE(std::isnan(TableColumn(d, 0).values<double>()[0]));
}

// ---------------------------------------------------------------- errors

TEST(CsvErrorTest, RaggedRowsNameTheLine) {
  for (const std::string& row : {std::string("7,8"), std::string("\"7\",8")}) {
    const Status st = ReadError("a,b,c\n1,2,3\n4,5,6\n" + row + "\n9,9,9\n");
    EXPECT_TRUE(st.IsCorruption()) << st.ToString();
    EXPECT_NE(st.message().find("test.csv:4: expected 3 fields, got 2"), std::string::npos) << st.message();
  }
  const Status many = ReadError("a,b\n1,2\n3,4,5,6\n");
  EXPECT_TRUE(many.IsCorruption());
  EXPECT_NE(many.message().find("test.csv:3: expected 2 fields, got 4"), std::string::npos) << many.message();
  // Lines are physical lines: the quoted line break counts.
  const Status after = ReadError("a,b\n\"x\ny\",1\n2\n");
  EXPECT_TRUE(after.IsCorruption());
  EXPECT_NE(after.message().find("test.csv:4:"), std::string::npos) << after.message();
  // The last line without a line feed too.
  const Status last = ReadError("a,b\n1,2\n3");
  EXPECT_NE(last.message().find("test.csv:3: expected 2 fields, got 1"), std::string::npos) << last.message();
}

TEST(CsvErrorTest, BadValueWithSchemaNamesLineColumnValue) {
  CsvReadOptions options;
  options.column_types = {{"ax", Type::kFloat64}};
  const Status st = ReadError("t,ax\n1,0.5\n2,1.2.3\n", options);
  EXPECT_TRUE(st.IsCorruption());
  EXPECT_NE(st.message().find("test.csv:3: column 'ax': cannot parse \"1.2.3\" as float64"), std::string::npos)
      << st.message();
  options.column_types = {{"ax", Type::kInt32}};
  const Status range = ReadError("t,ax\n1,3000000000\n", options);
  EXPECT_TRUE(range.IsCorruption());
  EXPECT_NE(range.message().find("out of range for int32"), std::string::npos) << range.message();
  // Long values are cut in the message.
  options.column_types = {{"ax", Type::kFloat64}};
  const Status longer = ReadError("t,ax\n1," + std::string(100, 'z') + "\n", options);
  EXPECT_NE(longer.message().find(std::string(40, 'z') + "\"..."), std::string::npos) << longer.message();
  EXPECT_EQ(longer.message().find(std::string(41, 'z')), std::string::npos) << longer.message();
}

TEST(CsvErrorTest, UnterminatedQuote) {
  const Status st = ReadError("a,b\n1,2\n3,\"open\n4,5\n");
  EXPECT_TRUE(st.IsCorruption());
  EXPECT_NE(st.message().find("test.csv:3:"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("never closed"), std::string::npos) << st.message();
  EXPECT_TRUE(ReadError("\"a,b\n1,2\n").IsCorruption());
}

TEST(CsvErrorTest, OptionsAndColumns) {
  CsvReadOptions options;
  options.delimiter = '"';
  EXPECT_TRUE(ReadError("a\n", options).IsInvalidArgument());
  options = CsvReadOptions();
  options.block_size = 0;
  EXPECT_TRUE(ReadError("a\n", options).IsInvalidArgument());
  options = CsvReadOptions();
  options.column_types = {{"nope", Type::kInt64}};
  const Status st = ReadError("a,b\n1,2\n", options);
  EXPECT_TRUE(st.IsInvalidArgument());
  EXPECT_NE(st.message().find("'nope'"), std::string::npos);
  EXPECT_NE(st.message().find("a, b"), std::string::npos);
  options = CsvReadOptions();
  options.include_columns = {"b", "zz"};
  EXPECT_TRUE(ReadError("a,b\n1,2\n", options).IsNotFound());
}

TEST(CsvErrorTest, NonexistentPathIsNotFound) {
  auto r = ReadCsv((testing::TempDir() / "does_not_exist.csv").string());
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsNotFound()) << r.status().ToString();
  EXPECT_NE(r.status().message().find("does_not_exist.csv"), std::string::npos);
}

TEST(CsvErrorTest, ErrorIsStickyAndEarlierBatchesComeFirst) {
  std::string text = "a\n";
  for (int i = 0; i < 1000; ++i) text += std::to_string(i) + "\n";
  text += "oops\n";
  CsvReadOptions options;
  options.block_size = 64;
  options.column_types = {{"a", Type::kInt64}};
  auto reader = CsvReader::OpenBuffer(text, options, "s.csv");
  ASSERT_TRUE(reader.ok());
  int64_t rows = 0;
  Status error;
  while (true) {
    auto batch = (*reader)->Next();
    if (!batch.ok()) {
      error = batch.status();
      break;
    }
    ASSERT_TRUE(batch->has_value()) << "the stream ended without the error";
    rows += (*batch)->num_rows();
  }
  EXPECT_TRUE(error.IsCorruption());
  EXPECT_NE(error.message().find("s.csv:1002:"), std::string::npos) << error.message();
  EXPECT_LE(rows, 1000);
  EXPECT_GT(rows, 0);
  auto again = (*reader)->Next();
  EXPECT_FALSE(again.ok());
  EXPECT_TRUE(again.status().IsCorruption());
}

// ---------------------------------------------------------------- shapes

TEST(CsvShapeTest, EmptyFileAndHeaderOnly) {
  const Table empty = MustRead("");
  EXPECT_EQ(empty.num_rows(), 0);
  EXPECT_EQ(empty.num_columns(), 0);
  const Table header = MustRead("a,b,\"c,d\"\n");
  EXPECT_EQ(header.num_rows(), 0);
  ASSERT_EQ(header.num_columns(), 3);
  EXPECT_EQ(header.schema()->field(2).name, "c,d");
  for (const auto& f : header.schema()->fields()) EXPECT_EQ(f.type, Type::kString);
  CsvReadOptions options;
  options.column_types = {{"a", Type::kInt64}};
  EXPECT_EQ(MustRead("a,b", options).schema()->field(0).type, Type::kInt64);
  // Through a real (empty) file too: mmap of size 0.
  auto t = ReadCsv(WriteTempFile("empty.csv", ""));
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->num_rows(), 0);
}

TEST(CsvShapeTest, Projection) {
  CsvReadOptions options;
  options.include_columns = {"c", "a"};
  const Table t = MustRead("a,b,c\n1,x,2.5\n2,\"y,z\",3.5\n", options);
  ASSERT_EQ(t.num_columns(), 2);
  EXPECT_EQ(t.schema()->field(0).name, "c");
  EXPECT_EQ(t.schema()->field(1).name, "a");
  EXPECT_EQ(TypeOf(t, "c"), Type::kFloat64);
  EXPECT_EQ(Cells(t), (Rows{{"2.5", "1"}, {"3.5", "2"}}));
  // Projection does not skip validation of the other columns' shape.
  EXPECT_TRUE(ReadError("a,b,c\n1,2\n", options).IsCorruption());
}

// A CSV with every hard case: quotes with delimiters, doubled quotes, line
// breaks in quotes, CRLF, empty fields, blank lines, a last line without LF.
std::string TrickyCsv(int rows, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string out = "id,text,value,flag\r\n";
  for (int i = 0; i < rows; ++i) {
    out += std::to_string(i) + ",";
    switch (rng() % 6) {
      case 0: out += "\"a,b\""; break;
      case 1: out += "\"he said \"\"hi\"\"\""; break;
      case 2: out += "\"two\nlines\""; break;
      case 3: out += ""; break;
      case 4: out += "plain" + std::to_string(rng() % 100); break;
      case 5: out += "\"\""; break;
    }
    out += ",";
    if (rng() % 5 != 0) out += std::to_string(static_cast<int>(rng() % 20000) - 10000) + "." + std::to_string(rng() % 1000);
    out += ",";
    out += rng() % 2 ? "true" : "false";
    out += rng() % 3 == 0 ? "\r\n" : "\n";
    if (rng() % 17 == 0) out += "\n";
  }
  out += "last,\"x\",1.5,true";  // no line feed
  return out;
}

TEST(CsvBlockTest, EveryBlockSizeGivesTheSameTable) {
  CsvReadOptions options;
  options.column_types = {{"id", Type::kString}};
  const std::string text = TrickyCsv(150, 1);
  const Table whole = MustRead(text, options);
  ASSERT_EQ(whole.num_rows(), 151);
  for (int64_t block = 1; block <= 200; ++block) {
    options.block_size = block;
    auto t = ReadText(text, options);
    ASSERT_TRUE(t.ok()) << "block_size " << block << ": " << t.status().ToString();
    ASSERT_TRUE(t->Equals(whole)) << "block_size " << block;
  }
}

TEST(CsvBlockTest, QuotedFieldSpanningBlocksFromAFile) {
  // The mapped file ends exactly where the data ends, so the parser's
  // 64-byte windows must not read past it.
  std::string text = "a,b\n";
  for (int i = 0; i < 40; ++i) text += "\"" + std::string(static_cast<size_t>(i), 'x') + ",\n\"\"y\",1\n";
  const std::string path = WriteTempFile("span.csv", text);
  CsvReadOptions options;
  auto whole = ReadCsv(path, options);
  ASSERT_TRUE(whole.ok()) << whole.status().ToString();
  ASSERT_EQ(whole->num_rows(), 40);
  EXPECT_EQ(TableColumn(*whole, 0).GetString(3), "xxx,\n\"y");
  for (int64_t block : {1, 2, 3, 7, 8, 31, 32, 63, 64, 65, 127, 128, 129}) {
    options.block_size = block;
    auto t = ReadCsv(path, options);
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    EXPECT_TRUE(t->Equals(*whole)) << "block_size " << block;
  }
}

// Blocks after the first are cut at the last line feed without looking at
// quotes, and redone with exact cuts once a block reports a quote. A quoted
// field whose lines look like rows, after a long quote-free stretch, must
// come out the same for every block size.
TEST(CsvBlockTest, SpeculativeCutsRedoneAfterAQuote) {
  std::string text = "a,b\n";
  for (int i = 0; i < 300; ++i) text += std::to_string(i) + ",x\n";
  text += "300,\"looks\n1,2\nlike,rows\n\"\"x\"\",y\n\"\n";
  for (int i = 301; i < 600; ++i) text += std::to_string(i) + ",x\n";
  CsvReadOptions options;
  options.block_size = 1 << 20;
  const Table whole = MustRead(text, options);
  ASSERT_EQ(whole.num_rows(), 600);
  EXPECT_EQ(TableColumn(whole, 1).GetString(300), "looks\n1,2\nlike,rows\n\"x\",y\n");
  for (int64_t block = 20; block < 400; block += 3) {
    options.block_size = block;
    options.infer_rows = 10;  // the first block alone decides nothing odd
    auto t = ReadText(text, options);
    ASSERT_TRUE(t.ok()) << "block_size " << block << ": " << t.status().ToString();
    ASSERT_TRUE(t->Equals(whole)) << "block_size " << block;
  }
  // An error in a quote-free block before the quote is reported as such.
  const std::string bad = "a,b\n" + std::string("1,x\n2\n") + text.substr(4);
  options.block_size = 16;
  const Status st = ReadError(bad, options);
  EXPECT_NE(st.message().find("test.csv:3: expected 2 fields, got 1"), std::string::npos) << st.message();
}

TEST(CsvBlockTest, ManyBlocksInParallelKeepOrder) {
  std::string text = "i,x\n";
  const int rows = 100000;
  for (int i = 0; i < rows; ++i) text += std::to_string(i) + "," + std::to_string(i % 7) + ".25\n";
  const std::string path = WriteTempFile("many.csv", text);
  for (int64_t block : {int64_t{1000}, int64_t{4096}, int64_t{1} << 20}) {
    CsvReadOptions options;
    options.block_size = block;
    auto t = ReadCsv(path, options);
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    ASSERT_EQ(t->num_rows(), rows);
    const Column i = TableColumn(*t, 0);
    const Column x = TableColumn(*t, 1);
    for (int r = 0; r < rows; ++r) {
      ASSERT_EQ(i.values<int64_t>()[r], r);
      ASSERT_EQ(x.values<double>()[r], (r % 7) + 0.25);
    }
    if (block == 1000) {
      EXPECT_GT(t->batches().size(), 100u);
    }
  }
}

// Regression (found by csv_fuzz): string bytes were lost when a block's
// text outgrew the first estimate, made from its first short rows.
TEST(CsvBlockTest, StringColumnsGrowPastTheFirstEstimate) {
  std::string text = "s,i\n";
  for (int i = 0; i < 3000; ++i) text += "a,1\n";
  for (int i = 0; i < 3000; ++i) text += std::string(static_cast<size_t>(100 + i % 50), static_cast<char>('b' + i % 20)) + ",2\n";
  const Table t = MustRead(text);
  ASSERT_EQ(t.batches().size(), 1u);
  const Column s = TableColumn(t, 0);
  for (int i = 0; i < 3000; ++i) ASSERT_EQ(s.GetString(i), "a") << i;
  for (int i = 0; i < 3000; ++i) {
    ASSERT_EQ(s.GetString(3000 + i), std::string(static_cast<size_t>(100 + i % 50), static_cast<char>('b' + i % 20))) << i;
  }
  // Blank lines split the parser's batches: the same growth across them.
  const Table blanks = MustRead("s,i\nxy,1\n\n" + std::string(5000, 'z') + ",2\n");
  EXPECT_EQ(Cells(blanks), (Rows{{"xy", "1"}, {std::string(5000, 'z'), "2"}}));
}

TEST(CsvBlockTest, TruncationsAndFlipsNeverCrash) {
  // Every prefix of a valid file, and single-byte changes: OK or a clean
  // Corruption, never a crash (ASan/UBSan runs check the "never").
  const std::string text = TrickyCsv(12, 2);
  CsvReadOptions options;
  options.block_size = 16;
  for (size_t n = 0; n <= text.size(); ++n) {
    auto t = ReadText(text.substr(0, n), options);
    if (!t.ok()) {
      EXPECT_TRUE(t.status().IsCorruption()) << n << ": " << t.status().ToString();
    }
  }
  std::mt19937 rng(4);
  for (size_t i = 0; i < text.size(); ++i) {
    std::string bad = text;
    bad[i] = "\",\n\rx0"[rng() % 6];
    auto t = ReadText(bad, options);
    if (!t.ok()) {
      EXPECT_TRUE(t.status().IsCorruption()) << i << ": " << t.status().ToString();
    }
  }
}

TEST(CsvBlockTest, SingleThreadEqualsPool) {
  const std::string text = TrickyCsv(500, 3);
  CsvReadOptions options;
  options.block_size = 100;
  options.column_types = {{"id", Type::kString}};
  const Table pooled = MustRead(text, options);
  SetNumThreads(1);
  const Table single = MustRead(text, options);
  SetNumThreads(0);
  EXPECT_TRUE(pooled.Equals(single));
}

}  // namespace
}  // namespace edgepipe::csv
