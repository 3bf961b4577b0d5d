// ParquetFileReader on files assembled page by page (reader_test_file_builder.h):
// every encoding x codec x page version x nullability, sizes across page and
// bit-packing boundaries, dictionary fallback, logical types.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "edgepipe/core/parallel.h"
#include "edgepipe/parquet/reader.h"
#include "parquet/reader_test_file_builder.h"

namespace edgepipe::parquet {
namespace {

using testing::BuildParquet;
using testing::ExpectedColumn;
using testing::TestColumn;
using testing::TestFile;
using testing::WriteFile;

std::string TempPath(const std::string& name) { return testing::TempParquetPath("reader", name); }

// Fills the values of `c` for `n` rows from `seed`; every 3rd..7th row null
// when nullable (null_every > 0).
void FillColumn(TestColumn* c, int64_t n, uint32_t seed, int null_every) {
  std::mt19937 rng(seed);
  c->optional = null_every > 0;
  c->valid.clear();
  for (int64_t i = 0; i < n; ++i) {
    if (null_every > 0) c->valid.push_back(rng() % static_cast<uint32_t>(null_every) != 0);
    // A small alphabet so dictionaries repeat, with some spread.
    const int64_t k = static_cast<int64_t>(rng() % 50);
    switch (c->physical) {
      case PhysicalType::kBoolean: c->b.push_back(static_cast<uint8_t>(rng() & 1)); break;
      case PhysicalType::kInt32: c->i32.push_back(static_cast<int32_t>(k * 1000 - 7 + i % 3)); break;
      case PhysicalType::kInt64: c->i64.push_back(int64_t{1700000000000} + i * 10 + k); break;
      case PhysicalType::kInt96: c->i64.push_back(int64_t{1700000000} * 1000000000 + k * 123456789); break;
      case PhysicalType::kFloat: c->f32.push_back(static_cast<float>(k) * 0.25f - 3.0f); break;
      case PhysicalType::kDouble: c->f64.push_back(static_cast<double>(k) / 3.0); break;
      default: c->s.push_back(k % 10 == 0 ? std::string() : "sensor_" + std::to_string(k) + std::string(k % 7, 'x'));
    }
  }
}

// Reads `file` and checks every batch of column `col` against the source.
void ExpectRoundTrip(const TestFile& file, const std::string& label, int64_t ts_factor = 1) {
  const std::string path = TempPath("rt");
  WriteFile(path, BuildParquet(file));
  auto reader = ParquetFileReader::Open(path);
  ASSERT_TRUE(reader.ok()) << label << ": " << reader.status().ToString();
  auto table = (*reader)->ReadTable();
  ASSERT_TRUE(table.ok()) << label << ": " << table.status().ToString();
  const int64_t rows = file.columns[0].num_rows();
  ASSERT_EQ(table->num_rows(), rows) << label;
  int64_t start = 0;
  for (const RecordBatch& batch : table->batches()) {
    for (size_t c = 0; c < file.columns.size(); ++c) {
      const Type type = (*reader)->schema()->field(static_cast<int>(c)).type;
      auto expected = ExpectedColumn(file.columns[c], type, start, batch.num_rows(), ts_factor);
      ASSERT_TRUE(expected.ok());
      const Column& got = batch.column(static_cast<int>(c));
      ASSERT_TRUE(got.Equals(*expected)) << label << " column " << c << " rows " << start << "+" << batch.num_rows()
                                         << " null_count got " << got.null_count() << " want "
                                         << expected->null_count();
      // No bitmap when there are no nulls.
      if (got.null_count() == 0) {
        EXPECT_EQ(got.validity_bits(), nullptr) << label;
      }
    }
    start += batch.num_rows();
  }
  ::unlink(path.c_str());
}

std::vector<Encoding> EncodingsFor(PhysicalType p) {
  switch (p) {
    case PhysicalType::kBoolean: return {Encoding::kPlain, Encoding::kRle};
    case PhysicalType::kInt32:
    case PhysicalType::kInt64:
      return {Encoding::kPlain, Encoding::kRleDictionary, Encoding::kDeltaBinaryPacked, Encoding::kByteStreamSplit};
    case PhysicalType::kInt96: return {Encoding::kPlain, Encoding::kRleDictionary};
    case PhysicalType::kFloat:
    case PhysicalType::kDouble: return {Encoding::kPlain, Encoding::kRleDictionary, Encoding::kByteStreamSplit};
    default:
      return {Encoding::kPlain, Encoding::kRleDictionary, Encoding::kDeltaLengthByteArray, Encoding::kDeltaByteArray};
  }
}

TEST(ParquetReaderDecodeTest, EveryEncodingCodecPageVersionAndNullability) {
  const std::vector<PhysicalType> types = {PhysicalType::kBoolean, PhysicalType::kInt32,  PhysicalType::kInt64,
                                           PhysicalType::kInt96,   PhysicalType::kFloat,  PhysicalType::kDouble,
                                           PhysicalType::kByteArray};
  const std::vector<CompressionCodec> codecs = {CompressionCodec::kUncompressed, CompressionCodec::kSnappy,
                                                CompressionCodec::kGzip,         CompressionCodec::kZstd,
                                                CompressionCodec::kLz4Raw,       CompressionCodec::kLz4};
  uint32_t seed = 1;
  for (PhysicalType type : types) {
    for (Encoding enc : EncodingsFor(type)) {
      for (CompressionCodec codec : codecs) {
        for (bool v2 : {false, true}) {
          for (int null_every : {0, 4}) {
            ++seed;
            TestFile file;
            file.row_group_rows = 1300;  // 2 row groups, the second with a partial page
            TestColumn c;
            c.name = "c";
            c.physical = type;
            c.dictionary = enc == Encoding::kRleDictionary;
            c.encoding = c.dictionary ? Encoding::kPlain : enc;
            c.codec = codec;
            c.v2 = v2;
            c.page_rows = 500;
            FillColumn(&c, 2100, seed, null_every);
            file.columns.push_back(c);
            ExpectRoundTrip(file, std::string(PhysicalTypeName(type)) + " " + std::string(EncodingName(enc)) + " " +
                                      std::string(CompressionCodecName(codec)) + (v2 ? " v2" : " v1") +
                                      (null_every ? " nullable" : " required") + " seed " + std::to_string(seed));
            if (HasFatalFailure()) return;
          }
        }
      }
    }
  }
}

TEST(ParquetReaderDecodeTest, SizesAcrossBoundaries) {
  for (int64_t n : {0, 1, 7, 8, 9, 31, 32, 33, 127, 128, 129, 1023, 1024, 1025, 4097}) {
    for (int64_t page_rows : {int64_t{1}, int64_t{8}, int64_t{100}, int64_t{1024}}) {
      if (n > 1100 && page_rows < 8) continue;  // keep the page count sane
      TestFile file;
      file.row_group_rows = 1000;
      TestColumn ts;
      ts.name = "ts";
      ts.physical = PhysicalType::kInt64;
      ts.encoding = Encoding::kDeltaBinaryPacked;
      ts.codec = CompressionCodec::kSnappy;
      ts.page_rows = page_rows;
      FillColumn(&ts, n, static_cast<uint32_t>(n * 31 + page_rows), 0);
      TestColumn id;
      id.name = "id";
      id.physical = PhysicalType::kByteArray;
      id.dictionary = true;
      id.page_rows = page_rows;
      FillColumn(&id, n, static_cast<uint32_t>(n + 5), 3);
      TestColumn flag;
      flag.name = "flag";
      flag.physical = PhysicalType::kBoolean;
      flag.page_rows = page_rows;
      flag.v2 = true;
      FillColumn(&flag, n, static_cast<uint32_t>(n + 9), 5);
      TestColumn f;
      f.name = "f";
      f.physical = PhysicalType::kFloat;
      f.encoding = Encoding::kByteStreamSplit;
      f.page_rows = page_rows;
      FillColumn(&f, n, static_cast<uint32_t>(n + 11), 2);
      file.columns = {ts, id, flag, f};
      ExpectRoundTrip(file, "n=" + std::to_string(n) + " page_rows=" + std::to_string(page_rows));
      if (HasFatalFailure()) return;
    }
  }
}

TEST(ParquetReaderDecodeTest, AllNullAndNoNullPagesMixed) {
  TestFile file;
  TestColumn c;
  c.name = "x";
  c.physical = PhysicalType::kDouble;
  c.optional = true;
  c.page_rows = 100;
  for (int64_t i = 0; i < 1000; ++i) {
    c.f64.push_back(static_cast<double>(i));
    // Pages 0-2 all valid, page 3 all null, page 4 mixed, the rest valid.
    c.valid.push_back(!(i >= 300 && i < 400) && !(i >= 400 && i < 500 && i % 2 == 0));
  }
  for (Encoding enc : {Encoding::kPlain, Encoding::kByteStreamSplit}) {
    for (bool dict : {false, true}) {
      c.encoding = enc;
      c.dictionary = dict;
      file.columns = {c};
      ExpectRoundTrip(file, std::string(EncodingName(enc)) + (dict ? " dict" : ""));
    }
  }
}

TEST(ParquetReaderDecodeTest, DictionaryFallbackMidChunk) {
  for (PhysicalType type : {PhysicalType::kInt32, PhysicalType::kInt64, PhysicalType::kDouble, PhysicalType::kByteArray}) {
    for (Encoding dict_enc : {Encoding::kRleDictionary, Encoding::kPlainDictionary}) {
      for (Encoding fallback : {Encoding::kPlain, type == PhysicalType::kByteArray ? Encoding::kDeltaLengthByteArray
                                                                                  : Encoding::kByteStreamSplit}) {
        for (int dict_pages : {0, 1, 3}) {
          TestFile file;
          file.row_group_rows = 2000;
          TestColumn c;
          c.name = "v";
          c.physical = type;
          c.dictionary = true;
          c.dictionary_page_encoding = dict_enc;
          c.dictionary_pages = dict_pages;
          c.encoding = fallback;
          c.codec = CompressionCodec::kZstd;
          c.page_rows = 300;
          FillColumn(&c, 3000, 77, 6);
          file.columns = {c};
          ExpectRoundTrip(file, std::string(PhysicalTypeName(type)) + " fallback after " +
                                    std::to_string(dict_pages) + " to " + std::string(EncodingName(fallback)));
          if (HasFatalFailure()) return;
        }
      }
    }
  }
}

TEST(ParquetReaderDecodeTest, IndexPagesAreSkipped) {
  TestFile file;
  TestColumn c;
  c.name = "v";
  c.physical = PhysicalType::kInt32;
  c.index_page_first = true;
  FillColumn(&c, 500, 3, 0);
  file.columns = {c};
  ExpectRoundTrip(file, "index page");
}

LogicalType Timestamp(TimeUnit unit) {
  LogicalType t;
  t.kind = LogicalType::Kind::kTimestamp;
  t.unit = unit;
  t.is_adjusted_to_utc = true;
  return t;
}
LogicalType Integer(int bits, bool is_signed) {
  LogicalType t;
  t.kind = LogicalType::Kind::kInteger;
  t.bit_width = static_cast<int8_t>(bits);
  t.is_signed = is_signed;
  return t;
}

TEST(ParquetReaderDecodeTest, TimestampUnitsConvertToNanoseconds) {
  struct Case {
    std::optional<LogicalType> logical;
    std::optional<ConvertedType> converted;
    int64_t factor;
  };
  const std::vector<Case> cases = {
      {Timestamp(TimeUnit::kMillis), std::nullopt, 1000000},
      {Timestamp(TimeUnit::kMicros), std::nullopt, 1000},
      {Timestamp(TimeUnit::kNanos), std::nullopt, 1},
      {std::nullopt, ConvertedType::kTimestampMillis, 1000000},
      {std::nullopt, ConvertedType::kTimestampMicros, 1000},
  };
  for (const Case& tc : cases) {
    for (bool nullable : {false, true}) {
      TestFile file;
      TestColumn c;
      c.name = "ts";
      c.physical = PhysicalType::kInt64;
      c.logical = tc.logical;
      c.converted = tc.converted;
      c.encoding = Encoding::kDeltaBinaryPacked;
      FillColumn(&c, 1500, 9, nullable ? 3 : 0);
      for (auto& v : c.i64) v = v / 1000 - 1700000000;  // keep ms/us values in the ns range, some negative
      file.columns = {c};
      const std::string path = TempPath("ts");
      WriteFile(path, BuildParquet(file));
      auto reader = ParquetFileReader::Open(path);
      ASSERT_TRUE(reader.ok()) << reader.status().ToString();
      EXPECT_EQ((*reader)->schema()->field(0).type, Type::kTimestamp);
      ::unlink(path.c_str());
      ExpectRoundTrip(file, "factor " + std::to_string(tc.factor), tc.factor);
    }
  }
}

TEST(ParquetReaderDecodeTest, TimestampOutsideNanosecondRangeIsNotSupported) {
  TestFile file;
  TestColumn c;
  c.name = "ts";
  c.physical = PhysicalType::kInt64;
  c.logical = Timestamp(TimeUnit::kMicros);
  c.i64 = {0, 1, int64_t{9300000000} * 1000000 /* year ~2264 in us */};
  file.columns = {c};
  const std::string path = TempPath("tsrange");
  WriteFile(path, BuildParquet(file));
  auto table = ReadParquet(path);
  ASSERT_FALSE(table.ok());
  EXPECT_TRUE(table.status().IsNotSupported()) << table.status().ToString();
  EXPECT_NE(table.status().message().find(path), std::string::npos);
  ::unlink(path.c_str());
}

TEST(ParquetReaderDecodeTest, DatesIntegersAndStrings) {
  TestFile file;
  TestColumn date;
  date.name = "day";
  date.physical = PhysicalType::kInt32;
  date.converted = ConvertedType::kDate;
  date.i32 = {0, 1, -1, 19000, -25000, 106000};
  TestColumn u32;
  u32.name = "u32";
  u32.physical = PhysicalType::kInt32;
  u32.logical = Integer(32, false);
  u32.i32 = {0, 1, -1, INT32_MIN, INT32_MAX, 7};
  TestColumn u32c;
  u32c.name = "u32c";
  u32c.physical = PhysicalType::kInt32;
  u32c.converted = ConvertedType::kUint32;
  u32c.encoding = Encoding::kDeltaBinaryPacked;
  u32c.i32 = {-2, 1, -1, INT32_MIN, INT32_MAX, 7};
  TestColumn i8;
  i8.name = "i8";
  i8.physical = PhysicalType::kInt32;
  i8.logical = Integer(8, true);
  i8.i32 = {-128, 127, 0, 1, -1, 5};
  TestColumn u64;
  u64.name = "u64";
  u64.physical = PhysicalType::kInt64;
  u64.converted = ConvertedType::kUint64;
  u64.i64 = {-1, 0, 1, INT64_MIN, INT64_MAX, 3};
  TestColumn utf8;
  utf8.name = "name";
  utf8.physical = PhysicalType::kByteArray;
  utf8.converted = ConvertedType::kUtf8;
  utf8.s = {"", "a", "\xc3\xa9t\xc3\xa9", std::string(1000, 'z'), "x", "y"};
  file.columns = {date, u32, u32c, i8, u64, utf8};
  const std::string path = TempPath("types");
  WriteFile(path, BuildParquet(file));
  auto reader = ParquetFileReader::Open(path);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  const Schema& schema = *(*reader)->schema();
  EXPECT_EQ(schema.field(0).type, Type::kTimestamp);
  EXPECT_EQ(schema.field(1).type, Type::kInt64);
  EXPECT_EQ(schema.field(2).type, Type::kInt64);
  EXPECT_EQ(schema.field(3).type, Type::kInt32);
  EXPECT_EQ(schema.field(4).type, Type::kInt64);
  EXPECT_EQ(schema.field(5).type, Type::kString);
  EXPECT_FALSE(schema.field(0).nullable);
  auto table = (*reader)->ReadTable();
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  const RecordBatch& b = table->batches()[0];
  const int64_t day_ns = int64_t{86400} * 1000000000;
  EXPECT_EQ(b.column(0).values<int64_t>()[2], -day_ns);
  EXPECT_EQ(b.column(0).values<int64_t>()[5], 106000 * day_ns);
  EXPECT_EQ(b.column(1).values<int64_t>()[2], int64_t{4294967295});
  EXPECT_EQ(b.column(1).values<int64_t>()[3], int64_t{2147483648});
  EXPECT_EQ(b.column(2).values<int64_t>()[0], int64_t{4294967294});
  EXPECT_EQ(b.column(3).values<int32_t>()[0], -128);
  EXPECT_EQ(b.column(4).values<int64_t>()[0], -1);  // UINT64 max reinterpreted
  EXPECT_EQ(b.column(5).GetString(2), "\xc3\xa9t\xc3\xa9");
  EXPECT_EQ(b.column(5).GetString(3), std::string(1000, 'z'));
  ::unlink(path.c_str());
}

TEST(ParquetReaderDecodeTest, DateOutsideNanosecondRangeIsNotSupported) {
  TestFile file;
  TestColumn date;
  date.name = "day";
  date.physical = PhysicalType::kInt32;
  date.converted = ConvertedType::kDate;
  date.i32 = {2932896 /* 9999-12-31 */};
  file.columns = {date};
  const std::string path = TempPath("date");
  WriteFile(path, BuildParquet(file));
  auto table = ReadParquet(path);
  EXPECT_TRUE(table.status().IsNotSupported()) << table.status().ToString();
  ::unlink(path.c_str());
}

TEST(ParquetReaderDecodeTest, SingleThreadedMatchesParallel) {
  TestFile file;
  file.row_group_rows = 700;
  for (int i = 0; i < 5; ++i) {
    TestColumn c;
    c.name = "c" + std::to_string(i);
    c.physical = i % 2 ? PhysicalType::kInt64 : PhysicalType::kByteArray;
    c.dictionary = i == 2;
    c.codec = CompressionCodec::kSnappy;
    FillColumn(&c, 5000, static_cast<uint32_t>(100 + i), i % 3 ? 4 : 0);
    file.columns.push_back(c);
  }
  const std::string path = TempPath("threads");
  WriteFile(path, BuildParquet(file));
  auto parallel = ReadParquet(path);
  ASSERT_TRUE(parallel.ok()) << parallel.status().ToString();
  SetNumThreads(1);
  auto serial = ReadParquet(path);
  SetNumThreads(0);
  ASSERT_TRUE(serial.ok());
  EXPECT_TRUE(parallel->Equals(*serial));
  EXPECT_EQ(parallel->batches().size(), 8u);
  ::unlink(path.c_str());
}

}  // namespace
}  // namespace edgepipe::parquet
