// Time windows against scalar references: tumbling windows (GroupByWindow)
// recomputed with std::map over (window start, key), rolling means
// (RollingMean) recomputed by scanning every row's window, duration parsing.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "compute/group_by_test_util.h"
#include "edgepipe/compute/window.h"
#include "edgepipe/core/parallel.h"

namespace edgepipe::compute {
namespace {

using test::Cell;
using test::CellAt;

constexpr int64_t kMs = 1'000'000;
constexpr int64_t kS = 1'000'000'000;

// ------------------------------------------------------------- durations

TEST(ParseDuration, Units) {
  const std::pair<const char*, int64_t> cases[] = {
      {"10ns", 10},         {"250us", 250'000},       {"250\xC2\xB5s", 250'000}, {"100ms", 100 * kMs},
      {"1s", kS},           {"1m", 60 * kS},          {"1h", 3600 * kS},         {"1d", 86400 * kS},
      {"1w", 7 * 86400 * kS}, {"1h30m", 5400 * kS},   {"2s500ms", 2500 * kMs},   {"-1h", -3600 * kS},
      {"0ns", 0},           {"9223372036854775807ns", std::numeric_limits<int64_t>::max()}};
  for (const auto& [text, ns] : cases) {
    auto r = ParseDuration(text);
    ASSERT_TRUE(r.ok()) << text << ": " << r.status().ToString();
    EXPECT_EQ(*r, ns) << text;
  }
}

TEST(ParseDuration, Errors) {
  for (const char* text : {"", "-", "1", "s", "1x", "1mo", "1y", "1i", "1.5s", "1 s", "1s ", "10000000000000000000ns",
                           "300000000000000000000s", "9223372036854775807s", "1s-2s"}) {
    auto r = ParseDuration(text);
    ASSERT_FALSE(r.ok()) << "'" << text << "' parsed as " << *r;
    EXPECT_TRUE(r.status().IsInvalidArgument()) << text;
    EXPECT_NE(r.status().message().find("duration"), std::string::npos) << r.status().ToString();
  }
}

TEST(ParseDuration, FormatRoundTrips) {
  for (int64_t ns : {int64_t{0}, int64_t{7}, int64_t{1000}, 1500 * kMs, kS, 60 * kS, 3600 * kS, 90 * 60 * kS,
                     -100 * kMs, int64_t{123456789}}) {
    auto r = ParseDuration(FormatDuration(ns));
    ASSERT_TRUE(r.ok()) << FormatDuration(ns);
    EXPECT_EQ(*r, ns) << FormatDuration(ns);
  }
  EXPECT_EQ(FormatDuration(3600 * kS), "1h");
  EXPECT_EQ(FormatDuration(100 * kMs), "100ms");
}

// ------------------------------------------------------- tumbling windows

int64_t RefWindowStart(int64_t t, int64_t every, int64_t offset) {
  const __int128 o = ((offset % every) + every) % every;
  const __int128 d = static_cast<__int128>(t) - o;
  __int128 q = d / every;
  if (d % every < 0) --q;
  return static_cast<int64_t>(q * every + o);
}

// (null window?, start, key valid?, key) -> accumulated values.
struct RefGroup {
  int64_t rows = 0;
  int64_t f64_count = 0;
  long double f64_sum = 0;
  bool has_f32 = false;
  float f32_max = 0;
  int64_t i64_sum = 0;
  int64_t i64_count = 0;
};
using RefKey = std::tuple<bool, int64_t, bool, std::string>;  // null windows/keys sort last: false < true

void CheckWindows(const Table& input, int64_t every, int64_t offset, int64_t morsel_rows, uint64_t seed) {
  SCOPED_TRACE("seed " + std::to_string(seed) + " rows " + std::to_string(input.num_rows()) + " every " +
               std::to_string(every) + " offset " + std::to_string(offset) + " morsel " + std::to_string(morsel_rows));
  std::map<RefKey, RefGroup> ref;
  for (const auto& batch : input.batches()) {
    const Schema& s = *batch.schema();
    const Column& ts = batch.column(s.FieldIndex("v_ts"));
    const Column& key = batch.column(s.FieldIndex("k_str"));
    const Column& f64 = batch.column(s.FieldIndex("v_f64"));
    const Column& f32 = batch.column(s.FieldIndex("v_f32"));
    const Column& i64 = batch.column(s.FieldIndex("v_i64"));
    for (int64_t r = 0; r < batch.num_rows(); ++r) {
      const Cell t = CellAt(ts, r), k = CellAt(key, r);
      RefGroup& g = ref[{!t.valid, t.valid ? RefWindowStart(t.i, every, offset) : 0, !k.valid, k.valid ? k.s : ""}];
      ++g.rows;
      if (Cell v = CellAt(f64, r); v.valid) {
        ++g.f64_count;
        g.f64_sum += v.d;
      }
      if (Cell v = CellAt(f32, r); v.valid) {
        g.f32_max = g.has_f32 ? std::max(g.f32_max, static_cast<float>(v.d)) : static_cast<float>(v.d);
        g.has_f32 = true;
      }
      if (Cell v = CellAt(i64, r); v.valid) {
        g.i64_sum += v.i;
        ++g.i64_count;
      }
    }
  }
  WindowOptions options;
  options.time_column = "v_ts";
  options.every_ns = every;
  options.offset_ns = offset;
  options.by = {"k_str"};
  options.group_by.morsel_rows = morsel_rows;
  auto result = GroupByWindow(input, options,
                              {{AggKind::kCount, "", ""},
                               {AggKind::kMean, "v_f64", ""},
                               {AggKind::kMax, "v_f32", ""},
                               {AggKind::kSum, "v_i64", "isum"}});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(result->num_rows(), static_cast<int64_t>(ref.size()));
  const Schema& os = *result->schema();
  ASSERT_EQ(os.num_fields(), 6);
  EXPECT_EQ(os.field(0).name, "window_start");
  EXPECT_EQ(os.field(0).type, Type::kTimestamp);
  EXPECT_EQ(os.field(1).name, "k_str");
  EXPECT_EQ(os.field(2).name, "count");
  EXPECT_EQ(os.field(3).name, "v_f64_mean");
  EXPECT_EQ(os.field(4).name, "v_f32_max");
  EXPECT_EQ(os.field(5).name, "isum");
  auto it = ref.begin();
  for (const auto& batch : result->batches()) {
    for (int64_t r = 0; r < batch.num_rows(); ++r, ++it) {
      const auto& [null_window, start, null_key, key] = it->first;
      const RefGroup& g = it->second;
      const Cell w = CellAt(batch.column(0), r), k = CellAt(batch.column(1), r);
      ASSERT_EQ(w.valid, !null_window) << "row " << r;
      if (w.valid) {
        ASSERT_EQ(w.i, start) << "row " << r;
      }
      ASSERT_EQ(k.valid, !null_key) << "row " << r;
      if (k.valid) {
        ASSERT_EQ(k.s, key) << "row " << r;
      }
      EXPECT_EQ(CellAt(batch.column(2), r).i, g.rows) << "row " << r;
      const Cell mean = CellAt(batch.column(3), r);
      ASSERT_EQ(mean.valid, g.f64_count > 0);
      if (mean.valid) {
        const double expect = static_cast<double>(g.f64_sum / g.f64_count);
        EXPECT_NEAR(mean.d, expect, 1e-12 * (1 + std::fabs(expect))) << "row " << r;
      }
      const Cell mx = CellAt(batch.column(4), r);
      ASSERT_EQ(mx.valid, g.has_f32);
      if (mx.valid) {
        EXPECT_EQ(static_cast<float>(mx.d), g.f32_max);
      }
      const Cell s = CellAt(batch.column(5), r);
      ASSERT_EQ(s.valid, g.i64_count > 0);
      if (s.valid) {
        EXPECT_EQ(s.i, g.i64_sum);
      }
    }
  }
}

TEST(GroupByWindow, MatchesReferenceAcrossSizes) {
  // v_ts spans 1 s: 100 ms windows give ~10 per key, 1 ms windows ~1000.
  uint64_t seed = 1;
  for (int64_t rows : {0, 1, 7, 8, 31, 32, 127, 128, 129, 1023, 1024, 1025, 5000}) {
    for (int64_t max_batch : {int64_t{1}, int64_t{64}, int64_t{100000}}) {
      ++seed;
      const Table t = test::MakeRandomTable(seed, rows, max_batch);
      CheckWindows(t, 100 * kMs, 0, 64, seed);
      CheckWindows(t, kMs, 250'000, 1000, seed);
      CheckWindows(t, 7, -3, 65536, seed);
    }
  }
}

TEST(GroupByWindow, SameResultForAnyThreadCount) {
  const Table t = test::MakeRandomTable(99, 20000, 3000);
  WindowOptions options;
  options.time_column = "v_ts";
  options.every_ns = 10 * kMs;
  options.by = {"k_i32"};
  options.group_by.morsel_rows = 512;
  const std::vector<Aggregate> aggs = {{AggKind::kMean, "v_f64", ""}, {AggKind::kStd, "v_f32", ""}};
  SetNumThreads(1);
  auto one = GroupByWindow(t, options, aggs);
  SetNumThreads(0);
  auto all = GroupByWindow(t, options, aggs);
  ASSERT_TRUE(one.ok() && all.ok());
  EXPECT_TRUE(one->Equals(*all));
}

Table TimeTable(const std::vector<int64_t>& ts, Type type = Type::kTimestamp) {
  auto schema = std::make_shared<const Schema>(std::vector<Field>{{"timestamp", type}, {"v", Type::kFloat64}});
  ColumnBuilder t(type), v(Type::kFloat64);
  for (size_t i = 0; i < ts.size(); ++i) {
    EXPECT_TRUE(t.Append<int64_t>(ts[i]).ok());
    EXPECT_TRUE(v.Append<double>(static_cast<double>(i)).ok());
  }
  Table table(schema);
  EXPECT_TRUE(table.Append(*RecordBatch::Make(schema, {*t.Finish(), *v.Finish()})).ok());
  return table;
}

TEST(GroupByWindow, AlignmentNegativeTimesAndExtremes) {
  const int64_t kMin = std::numeric_limits<int64_t>::min(), kMax = std::numeric_limits<int64_t>::max();
  const Table t = TimeTable({-1, 0, 999, 1000, -1000, -1001, kMax, kMin}, Type::kInt64);
  WindowOptions options;
  options.every_ns = 1000;
  auto r = GroupByWindow(t, options, {{AggKind::kCount, "", ""}});
  // kMin's window starts before the int64 range: an error, not wrap-around.
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsInvalidArgument());

  const Table u = TimeTable({-1, 0, 999, 1000, -1000, -1001, kMax}, Type::kInt64);
  r = GroupByWindow(u, options, {{AggKind::kCount, "", ""}, {AggKind::kMin, "v", ""}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->schema()->field(0).type, Type::kInt64);
  auto b = *r->Concatenate();
  const std::vector<std::pair<int64_t, int64_t>> expect = {
      {-2000, 1}, {-1000, 2}, {0, 2}, {1000, 1}, {kMax - kMax % 1000, 1}};
  ASSERT_EQ(b.num_rows(), static_cast<int64_t>(expect.size()));
  for (size_t i = 0; i < expect.size(); ++i) {
    EXPECT_EQ(b.column(0).values<int64_t>()[i], expect[i].first) << i;
    EXPECT_EQ(b.column(1).values<int64_t>()[i], expect[i].second) << i;
  }
}

TEST(GroupByWindow, Errors) {
  const Table t = TimeTable({1, 2, 3});
  WindowOptions options;
  options.every_ns = 0;
  EXPECT_TRUE(GroupByWindow(t, options, {{AggKind::kCount, "", ""}}).status().IsInvalidArgument());
  options.every_ns = kS;
  options.time_column = "nope";
  auto r = GroupByWindow(t, options, {{AggKind::kCount, "", ""}});
  EXPECT_TRUE(r.status().IsNotFound());
  EXPECT_NE(r.status().message().find("nope"), std::string::npos);
  options.time_column = "v";  // float64: not a time
  EXPECT_TRUE(GroupByWindow(t, options, {{AggKind::kCount, "", ""}}).status().IsInvalidArgument());
  options.time_column = "timestamp";
  options.output_name = "v";  // clashes with the aggregate column
  EXPECT_TRUE(GroupByWindow(t, options, {{AggKind::kMean, "v", ""}}).status().IsInvalidArgument());
  options.output_name = "window_start";
  EXPECT_TRUE(GroupByWindow(t, options, {{AggKind::kMean, "missing", ""}}).status().IsNotFound());
}

// --------------------------------------------------------------- rolling

struct RollingInput {
  Table table;
  std::vector<int64_t> ts;
  std::vector<int> key;  // -1 = null
  std::vector<double> v;
  std::vector<bool> v_valid;
};

// Per key, times increase with random gaps (ties included); keys interleave.
RollingInput MakeRollingInput(uint64_t seed, int64_t rows, int keys, bool specials) {
  std::mt19937_64 rng(seed);
  RollingInput in;
  std::vector<int64_t> clock(static_cast<size_t>(keys) + 1, 1'700'000'000 * kS);
  auto schema = std::make_shared<const Schema>(
      std::vector<Field>{{"timestamp", Type::kTimestamp}, {"sensor", Type::kString}, {"x", Type::kFloat64},
                         {"n", Type::kInt32}});
  ColumnBuilder tb(Type::kTimestamp), kb(Type::kString), xb(Type::kFloat64), nb(Type::kInt32);
  std::uniform_real_distribution<double> unit(-1, 1);
  for (int64_t r = 0; r < rows; ++r) {
    const int k = static_cast<int>(rng() % static_cast<uint64_t>(keys + 1)) - 1;
    int64_t& c = clock[static_cast<size_t>(k + 1)];
    const uint64_t gap = rng() % 4;
    c += gap == 0 ? 0 : static_cast<int64_t>(rng() % (60 * kMs));
    in.ts.push_back(c);
    in.key.push_back(k);
    EXPECT_TRUE(tb.Append<int64_t>(c).ok());
    EXPECT_TRUE((k < 0 ? kb.AppendNull() : kb.AppendString("imu-" + std::to_string(k))).ok());
    const bool valid = rng() % 5 != 0;
    double x = unit(rng) * 100;
    if (specials && rng() % 50 == 0) {
      const double sp[] = {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
                           -std::numeric_limits<double>::infinity(), 1e300};
      x = sp[rng() % 4];
    }
    in.v.push_back(x);
    in.v_valid.push_back(valid);
    EXPECT_TRUE((valid ? xb.Append<double>(x) : xb.AppendNull()).ok());
    EXPECT_TRUE(nb.Append<int32_t>(static_cast<int32_t>(r % 1000)).ok());
  }
  in.table = Table(schema);
  EXPECT_TRUE(in.table.Append(*RecordBatch::Make(schema, {*tb.Finish(), *kb.Finish(), *xb.Finish(), *nb.Finish()})).ok());
  return in;
}

TEST(RollingMean, MatchesReferenceAcrossSizes) {
  uint64_t seed = 100;
  for (int64_t rows : {0, 1, 7, 8, 31, 32, 127, 128, 129, 1023, 1024, 1025, 3000}) {
    for (int keys : {1, 3}) {
      for (bool specials : {false, true}) {
        for (int64_t period : {int64_t{1}, 100 * kMs, 10 * kS}) {
          ++seed;
          SCOPED_TRACE("seed " + std::to_string(seed) + " rows " + std::to_string(rows) + " keys " +
                       std::to_string(keys) + " period " + std::to_string(period));
          RollingInput in = MakeRollingInput(seed, rows, keys, specials);
          RollingOptions options;
          options.period_ns = period;
          options.by = {"sensor"};
          auto r = RollingMean(in.table, options, {"x", "n"});
          ASSERT_TRUE(r.ok()) << r.status().ToString();
          ASSERT_EQ(r->num_rows(), rows);
          ASSERT_EQ(r->schema()->num_fields(), 4);
          EXPECT_EQ(r->schema()->field(2).name, "x_rolling_mean");
          if (rows == 0) continue;
          auto b = *r->Concatenate();
          for (int64_t i = 0; i < rows; ++i) {
            ASSERT_EQ(b.column(0).values<int64_t>()[i], in.ts[i]);
            long double sum = 0, nsum = 0;
            int64_t count = 0, ncount = 0;
            bool nan = false, pinf = false, ninf = false;
            for (int64_t j = 0; j < rows; ++j) {
              if (in.key[j] != in.key[i] || in.ts[j] > in.ts[i] || in.ts[j] <= in.ts[i] - period) continue;
              ++ncount;
              nsum += static_cast<long double>(j % 1000);
              if (!in.v_valid[j]) continue;
              ++count;
              const double x = in.v[j];
              if (std::isnan(x)) nan = true;
              else if (std::isinf(x)) (x > 0 ? pinf : ninf) = true;
              else sum += x;
            }
            const Cell got = CellAt(b.column(2), i);
            ASSERT_EQ(got.valid, count > 0) << "row " << i;
            if (count > 0) {
              if (nan || (pinf && ninf)) {
                EXPECT_TRUE(std::isnan(got.d)) << "row " << i;
              } else if (pinf || ninf) {
                EXPECT_EQ(got.d, pinf ? INFINITY : -INFINITY) << "row " << i;
              } else {
                const double expect = static_cast<double>(sum / count);
                EXPECT_NEAR(got.d, expect, 1e-9 * (1 + std::fabs(expect))) << "row " << i;
              }
            }
            const Cell n = CellAt(b.column(3), i);
            ASSERT_TRUE(n.valid);
            EXPECT_NEAR(n.d, static_cast<double>(nsum / ncount), 1e-9) << "row " << i;
          }
        }
      }
    }
  }
}

TEST(RollingMean, NoKeysTiesAreInsideTheWindow) {
  const Table t = TimeTable({0, 100, 100, 150, 250});
  RollingOptions options;
  options.period_ns = 100;
  auto r = RollingMean(t, options, {"v"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto b = *r->Concatenate();
  // (t-100, t]: 0 -> {0}; 100 -> {100,100} (0 is out); 150 -> {100,100,150}; 250 -> {250} (150 is out).
  const double expect[] = {0, 1.5, 1.5, 2, 4};
  for (int i = 0; i < 5; ++i) EXPECT_DOUBLE_EQ(b.column(1).values<double>()[i], expect[i]) << i;
}

TEST(RollingMean, Errors) {
  RollingOptions options;
  options.period_ns = kS;
  auto r = RollingMean(TimeTable({5, 3}), options, {"v"});
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsInvalidArgument());
  EXPECT_NE(r.status().message().find("sorted"), std::string::npos) << r.status().ToString();
  options.period_ns = 0;
  EXPECT_TRUE(RollingMean(TimeTable({1}), options, {"v"}).status().IsInvalidArgument());
  options.period_ns = kS;
  EXPECT_TRUE(RollingMean(TimeTable({1}), options, {"nope"}).status().IsNotFound());
  options.time_column = "v";
  EXPECT_TRUE(RollingMean(TimeTable({1}), options, {"v"}).status().IsInvalidArgument());

  // Sorted within each key is enough; one key out of order is named.
  RollingInput in = MakeRollingInput(7, 200, 3, false);
  options.time_column = "timestamp";
  options.by = {"sensor"};
  EXPECT_TRUE(RollingMean(in.table, options, {"x"}).ok());
  options.by = {};
  r = RollingMean(in.table, options, {"x"});
  EXPECT_TRUE(r.status().IsInvalidArgument());

  // A null time.
  auto schema = std::make_shared<const Schema>(std::vector<Field>{{"timestamp", Type::kTimestamp}, {"v", Type::kFloat64}});
  ColumnBuilder tb(Type::kTimestamp), vb(Type::kFloat64);
  ASSERT_TRUE(tb.Append<int64_t>(1).ok());
  ASSERT_TRUE(tb.AppendNull().ok());
  ASSERT_TRUE(vb.Append<double>(1).ok());
  ASSERT_TRUE(vb.Append<double>(2).ok());
  Table t(schema);
  ASSERT_TRUE(t.Append(*RecordBatch::Make(schema, {*tb.Finish(), *vb.Finish()})).ok());
  r = RollingMean(t, options, {"v"});
  EXPECT_TRUE(r.status().IsInvalidArgument());
  EXPECT_NE(r.status().message().find("null"), std::string::npos);
}

}  // namespace
}  // namespace edgepipe::compute
