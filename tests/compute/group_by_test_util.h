#pragma once
// Random tables and typed cell access shared by the group-by tests.

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "edgepipe/core/table.h"

namespace edgepipe::compute::test {

// One value of any type, for reference computations.
struct Cell {
  bool valid = false;
  bool is_string = false;
  int64_t i = 0;  // int32, int64, timestamp, bool
  double d = 0;   // float32, float64
  std::string s;  // string
};

inline Cell CellAt(const Column& col, int64_t r) {
  Cell c;
  c.is_string = col.type() == Type::kString;
  if (col.IsNull(r)) return c;
  c.valid = true;
  switch (col.type()) {
    case Type::kBool:
      c.i = col.GetBool(r);
      break;
    case Type::kInt32:
      c.i = col.values<int32_t>()[r];
      break;
    case Type::kInt64:
    case Type::kTimestamp:
      c.i = col.values<int64_t>()[r];
      break;
    case Type::kFloat32:
      c.d = col.values<float>()[r];
      break;
    case Type::kFloat64:
      c.d = col.values<double>()[r];
      break;
    case Type::kString:
      c.s = std::string(col.GetString(r));
      break;
  }
  return c;
}

// Keys k_i32 k_i64 k_str k_bool k_ts and values v_i32 v_i64 v_f32 v_f64
// v_bool v_str v_ts v_null (all null), with nulls, in batches of random
// sizes in [0, max_batch] (empty batches included). wide_keys spreads the
// integer keys over their whole range (hash path instead of dense).
inline Table MakeRandomTable(uint64_t seed, int64_t rows, int64_t max_batch, bool wide_keys = false) {
  std::mt19937_64 rng(seed);
  auto schema = std::make_shared<const Schema>(std::vector<Field>{
      {"k_i32", Type::kInt32},
      {"k_i64", Type::kInt64},
      {"k_str", Type::kString},
      {"k_bool", Type::kBool},
      {"k_ts", Type::kTimestamp},
      {"v_i32", Type::kInt32},
      {"v_i64", Type::kInt64},
      {"v_f32", Type::kFloat32},
      {"v_f64", Type::kFloat64},
      {"v_bool", Type::kBool},
      {"v_str", Type::kString},
      {"v_ts", Type::kTimestamp},
      {"v_null", Type::kFloat64},
  });
  const std::vector<std::string> names = {
      "imu-00", "imu-01", "imu-02", "imu-03", "imu-04", "", "x", "a-much-longer-sensor-name-with-more-than-16-bytes"};
  std::vector<int64_t> wide_pool(3000);
  for (auto& v : wide_pool) v = static_cast<int64_t>(rng());
  std::uniform_real_distribution<double> unit(0, 1);
  std::normal_distribution<double> normal(0, 1);
  auto null_p = [&](double p) { return unit(rng) < p; };
  Table table(schema);
  int64_t done = 0;
  while (done < rows) {
    int64_t n = std::min<int64_t>(rows - done, static_cast<int64_t>(rng() % static_cast<uint64_t>(max_batch + 1)));
    std::vector<ColumnBuilder> b;
    for (const Field& f : schema->fields()) b.emplace_back(f.type);
    for (int64_t r = 0; r < n; ++r) {
      auto add_or_null = [&](int c, double p, auto append) {
        if (null_p(p)) {
          (void)b[c].AppendNull();
        } else {
          append(b[c]);
        }
      };
      add_or_null(0, 0.1, [&](ColumnBuilder& x) {
        (void)x.Append<int32_t>(
            wide_keys ? static_cast<int32_t>(static_cast<int64_t>(rng() % 7) * 600'000'000 - 1'800'000'000)
                      : static_cast<int32_t>(rng() % 9) - 3);
      });
      add_or_null(1, 0.1, [&](ColumnBuilder& x) {
        (void)x.Append<int64_t>(wide_keys ? wide_pool[rng() % wide_pool.size()]
                                          : 100 + static_cast<int64_t>(rng() % 21));
      });
      add_or_null(2, 0.1, [&](ColumnBuilder& x) { (void)x.AppendString(names[rng() % names.size()]); });
      add_or_null(3, 0.1, [&](ColumnBuilder& x) { (void)x.AppendBool(rng() & 1); });
      (void)b[4].Append<int64_t>(1'700'000'000'000'000'000 + static_cast<int64_t>(rng() % 10) * 1'000'000);
      add_or_null(5, 0.2,
                  [&](ColumnBuilder& x) { (void)x.Append<int32_t>(static_cast<int32_t>(rng() % 2001) - 1000); });
      add_or_null(6, 0.2, [&](ColumnBuilder& x) {
        (void)x.Append<int64_t>(static_cast<int64_t>(rng() % 2'000'000'000'001ULL) - 1'000'000'000'000);
      });
      add_or_null(7, 0.2, [&](ColumnBuilder& x) { (void)x.Append<float>(static_cast<float>(normal(rng) * 10 + 5)); });
      add_or_null(8, 0.2, [&](ColumnBuilder& x) {
        (void)x.Append<double>((unit(rng) * 2 - 1) * std::pow(10.0, static_cast<double>(rng() % 7) - 3));
      });
      add_or_null(9, 0.2, [&](ColumnBuilder& x) { (void)x.AppendBool(rng() % 3 == 0); });
      add_or_null(10, 0.2, [&](ColumnBuilder& x) { (void)x.AppendString("s" + std::to_string(rng() % 50)); });
      add_or_null(11, 0.2, [&](ColumnBuilder& x) {
        (void)x.Append<int64_t>(1'700'000'000'000'000'000 + static_cast<int64_t>(rng() % 1'000'000'000));
      });
      (void)b[12].AppendNull();
    }
    std::vector<Column> cols;
    for (auto& x : b) cols.push_back(*x.Finish());
    (void)table.Append(*RecordBatch::Make(schema, std::move(cols)));
    done += n;
  }
  return table;
}

}  // namespace edgepipe::compute::test
