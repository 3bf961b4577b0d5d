#include "edgepipe/compute/group_by.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "compute/group_by_test_util.h"
#include "edgepipe/core/parallel.h"

namespace edgepipe::compute {
namespace {

using test::Cell;
using test::CellAt;
using test::MakeRandomTable;

// ---------------------------------------------------------------- reference

// Key tuple ordered like the group-by output: ascending, nulls last.
struct KeyTuple {
  std::vector<Cell> cells;
  bool operator<(const KeyTuple& o) const {
    for (size_t k = 0; k < cells.size(); ++k) {
      const Cell& a = cells[k];
      const Cell& b = o.cells[k];
      if (a.valid != b.valid) return a.valid;
      if (!a.valid) continue;
      if (a.is_string) {
        if (a.s != b.s) return a.s < b.s;
      } else if (a.i != b.i) {
        return a.i < b.i;
      }
    }
    return false;
  }
};

struct RefGroup {
  KeyTuple key;
  std::vector<int64_t> rows;
};

// The straightforward version: std::map over rows, long double sums.
std::vector<RefGroup> ReferenceGroups(const RecordBatch& all, const std::vector<int>& key_cols, bool sort_keys) {
  std::map<KeyTuple, RefGroup> groups;
  std::vector<KeyTuple> first_seen;
  for (int64_t r = 0; r < all.num_rows(); ++r) {
    KeyTuple key;
    for (int c : key_cols) key.cells.push_back(CellAt(all.column(c), r));
    auto [it, inserted] = groups.try_emplace(key);
    if (inserted) {
      it->second.key = key;
      first_seen.push_back(key);
    }
    it->second.rows.push_back(r);
  }
  if (key_cols.empty() && groups.empty()) groups[KeyTuple{}] = RefGroup{};
  std::vector<RefGroup> out;
  if (sort_keys) {
    for (auto& [k, g] : groups) out.push_back(g);
  } else {
    for (const KeyTuple& k : first_seen) out.push_back(groups[k]);
    if (out.empty() && key_cols.empty()) out.push_back(RefGroup{});
  }
  return out;
}

void ExpectClose(double actual, long double expected, long double scale, const std::string& what) {
  const long double tol = 1e-12L * std::max<long double>(std::fabs(expected), scale) + 1e-300L;
  EXPECT_LE(std::fabs(static_cast<long double>(actual) - expected), tol)
      << what << ": got " << actual << " expected " << static_cast<double>(expected);
}

// Checks one aggregate output column against the reference.
void CheckAggregate(const RecordBatch& all, const Aggregate& agg, const Column& out,
                    const std::vector<RefGroup>& groups, const std::string& ctx) {
  ASSERT_EQ(out.length(), static_cast<int64_t>(groups.size()));
  const int col_idx = agg.column.empty() ? -1 : all.schema()->FieldIndex(agg.column);
  for (size_t gi = 0; gi < groups.size(); ++gi) {
    const std::string where =
        ctx + " " + std::string(AggKindName(agg.kind)) + "(" + agg.column + ") group " + std::to_string(gi);
    const auto& rows = groups[gi].rows;
    if (col_idx < 0) {
      ASSERT_TRUE(out.IsValid(gi));
      EXPECT_EQ(out.values<int64_t>()[gi], static_cast<int64_t>(rows.size())) << where;
      continue;
    }
    const Column& col = all.column(col_idx);
    std::vector<Cell> vals;
    for (int64_t r : rows) {
      Cell c = CellAt(col, r);
      if (c.valid) vals.push_back(c);
    }
    const Type t = col.type();
    const bool is_float = IsFloating(t);
    switch (agg.kind) {
      case AggKind::kCount:
        EXPECT_EQ(out.values<int64_t>()[gi], static_cast<int64_t>(vals.size())) << where;
        break;
      case AggKind::kSum:
      case AggKind::kMean: {
        if (vals.empty()) {
          EXPECT_TRUE(out.IsNull(gi)) << where;
          break;
        }
        ASSERT_TRUE(out.IsValid(gi)) << where;
        long double sum = 0, abs_sum = 0;
        int64_t isum = 0;
        for (const Cell& c : vals) {
          sum += is_float ? static_cast<long double>(c.d) : static_cast<long double>(c.i);
          abs_sum += is_float ? std::fabs(static_cast<long double>(c.d)) : std::fabs(static_cast<long double>(c.i));
          isum += c.i;
        }
        const long double n = static_cast<long double>(vals.size());
        if (agg.kind == AggKind::kSum && !is_float) {
          EXPECT_EQ(out.values<int64_t>()[gi], isum) << where;
        } else if (agg.kind == AggKind::kSum) {
          ExpectClose(out.values<double>()[gi], sum, 1e-3L * abs_sum, where);
        } else {
          ExpectClose(out.values<double>()[gi], sum / n, 1e-3L * abs_sum / n, where);
        }
        break;
      }
      case AggKind::kMin:
      case AggKind::kMax: {
        if (vals.empty()) {
          EXPECT_TRUE(out.IsNull(gi)) << where;
          break;
        }
        ASSERT_TRUE(out.IsValid(gi)) << where;
        Cell best = vals[0];
        for (const Cell& c : vals) {
          const bool better = is_float ? (agg.kind == AggKind::kMin ? c.d < best.d : c.d > best.d)
                                       : (agg.kind == AggKind::kMin ? c.i < best.i : c.i > best.i);
          if (better) best = c;
        }
        Cell got = CellAt(out, static_cast<int64_t>(gi));
        if (is_float) {
          EXPECT_EQ(got.d, best.d) << where;
        } else {
          EXPECT_EQ(got.i, best.i) << where;
        }
        break;
      }
      case AggKind::kFirst:
      case AggKind::kLast: {
        if (vals.empty()) {
          EXPECT_TRUE(out.IsNull(gi)) << where;
          break;
        }
        const Cell& want = agg.kind == AggKind::kFirst ? vals.front() : vals.back();
        Cell got = CellAt(out, static_cast<int64_t>(gi));
        ASSERT_TRUE(got.valid) << where;
        EXPECT_EQ(got.i, want.i) << where;
        EXPECT_EQ(got.s, want.s) << where;
        if (is_float) {
          EXPECT_EQ(got.d, want.d) << where;
        }
        break;
      }
      case AggKind::kStd: {
        if (vals.size() < 2) {
          EXPECT_TRUE(out.IsNull(gi)) << where;
          break;
        }
        long double mean = 0;
        for (const Cell& c : vals) mean += is_float ? c.d : c.i;
        mean /= static_cast<long double>(vals.size());
        long double m2 = 0;
        for (const Cell& c : vals) {
          const long double d = (is_float ? c.d : c.i) - mean;
          m2 += d * d;
        }
        const long double sd = std::sqrt(m2 / static_cast<long double>(vals.size() - 1));
        ExpectClose(out.values<double>()[gi], sd, 0, where);
        break;
      }
    }
  }
}

std::vector<Aggregate> AllAggregates(const Schema& schema) {
  std::vector<Aggregate> aggs = {{AggKind::kCount, "", ""}};
  for (const Field& f : schema.fields()) {
    if (f.name.rfind("v_", 0) != 0) continue;
    for (AggKind k : {AggKind::kCount, AggKind::kSum, AggKind::kMean, AggKind::kMin, AggKind::kMax, AggKind::kFirst,
                      AggKind::kLast, AggKind::kStd}) {
      const bool numeric_only = k == AggKind::kSum || k == AggKind::kMean || k == AggKind::kStd;
      if (f.type == Type::kString && (numeric_only || k == AggKind::kMin || k == AggKind::kMax)) continue;
      if (f.type == Type::kTimestamp && numeric_only) continue;
      aggs.push_back({k, f.name, ""});
    }
  }
  return aggs;
}

void CheckAgainstReference(const Table& input, const std::vector<std::string>& keys, const GroupByOptions& options,
                           const std::string& ctx) {
  const std::vector<Aggregate> aggs = AllAggregates(*input.schema());
  auto result = GroupBy(input, keys, aggs, options);
  ASSERT_TRUE(result.ok()) << ctx << ": " << result.status().ToString();
  Table all_t = input;
  RecordBatch all;
  if (input.num_rows() > 0) {
    auto cat = input.Concatenate();
    ASSERT_TRUE(cat.ok());
    all = *cat;
  } else {
    std::vector<Column> empty_cols;
    for (const Field& f : input.schema()->fields()) {
      ColumnBuilder b(f.type);
      empty_cols.push_back(*b.Finish());
    }
    all = *RecordBatch::Make(input.schema(), empty_cols);
  }
  std::vector<int> key_cols;
  for (const auto& k : keys) key_cols.push_back(input.schema()->FieldIndex(k));
  const auto groups = ReferenceGroups(all, key_cols, options.sort_keys);
  ASSERT_EQ(result->num_rows(), static_cast<int64_t>(groups.size())) << ctx;
  ASSERT_EQ(result->num_columns(), static_cast<int>(keys.size() + aggs.size())) << ctx;
  if (groups.empty()) return;
  auto out = result->Concatenate();
  ASSERT_TRUE(out.ok());
  for (size_t k = 0; k < keys.size(); ++k) {
    EXPECT_EQ(out->schema()->field(static_cast<int>(k)).name, keys[k]);
    for (size_t g = 0; g < groups.size(); ++g) {
      const Cell got = CellAt(out->column(static_cast<int>(k)), static_cast<int64_t>(g));
      const Cell& want = groups[g].key.cells[k];
      ASSERT_EQ(got.valid, want.valid) << ctx << " key " << keys[k] << " group " << g;
      ASSERT_EQ(got.i, want.i) << ctx << " key " << keys[k] << " group " << g;
      ASSERT_EQ(got.s, want.s) << ctx << " key " << keys[k] << " group " << g;
    }
  }
  for (size_t a = 0; a < aggs.size(); ++a) {
    const int c = static_cast<int>(keys.size() + a);
    const std::string expected_name =
        aggs[a].column.empty() ? "count" : aggs[a].column + "_" + std::string(AggKindName(aggs[a].kind));
    EXPECT_EQ(out->schema()->field(c).name, expected_name);
    CheckAggregate(all, aggs[a], out->column(c), groups, ctx);
  }
}

// ---------------------------------------------------------------- tests

class GroupByRandomTest : public ::testing::Test {
 protected:
  void TearDown() override { SetNumThreads(0); }
};

TEST_F(GroupByRandomTest, MatchesReference) {
  const std::vector<std::vector<std::string>> key_sets = {
      {},
      {"k_i32"},
      {"k_i64"},
      {"k_str"},
      {"k_bool"},
      {"k_ts"},
      {"k_str", "k_i32"},
      {"k_bool", "k_str", "k_i64"},
      {"k_i64", "k_ts"},
  };
  uint64_t seed = 1000;
  for (int64_t rows : {0, 1, 7, 8, 31, 32, 127, 128, 129, 1023, 1024, 1025, 3000}) {
    ++seed;
    const Table input = MakeRandomTable(seed, rows, /*max_batch=*/rows > 1000 ? 700 : 40);
    for (const auto& keys : key_sets) {
      for (bool sort_keys : {true, false}) {
        for (int64_t morsel : {int64_t{65536}, int64_t{7}, int64_t{100}}) {
          GroupByOptions opt;
          opt.sort_keys = sort_keys;
          opt.morsel_rows = morsel;
          std::string ctx = "seed=" + std::to_string(seed) + " rows=" + std::to_string(rows) + " keys=";
          for (const auto& k : keys) ctx += k + ",";
          ctx += " sort=" + std::to_string(sort_keys) + " morsel=" + std::to_string(morsel);
          SCOPED_TRACE(ctx);
          CheckAgainstReference(input, keys, opt, ctx);
          if (HasFatalFailure()) return;
        }
      }
    }
  }
}

TEST_F(GroupByRandomTest, WideIntKeysUseHashPath) {
  // Keys spread over the whole int64 range (no dense path), many groups.
  const Table input = MakeRandomTable(77, 8000, 3000, /*wide_keys=*/true);
  for (int threads : {1, 2}) {
    SetNumThreads(threads);
    for (int64_t morsel : {int64_t{65536}, int64_t{1000}}) {
      GroupByOptions opt;
      opt.morsel_rows = morsel;
      CheckAgainstReference(input, {"k_i64"}, opt, "wide threads=" + std::to_string(threads));
      CheckAgainstReference(input, {"k_i32", "k_i64"}, opt, "wide2 threads=" + std::to_string(threads));
    }
  }
}

TEST_F(GroupByRandomTest, MixedDenseAndHashedMorsels) {
  // Clustered keys: most morsels see a small range (grouped densely within
  // the morsel) but the global range is wide, and some morsels are wide
  // themselves (hashed): both kinds meet in the global table.
  for (uint64_t seed : {5u, 6u}) {
    std::mt19937_64 rng(seed);
    auto schema = std::make_shared<const Schema>(
        std::vector<Field>{{"k", seed == 5 ? Type::kInt64 : Type::kInt32}, {"v_f64", Type::kFloat64}});
    Table t(schema);
    for (int b = 0; b < 12; ++b) {
      std::vector<int64_t> k64;
      std::vector<int32_t> k32;
      std::vector<double> v;
      std::vector<bool> valid;
      const int64_t base = (b % 3 == 2) ? 0 : static_cast<int64_t>(rng() % 5) * 100'000'000;
      for (int i = 0; i < 500; ++i) {
        const int64_t key =
            (b % 3 == 2) ? static_cast<int64_t>(rng() % 4) * 500'000'000 : base + static_cast<int64_t>(rng() % 6);
        k64.push_back(key);
        k32.push_back(static_cast<int32_t>(key));
        v.push_back(static_cast<double>(rng() % 1000) / 8);
        valid.push_back(rng() % 10 != 0);
      }
      auto kc = seed == 5 ? ColumnFromVector<int64_t>(Type::kInt64, k64, valid)
                          : ColumnFromVector<int32_t>(Type::kInt32, k32, valid);
      ASSERT_TRUE(t.Append(*RecordBatch::Make(schema, {*kc, *ColumnFromVector<double>(Type::kFloat64, v)})).ok());
    }
    for (bool sort_keys : {true, false}) {
      for (int64_t morsel : {int64_t{100}, int64_t{500}, int64_t{65536}}) {
        GroupByOptions opt;
        opt.sort_keys = sort_keys;
        opt.morsel_rows = morsel;
        CheckAgainstReference(t, {"k"}, opt,
                              "mixed seed=" + std::to_string(seed) + " sort=" + std::to_string(sort_keys) +
                                  " morsel=" + std::to_string(morsel));
      }
    }
  }
}

TEST_F(GroupByRandomTest, ThreadCountDoesNotChangeResults) {
  const Table input = MakeRandomTable(4242, 100000, 65536);
  const std::vector<std::vector<std::string>> key_sets = {{"k_str"}, {"k_i32"}, {"k_i64"}, {"k_str", "k_bool"}, {}};
  for (const auto& keys : key_sets) {
    for (bool sort_keys : {true, false}) {
      GroupByOptions opt;
      opt.sort_keys = sort_keys;
      opt.morsel_rows = 4096;
      SetNumThreads(1);
      auto one = GroupBy(input, keys, AllAggregates(*input.schema()), opt);
      SetNumThreads(2);
      auto two = GroupBy(input, keys, AllAggregates(*input.schema()), opt);
      ASSERT_TRUE(one.ok() && two.ok());
      EXPECT_TRUE(one->Equals(*two)) << "keys " << (keys.empty() ? "" : keys[0]) << " sort " << sort_keys;
    }
  }
  SetNumThreads(2);
  CheckAgainstReference(input, {"k_str", "k_i32"}, GroupByOptions{}, "100k threads=2");
}

// ---------------------------------------------------------------- edge cases

Table OneBatch(std::shared_ptr<const Schema> schema, std::vector<Column> cols) {
  auto b = RecordBatch::Make(std::move(schema), std::move(cols));
  EXPECT_TRUE(b.ok()) << b.status().ToString();
  auto t = Table::Make(b->schema(), {*b});
  return *t;
}

TEST(GroupByTest, EmptyTable) {
  auto schema = std::make_shared<const Schema>(std::vector<Field>{{"k", Type::kString}, {"v", Type::kFloat64}});
  Table empty(schema);
  auto r = GroupBy(empty, {"k"}, {{AggKind::kMean, "v", ""}, {AggKind::kCount, "", ""}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->num_rows(), 0);
  EXPECT_EQ(r->schema()->ToString(),
            Schema({{"k", Type::kString}, {"v_mean", Type::kFloat64}, {"count", Type::kInt64, false}}).ToString());
  // No keys: one row, count 0, mean null (SQL global aggregate).
  auto g = GroupBy(empty, {}, {{AggKind::kMean, "v", ""}, {AggKind::kCount, "", ""}});
  ASSERT_TRUE(g.ok());
  ASSERT_EQ(g->num_rows(), 1);
  EXPECT_TRUE(g->batches()[0].column(0).IsNull(0));
  EXPECT_EQ(g->batches()[0].column(1).values<int64_t>()[0], 0);
}

TEST(GroupByTest, AllNullColumnAndAllNullKeys) {
  auto schema = std::make_shared<const Schema>(std::vector<Field>{{"k", Type::kInt64}, {"v", Type::kFloat32}});
  auto k = ColumnFromVector<int64_t>(Type::kInt64, {1, 2, 1, 0}, {false, false, false, false});
  auto v = ColumnFromVector<float>(Type::kFloat32, {1, 2, 3, 4}, {false, false, false, false});
  Table t = OneBatch(schema, {*k, *v});
  auto r = GroupBy(t, {"k"},
                   {{AggKind::kCount, "", ""},
                    {AggKind::kCount, "v", ""},
                    {AggKind::kSum, "v", ""},
                    {AggKind::kMin, "v", ""},
                    {AggKind::kStd, "v", ""},
                    {AggKind::kFirst, "v", ""}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->num_rows(), 1);
  const RecordBatch& b = r->batches()[0];
  EXPECT_TRUE(b.column(0).IsNull(0));
  EXPECT_EQ(b.column(1).values<int64_t>()[0], 4);
  EXPECT_EQ(b.column(2).values<int64_t>()[0], 0);
  for (int c = 3; c < 7; ++c) EXPECT_TRUE(b.column(c).IsNull(0)) << c;
  EXPECT_EQ(b.column(4).type(), Type::kFloat32);  // min keeps the type
}

TEST(GroupByTest, SingleGroupAndStdNeedsTwoValues) {
  auto schema = std::make_shared<const Schema>(std::vector<Field>{{"k", Type::kString}, {"v", Type::kInt32}});
  auto k = ColumnFromVector<std::string>(Type::kString, {"a", "a", "a", "b"});
  auto v = ColumnFromVector<int32_t>(Type::kInt32, {1, 2, 4, 9});
  Table t = OneBatch(schema, {*k, *v});
  auto r = GroupBy(t, {"k"}, {{AggKind::kStd, "v", ""}, {AggKind::kSum, "v", "total"}, {AggKind::kMean, "v", ""}});
  ASSERT_TRUE(r.ok());
  const RecordBatch& b = r->batches()[0];
  EXPECT_EQ(b.schema()->field(2).name, "total");
  EXPECT_EQ(b.column(2).type(), Type::kInt64);
  EXPECT_EQ(b.column(0).GetString(0), "a");
  EXPECT_DOUBLE_EQ(b.column(1).values<double>()[0], std::sqrt(7.0 / 3.0));
  EXPECT_TRUE(b.column(1).IsNull(1));  // one value
  EXPECT_EQ(b.column(2).values<int64_t>()[0], 7);
  EXPECT_DOUBLE_EQ(b.column(3).values<double>()[0], 7.0 / 3.0);
}

TEST(GroupByTest, Errors) {
  auto schema = std::make_shared<const Schema>(
      std::vector<Field>{{"k", Type::kString}, {"v", Type::kFloat64}, {"s", Type::kString}, {"ts", Type::kTimestamp}});
  auto k = ColumnFromVector<std::string>(Type::kString, {"a"});
  auto v = ColumnFromVector<double>(Type::kFloat64, {1});
  auto ts = ColumnFromVector<int64_t>(Type::kTimestamp, {1});
  Table t = OneBatch(schema, {*k, *v, *k, *ts});
  auto missing_key = GroupBy(t, {"nope"}, {{AggKind::kCount, "", ""}});
  ASSERT_FALSE(missing_key.ok());
  EXPECT_TRUE(missing_key.status().IsNotFound());
  EXPECT_NE(missing_key.status().message().find("'nope'"), std::string::npos) << missing_key.status().message();
  auto missing_col = GroupBy(t, {"k"}, {{AggKind::kMean, "vv", ""}});
  EXPECT_TRUE(missing_col.status().IsNotFound());
  EXPECT_NE(missing_col.status().message().find("'vv'"), std::string::npos);
  for (AggKind kind : {AggKind::kSum, AggKind::kMean, AggKind::kStd, AggKind::kMin, AggKind::kMax}) {
    auto r = GroupBy(t, {"k"}, {{kind, "s", ""}});
    EXPECT_TRUE(r.status().IsInvalidArgument()) << AggKindName(kind) << " " << r.status().ToString();
    EXPECT_NE(r.status().message().find("'s'"), std::string::npos);
  }
  EXPECT_TRUE(GroupBy(t, {"k"}, {{AggKind::kMean, "ts", ""}}).status().IsInvalidArgument());
  EXPECT_TRUE(
      GroupBy(t, {"k"}, {{AggKind::kFirst, "s", ""}, {AggKind::kLast, "s", ""}, {AggKind::kMax, "ts", ""}}).ok());
  EXPECT_TRUE(GroupBy(t, {"v"}, {{AggKind::kCount, "", ""}}).status().IsInvalidArgument());  // float key
  EXPECT_TRUE(GroupBy(t, {"k"}, {{AggKind::kMean, "", ""}}).status().IsInvalidArgument());
  EXPECT_TRUE(GroupBy(t, {"k"}, {{AggKind::kMean, "v", ""}, {AggKind::kMean, "v", ""}}).status().IsInvalidArgument());
  EXPECT_TRUE(GroupBy(t, {"k"}, {{AggKind::kMean, "v", "k"}}).status().IsInvalidArgument());
  GroupByOptions bad;
  bad.morsel_rows = 0;
  EXPECT_TRUE(GroupBy(t, {"k"}, {}, bad).status().IsInvalidArgument());
}

TEST(GroupByTest, IntSumOverflowIsAnError) {
  auto schema = std::make_shared<const Schema>(std::vector<Field>{{"k", Type::kInt32}, {"v", Type::kInt64}});
  auto k = ColumnFromVector<int32_t>(Type::kInt32, {1, 1});
  auto v = ColumnFromVector<int64_t>(Type::kInt64, {INT64_MAX, 1});
  Table t = OneBatch(schema, {*k, *v});
  auto r = GroupBy(t, {"k"}, {{AggKind::kSum, "v", ""}});
  EXPECT_TRUE(r.status().IsInvalidArgument()) << r.status().ToString();
  // The mean is exact (128-bit sum).
  auto m = GroupBy(t, {"k"}, {{AggKind::kMean, "v", ""}});
  ASSERT_TRUE(m.ok());
  EXPECT_DOUBLE_EQ(m->batches()[0].column(1).values<double>()[0], 4611686018427387904.0);
}

TEST(GroupByTest, MinMaxNaN) {
  auto schema = std::make_shared<const Schema>(std::vector<Field>{{"k", Type::kInt32}, {"v", Type::kFloat64}});
  auto k = ColumnFromVector<int32_t>(Type::kInt32, {1, 1, 1, 2});
  auto v = ColumnFromVector<double>(Type::kFloat64, {NAN, 3, 2, NAN});
  Table t = OneBatch(schema, {*k, *v});
  auto r = GroupBy(t, {"k"}, {{AggKind::kMin, "v", ""}, {AggKind::kMax, "v", ""}});
  ASSERT_TRUE(r.ok());
  const RecordBatch& b = r->batches()[0];
  EXPECT_EQ(b.column(1).values<double>()[0], 2);
  EXPECT_EQ(b.column(2).values<double>()[0], 3);
  EXPECT_TRUE(std::isnan(b.column(1).values<double>()[1]));
}

TEST(GroupByTest, SortedKeysNullsLastAndFirstAppearanceOrder) {
  auto schema = std::make_shared<const Schema>(std::vector<Field>{{"k", Type::kString}});
  auto k = ColumnFromVector<std::string>(Type::kString, {"b", "", "a", "b", "x", "ab"}, {1, 1, 1, 1, 0, 1});
  Table t = OneBatch(schema, {*k});
  auto sorted = GroupBy(t, {"k"}, {{AggKind::kCount, "", "n"}});
  ASSERT_TRUE(sorted.ok());
  std::vector<std::string> got;
  for (int64_t i = 0; i < sorted->num_rows(); ++i) got.push_back(sorted->batches()[0].column(0).ValueToString(i));
  EXPECT_EQ(got, (std::vector<std::string>{"", "a", "ab", "b", "null"}));
  GroupByOptions o;
  o.sort_keys = false;
  auto appearance = GroupBy(t, {"k"}, {{AggKind::kCount, "", "n"}}, o);
  got.clear();
  for (int64_t i = 0; i < appearance->num_rows(); ++i) {
    got.push_back(appearance->batches()[0].column(0).ValueToString(i));
  }
  EXPECT_EQ(got, (std::vector<std::string>{"b", "", "a", "null", "ab"}));
}

TEST(GroupByTest, CompensatedSums) {
  // Naive summation returns 0 for group 0 and drifts for group 1.
  auto schema = std::make_shared<const Schema>(std::vector<Field>{{"k", Type::kInt32}, {"v", Type::kFloat64}});
  auto make = [&](int ones) {
    std::vector<int32_t> keys = {0, 0, 0, 0};
    std::vector<double> vals = {1.0, 1e100, 1.0, -1e100};
    keys.resize(4 + ones, 1);
    vals.resize(4 + ones, 0.1);
    return OneBatch(schema,
                    {*ColumnFromVector<int32_t>(Type::kInt32, keys), *ColumnFromVector<double>(Type::kFloat64, vals)});
  };
  // 1e6 * double(0.1) = 100000.0000000000055511..., which rounds to 100000.0;
  // a plain double loop ends ~1.3e-6 away.
  const Table big = make(1'000'000);
  const Table small = make(1000);
  struct Case {
    const Table* table;
    int64_t morsel;
  };
  for (const Case& c : {Case{&small, 1}, Case{&small, 3}, Case{&big, 4096}, Case{&big, 65536}}) {
    GroupByOptions opt;
    opt.morsel_rows = c.morsel;
    auto r = GroupBy(*c.table, {"k"}, {{AggKind::kSum, "v", ""}, {AggKind::kMean, "v", ""}}, opt);
    ASSERT_TRUE(r.ok());
    const RecordBatch& b = r->batches()[0];
    EXPECT_EQ(b.column(1).values<double>()[0], 2.0) << "morsel " << c.morsel;
    EXPECT_EQ(b.column(2).values<double>()[0], 0.5) << "morsel " << c.morsel;
    // The exact sum of n copies of double(0.1), rounded once.
    const long double exact = static_cast<long double>(c.table->num_rows() - 4) * static_cast<long double>(0.1);
    EXPECT_EQ(b.column(1).values<double>()[1], static_cast<double>(exact)) << "morsel " << c.morsel;
  }
}

TEST(GroupByTest, ParseAggKind) {
  for (AggKind k : {AggKind::kCount, AggKind::kSum, AggKind::kMean, AggKind::kMin, AggKind::kMax, AggKind::kFirst,
                    AggKind::kLast, AggKind::kStd}) {
    auto parsed = ParseAggKind(AggKindName(k));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, k);
  }
  EXPECT_TRUE(ParseAggKind("avg").status().IsInvalidArgument());
  EXPECT_TRUE(ParseAggKind("").status().IsInvalidArgument());
}

TEST(GroupByTest, SlicedInputColumns) {
  // Batches that are slices (non-zero column offsets, validity bit offsets).
  const Table base = MakeRandomTable(99, 3000, 3000);
  auto whole = base.Concatenate();
  ASSERT_TRUE(whole.ok());
  Table sliced(base.schema());
  ASSERT_TRUE(sliced.Append(whole->Slice(3, 1000)).ok());
  ASSERT_TRUE(sliced.Append(whole->Slice(1003, 1)).ok());
  ASSERT_TRUE(sliced.Append(whole->Slice(1004, 1995)).ok());
  for (const auto& keys : std::vector<std::vector<std::string>>{{"k_str"}, {"k_i32"}, {"k_bool", "k_i64"}}) {
    GroupByOptions opt;
    opt.morsel_rows = 333;
    CheckAgainstReference(sliced, keys, opt, "sliced " + keys[0]);
  }
}

// Dense keys in large morsels without sort_keys: the first rows of groups
// that appear late in a morsel (past the first 1024-row chunk the first-row
// scan reads, in the second morsel only, or only as null) set the order.
TEST(GroupByTest, FirstAppearanceOrderOfLateDenseKeys) {
  for (Type type : {Type::kInt32, Type::kInt64}) {
    auto schema = std::make_shared<const Schema>(std::vector<Field>{{"k", type}, {"v", Type::kFloat64}});
    std::vector<int64_t> keys;
    std::vector<bool> valid;
    std::vector<double> v;
    for (int64_t i = 0; i < 6000; ++i) {
      int64_t key = 10 + i % 3;
      if (i == 2500 || i == 5999) key = -1;  // null
      if (i == 1500 || i == 4000) key = 17;
      if (i == 3100) key = 11;
      if (i == 5000) key = 9;  // second morsel only
      keys.push_back(key);
      valid.push_back(key >= 0);
      v.push_back(static_cast<double>(i));
    }
    std::vector<int32_t> keys32(keys.begin(), keys.end());
    auto kc = type == Type::kInt32 ? ColumnFromVector<int32_t>(type, keys32, valid)
                                   : ColumnFromVector<int64_t>(type, keys, valid);
    Table t = OneBatch(schema, {*kc, *ColumnFromVector<double>(Type::kFloat64, v)});
    for (int64_t morsel : {int64_t{4096}, int64_t{65536}}) {
      GroupByOptions o;
      o.sort_keys = false;
      o.morsel_rows = morsel;
      auto r = GroupBy(t, {"k"}, {{AggKind::kCount, "", "n"}, {AggKind::kFirst, "v", ""}}, o);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      std::vector<std::string> got;
      std::vector<double> first;
      for (int64_t i = 0; i < r->num_rows(); ++i) {
        got.push_back(r->batches()[0].column(0).ValueToString(i));
        first.push_back(r->batches()[0].column(2).values<double>()[i]);
      }
      const std::string ctx = std::string(TypeName(type)) + " morsel " + std::to_string(morsel);
      EXPECT_EQ(got, (std::vector<std::string>{"10", "11", "12", "17", "null", "9"})) << ctx;
      EXPECT_EQ(first, (std::vector<double>{0, 1, 2, 1500, 2500, 5000})) << ctx;
    }
  }
}

}  // namespace
}  // namespace edgepipe::compute
