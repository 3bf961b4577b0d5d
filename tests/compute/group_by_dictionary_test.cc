// Group-by over dictionary-encoded string columns: every result must equal
// (Table::Equals, floats bitwise) the result over the same table with the
// dictionary columns decoded to plain strings.

#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "edgepipe/compute/group_by.h"
#include "edgepipe/core/bit_util.h"
#include "edgepipe/core/buffer.h"
#include "edgepipe/core/parallel.h"

namespace edgepipe::compute {
namespace {

// Strings shared by all dictionaries: short, empty, > 16 bytes, and two that
// differ only in their last byte (same length, same prefix).
const std::vector<std::string> kPool = {"imu-00", "imu-01", "imu-02", "",
                                        "x",      "gps",    "a-much-longer-sensor-name-with-more-than-16-bytes",
                                        "a-much-longer-sensor-name-with-more-than-16-bytez"};

std::shared_ptr<const Column> MakeStrings(const std::vector<std::string>& values, int null_entry = -1) {
  ColumnBuilder b(Type::kString);
  for (size_t i = 0; i < values.size(); ++i) {
    if (static_cast<int>(i) == null_entry) {
      EXPECT_TRUE(b.AppendNull().ok());
    } else {
      EXPECT_TRUE(b.AppendString(values[i]).ok());
    }
  }
  auto col = b.Finish();
  EXPECT_TRUE(col.ok()) << col.status().ToString();
  return std::make_shared<const Column>(std::move(*col));
}

// A random dictionary of up to 12 entries drawn from kPool with repeats (so
// duplicates and unused entries are common); an empty one now and then.
std::shared_ptr<const Column> RandomDictionary(std::mt19937_64& rng) {
  const size_t size = rng() % 8 == 0 ? 0 : 1 + rng() % 12;
  std::vector<std::string> values;
  for (size_t i = 0; i < size; ++i) values.push_back(kPool[rng() % kPool.size()]);
  return MakeStrings(values);
}

// n rows of codes into `dict`, null with probability null_p (every row is
// null when the dictionary is empty). Null rows hold a random in-range code
// (0 for an empty dictionary), as readers may leave them.
Column RandomDictColumn(std::mt19937_64& rng, int64_t n, std::shared_ptr<const Column> dict, double null_p) {
  const int64_t d = dict->length();
  std::vector<int32_t> codes(static_cast<size_t>(n));
  std::vector<bool> valid(static_cast<size_t>(n), true);
  std::uniform_real_distribution<double> unit(0, 1);
  bool any_null = false;
  for (size_t i = 0; i < codes.size(); ++i) {
    codes[i] = d == 0 ? 0 : static_cast<int32_t>(rng() % static_cast<uint64_t>(d));
    if (d == 0 || unit(rng) < null_p) valid[i] = false, any_null = true;
  }
  auto col = DictionaryColumnFromVector(codes, std::move(dict), any_null ? valid : std::vector<bool>{});
  EXPECT_TRUE(col.ok()) << col.status().ToString();
  return *col;
}

Column RandomInts(std::mt19937_64& rng, int64_t n, int64_t range, double null_p) {
  std::uniform_real_distribution<double> unit(0, 1);
  ColumnBuilder b(Type::kInt64);
  for (int64_t i = 0; i < n; ++i) {
    if (unit(rng) < null_p) {
      EXPECT_TRUE(b.AppendNull().ok());
    } else {
      EXPECT_TRUE(b.Append<int64_t>(static_cast<int64_t>(rng() % static_cast<uint64_t>(range))).ok());
    }
  }
  return *b.Finish();
}

Column RandomDoubles(std::mt19937_64& rng, int64_t n, double null_p) {
  std::uniform_real_distribution<double> unit(0, 1);
  ColumnBuilder b(Type::kFloat64);
  for (int64_t i = 0; i < n; ++i) {
    if (unit(rng) < null_p) {
      EXPECT_TRUE(b.AppendNull().ok());
    } else {
      EXPECT_TRUE(b.Append<double>((unit(rng) - 0.5) * 1e3).ok());
    }
  }
  return *b.Finish();
}

std::shared_ptr<const Schema> TestSchema() {
  return std::make_shared<const Schema>(std::vector<Field>{
      {"k_dict", Type::kString},
      {"k_dict2", Type::kString},
      {"k_int", Type::kInt64},
      {"v_f64", Type::kFloat64},
      {"v_dict", Type::kString},
  });
}

// Batches of random sizes in [0, max_batch], each with its own dictionaries
// (one batch in four shares the previous batch's), every other batch a
// slice (offset > 0) of a longer one.
Table RandomDictTable(uint64_t seed, int64_t rows, int64_t max_batch) {
  std::mt19937_64 rng(seed);
  auto schema = TestSchema();
  Table table(schema);
  std::shared_ptr<const Column> d1 = RandomDictionary(rng), d2 = RandomDictionary(rng), d3 = RandomDictionary(rng);
  int64_t done = 0;
  int batch_idx = 0;
  while (done < rows) {
    const int64_t n = std::min<int64_t>(rows - done, static_cast<int64_t>(rng() % static_cast<uint64_t>(max_batch + 1)));
    if (rng() % 4 != 0) {
      d1 = RandomDictionary(rng);
      d2 = RandomDictionary(rng);
      d3 = RandomDictionary(rng);
    }
    const int64_t pad = batch_idx % 2 == 1 ? static_cast<int64_t>(1 + rng() % 9) : 0;
    const int64_t total = n + 2 * pad;
    std::vector<Column> cols = {RandomDictColumn(rng, total, d1, 0.15), RandomDictColumn(rng, total, d2, 0.05),
                                RandomInts(rng, total, 4, 0.1), RandomDoubles(rng, total, 0.2),
                                RandomDictColumn(rng, total, d3, 0.3)};
    auto batch = RecordBatch::Make(schema, std::move(cols));
    EXPECT_TRUE(batch.ok()) << batch.status().ToString();
    EXPECT_TRUE(table.Append(batch->Slice(pad, n)).ok());
    done += n;
    ++batch_idx;
  }
  return table;
}

// The same table with every dictionary column decoded.
Table Decoded(const Table& t) {
  Table out(t.schema());
  for (const RecordBatch& b : t.batches()) {
    std::vector<Column> cols;
    for (const Column& c : b.columns()) {
      auto d = c.DecodeDictionary();
      EXPECT_TRUE(d.ok()) << d.status().ToString();
      EXPECT_FALSE(d->is_dictionary());
      cols.push_back(std::move(*d));
    }
    auto batch = RecordBatch::Make(t.schema(), std::move(cols));
    EXPECT_TRUE(batch.ok()) << batch.status().ToString();
    EXPECT_TRUE(out.Append(std::move(*batch)).ok());
  }
  return out;
}

std::vector<Aggregate> TestAggregates() {
  return {{AggKind::kCount, "", ""},         {AggKind::kSum, "v_f64", ""},  {AggKind::kMean, "v_f64", ""},
          {AggKind::kStd, "v_f64", ""},      {AggKind::kCount, "v_dict", ""}, {AggKind::kFirst, "v_dict", ""},
          {AggKind::kLast, "v_dict", ""},    {AggKind::kFirst, "k_dict", "first_key"}};
}

void ExpectSameAsDecoded(const Table& dict_table, const Table& plain_table, const std::vector<std::string>& keys,
                         const GroupByOptions& options, const std::string& ctx) {
  auto got = GroupBy(dict_table, keys, TestAggregates(), options);
  auto want = GroupBy(plain_table, keys, TestAggregates(), options);
  ASSERT_TRUE(got.ok()) << ctx << ": " << got.status().ToString();
  ASSERT_TRUE(want.ok()) << ctx << ": " << want.status().ToString();
  ASSERT_EQ(got->num_rows(), want->num_rows()) << ctx;
  EXPECT_TRUE(got->Equals(*want)) << ctx;
  for (const RecordBatch& b : got->batches()) {
    for (const Column& c : b.columns()) EXPECT_FALSE(c.is_dictionary()) << ctx << ": output is plain";
  }
}

TEST(GroupByDictionaryTest, MatchesDecodedColumns) {
  const std::vector<std::vector<std::string>> key_sets = {
      {"k_dict"}, {"k_dict", "k_int"}, {"k_int", "k_dict"}, {"k_dict", "k_dict2"}, {"v_dict"}};
  for (uint64_t seed : {1u, 2u, 3u, 4u, 5u}) {
    const Table t = RandomDictTable(seed, 3000, 700);
    const Table plain = Decoded(t);
    for (const auto& keys : key_sets) {
      for (bool sort_keys : {true, false}) {
        for (int64_t morsel_rows : {int64_t{1}, int64_t{7}, int64_t{64}, int64_t{65536}}) {
          GroupByOptions options;
          options.sort_keys = sort_keys;
          options.morsel_rows = morsel_rows;
          ExpectSameAsDecoded(t, plain, keys, options,
                              "seed " + std::to_string(seed) + " keys " + keys[0] + (keys.size() > 1 ? "+" + keys[1] : "") +
                                  " sort_keys " + std::to_string(sort_keys) + " morsel_rows " +
                                  std::to_string(morsel_rows));
        }
      }
    }
  }
}

TEST(GroupByDictionaryTest, SizeSweep) {
  for (int64_t rows : {0, 1, 7, 8, 31, 32, 127, 128, 129, 1023, 1024, 1025}) {
    const uint64_t seed = 100 + static_cast<uint64_t>(rows);
    const Table t = RandomDictTable(seed, rows, 400);
    const Table plain = Decoded(t);
    for (bool sort_keys : {true, false}) {
      GroupByOptions options;
      options.sort_keys = sort_keys;
      options.morsel_rows = 128;
      ExpectSameAsDecoded(t, plain, {"k_dict"}, options,
                          "seed " + std::to_string(seed) + " rows " + std::to_string(rows) + " sort_keys " +
                              std::to_string(sort_keys));
    }
  }
}

// Two batches with different dictionaries listing the same strings in other
// orders, with duplicates and unused entries: one group per string.
TEST(GroupByDictionaryTest, DifferentDictionariesMergeByString) {
  auto schema = std::make_shared<const Schema>(std::vector<Field>{{"k", Type::kString}, {"v", Type::kInt64}});
  auto d1 = MakeStrings({"b", "a", "b", "unused"});
  auto d2 = MakeStrings({"a", "c", "a", "b"});
  auto codes = [](std::vector<int32_t> c) {
    auto buf = *Buffer::Allocate(c.size() * sizeof(int32_t));
    std::copy(c.begin(), c.end(), buf->mutable_data_as<int32_t>());
    return buf;
  };
  auto ints = [](std::vector<int64_t> v) {
    ColumnBuilder b(Type::kInt64);
    for (int64_t x : v) EXPECT_TRUE(b.Append(x).ok());
    return *b.Finish();
  };
  Table t(schema);
  ASSERT_TRUE(t.Append(*RecordBatch::Make(schema, {*Column::MakeDictionary(4, codes({0, 1, 2, 1}), d1),
                                                   ints({1, 2, 3, 4})}))
                  .ok());
  ASSERT_TRUE(t.Append(*RecordBatch::Make(schema, {*Column::MakeDictionary(4, codes({2, 3, 1, 0}), d2),
                                                   ints({10, 20, 30, 40})}))
                  .ok());
  for (bool sort_keys : {true, false}) {
    GroupByOptions options;
    options.sort_keys = sort_keys;
    auto r = GroupBy(t, {"k"}, {{AggKind::kSum, "v", ""}, {AggKind::kCount, "", ""}}, options);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->num_rows(), 3);
    const RecordBatch& b = r->batches()[0];
    // Sorted: a, b, c. First appearance: b (row 0), a (row 1), c (row 5).
    const std::vector<std::string> keys = sort_keys ? std::vector<std::string>{"a", "b", "c"}
                                                    : std::vector<std::string>{"b", "a", "c"};
    const std::vector<int64_t> sums = sort_keys ? std::vector<int64_t>{2 + 4 + 10 + 40, 1 + 3 + 20, 30}
                                                : std::vector<int64_t>{1 + 3 + 20, 2 + 4 + 10 + 40, 30};
    const std::vector<int64_t> counts = sort_keys ? std::vector<int64_t>{4, 3, 1} : std::vector<int64_t>{3, 4, 1};
    for (int64_t i = 0; i < 3; ++i) {
      EXPECT_EQ(b.column(0).GetString(i), keys[i]) << "sort_keys " << sort_keys << " row " << i;
      EXPECT_EQ(b.column(1).values<int64_t>()[i], sums[i]) << "sort_keys " << sort_keys << " row " << i;
      EXPECT_EQ(b.column(2).values<int64_t>()[i], counts[i]) << "sort_keys " << sort_keys << " row " << i;
    }
  }
}

// A dictionary whose own validity marks an entry null: rows pointing at it
// are not null (their validity is the column's), they hold the entry's
// bytes, as DecodeDictionary reads them.
TEST(GroupByDictionaryTest, NullDictionaryEntryIsNotANullKey) {
  std::mt19937_64 rng(77);
  auto schema = std::make_shared<const Schema>(std::vector<Field>{{"k", Type::kString}, {"v", Type::kFloat64}});
  Table t(schema);
  for (int b = 0; b < 3; ++b) {
    auto dict = MakeStrings({"a", "zz", "", "a"}, /*null_entry=*/1);
    ASSERT_TRUE(t.Append(*RecordBatch::Make(schema, {RandomDictColumn(rng, 200, dict, 0.1), RandomDoubles(rng, 200, 0.1)}))
                    .ok());
  }
  const Table plain = Decoded(t);
  for (bool sort_keys : {true, false}) {
    GroupByOptions options;
    options.sort_keys = sort_keys;
    options.morsel_rows = 50;
    auto got = GroupBy(t, {"k"}, {{AggKind::kMean, "v", ""}, {AggKind::kCount, "", ""}}, options);
    auto want = GroupBy(plain, {"k"}, {{AggKind::kMean, "v", ""}, {AggKind::kCount, "", ""}}, options);
    ASSERT_TRUE(got.ok() && want.ok());
    EXPECT_TRUE(got->Equals(*want)) << "sort_keys " << sort_keys;
  }
}

TEST(GroupByDictionaryTest, EmptyDictionaryAllRowsNull) {
  std::mt19937_64 rng(5);
  auto schema = std::make_shared<const Schema>(std::vector<Field>{{"k", Type::kString}, {"v", Type::kFloat64}});
  Table t(schema);
  ASSERT_TRUE(
      t.Append(*RecordBatch::Make(schema, {RandomDictColumn(rng, 100, MakeStrings({}), 0), RandomDoubles(rng, 100, 0)}))
          .ok());
  auto r = GroupBy(t, {"k"}, {{AggKind::kCount, "", ""}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->num_rows(), 1);
  EXPECT_TRUE(r->batches()[0].column(0).IsNull(0));
  EXPECT_EQ(r->batches()[0].column(1).values<int64_t>()[0], 100);
}

TEST(GroupByDictionaryTest, MinMaxOfDictionaryColumnIsInvalid) {
  const Table t = RandomDictTable(9, 100, 50);
  for (AggKind kind : {AggKind::kMin, AggKind::kMax, AggKind::kSum, AggKind::kMean, AggKind::kStd}) {
    auto r = GroupBy(t, {"k_int"}, {{kind, "v_dict", ""}});
    ASSERT_FALSE(r.ok()) << AggKindName(kind);
    EXPECT_TRUE(r.status().IsInvalidArgument()) << AggKindName(kind) << ": " << r.status().ToString();
  }
}

TEST(GroupByDictionaryTest, ThreadCountDoesNotChangeResults) {
  const Table t = RandomDictTable(11, 20000, 5000);
  GroupByOptions options;
  options.morsel_rows = 1000;
  options.sort_keys = false;
  SetNumThreads(1);
  auto one = GroupBy(t, {"k_dict"}, TestAggregates(), options);
  SetNumThreads(2);
  auto two = GroupBy(t, {"k_dict"}, TestAggregates(), options);
  SetNumThreads(0);
  ASSERT_TRUE(one.ok() && two.ok());
  EXPECT_TRUE(one->Equals(*two));
}

}  // namespace
}  // namespace edgepipe::compute
