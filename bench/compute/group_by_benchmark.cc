// Group-by microbenchmarks: the two cases compared with DuckDB and Polars in
// docs/group_by.md.
#include <benchmark/benchmark.h>

#include <random>

#include "edgepipe/compute/group_by.h"
#include "edgepipe/core/parallel.h"
#include "edgepipe/sensors/imu_simulator.h"

namespace edgepipe::compute {
namespace {

// 1M IMU rows (10 sensors, string sensor_id), mean of the 6 float32 axes.
void BM_GroupByImuStringKeyMean6(benchmark::State& state) {
  sensors::ImuSimOptions o;
  o.rows = 1'000'000;
  auto table = sensors::SimulateImu(o);
  if (!table.ok()) {
    state.SkipWithError(table.status().ToString().c_str());
    return;
  }
  std::vector<Aggregate> aggs;
  for (const char* c : {"ax", "ay", "az", "gx", "gy", "gz"}) aggs.push_back({AggKind::kMean, c, ""});
  SetNumThreads(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    auto r = GroupBy(*table, {"sensor_id"}, aggs);
    if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations() * o.rows);
  state.SetBytesProcessed(state.iterations() * o.rows * (6 * 4 + 4 + 6));
  state.counters["threads"] = GetNumThreads();
  SetNumThreads(0);
}
// Arg: threads (0 = all cores).
BENCHMARK(BM_GroupByImuStringKeyMean6)->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond)->UseRealTime();

// 5M rows, int64 keys uniform in [0, 1000), float64 values, mean.
void BM_GroupByInt64KeyMean(benchmark::State& state) {
  const int64_t rows = 5'000'000;
  const int64_t batch_rows = 1 << 20;
  auto schema = std::make_shared<const Schema>(std::vector<Field>{{"k", Type::kInt64}, {"v", Type::kFloat64}});
  Table table(schema);
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> unit(0, 1);
  for (int64_t done = 0; done < rows; done += batch_rows) {
    const int64_t n = std::min(batch_rows, rows - done);
    ColumnBuilder kb(Type::kInt64), vb(Type::kFloat64);
    (void)kb.Reserve(n);
    (void)vb.Reserve(n);
    for (int64_t i = 0; i < n; ++i) {
      kb.UnsafeAppend<int64_t>(static_cast<int64_t>(rng() % 1000));
      vb.UnsafeAppend<double>(unit(rng));
    }
    (void)table.Append(*RecordBatch::Make(schema, {*kb.Finish(), *vb.Finish()}));
  }
  SetNumThreads(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    auto r = GroupBy(table, {"k"}, {{AggKind::kMean, "v", ""}});
    if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations() * rows);
  state.SetBytesProcessed(state.iterations() * rows * 16);
  state.counters["threads"] = GetNumThreads();
  SetNumThreads(0);
}
BENCHMARK(BM_GroupByInt64KeyMean)->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace edgepipe::compute

BENCHMARK_MAIN();
