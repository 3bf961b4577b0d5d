// Throughput of the IMU simulator (the data source of the group-by
// benchmarks): 1M rows, 10 sensors, default batches.
#include <benchmark/benchmark.h>

#include "edgepipe/core/parallel.h"
#include "edgepipe/sensors/imu_simulator.h"

namespace edgepipe::sensors {
namespace {

void BM_ImuSimulate1M(benchmark::State& state) {
  SetNumThreads(static_cast<int>(state.range(0)));
  ImuSimOptions o;
  o.rows = 1'000'000;
  for (auto _ : state) {
    auto t = SimulateImu(o);
    if (!t.ok()) state.SkipWithError(t.status().ToString().c_str());
    benchmark::DoNotOptimize(t);
  }
  state.SetItemsProcessed(state.iterations() * o.rows);
  state.counters["threads"] = GetNumThreads();
  SetNumThreads(0);
}
// Arg: threads (0 = all cores).
BENCHMARK(BM_ImuSimulate1M)->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace edgepipe::sensors
