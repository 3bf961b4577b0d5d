// CsvReader on the sensor table of shared/peer-timings.md: 1,000,000 rows
// of timestamp_ns,sensor_id,ax..gz (~83 MB), written once to a temp file
// with a fixed seed. Reports seconds per read (real time: the read is
// parallel), MB/s (10^6 bytes) and rows/s. Peers on this 2-core machine:
// Polars 0.108 s, DuckDB 0.365 s, pandas 0.485 s.

#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "edgepipe/core/parallel.h"
#include "edgepipe/csv/reader.h"
#include "sensor_csv.h"

namespace {

using edgepipe::Type;
namespace csv = edgepipe::csv;

constexpr int64_t kRows = 1000000;

struct SensorFile {
  std::string path;
  size_t bytes = 0;
  SensorFile() {
    path = (csv::bench::BenchDir() / ("edgepipe_csv_bench_" + std::to_string(::getpid()) + ".csv"))
               .string();
    const std::string text = csv::bench::MakeSensorCsv(kRows);
    std::ofstream(path, std::ios::binary) << text;
    bytes = text.size();
  }
  ~SensorFile() { std::remove(path.c_str()); }
};

const SensorFile& File() {
  static const SensorFile file;
  return file;
}

void Run(benchmark::State& state, const csv::CsvReadOptions& options, int threads) {
  const SensorFile& file = File();
  edgepipe::SetNumThreads(threads);
  int64_t rows = 0;
  for (auto _ : state) {
    auto table = csv::ReadCsv(file.path, options);
    if (!table.ok()) {
      state.SkipWithError(table.status().ToString().c_str());
      break;
    }
    rows = table->num_rows();
    benchmark::DoNotOptimize(table);
  }
  edgepipe::SetNumThreads(0);
  if (rows != kRows) state.SkipWithError("wrong row count");
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(file.bytes));
  state.counters["MB/s"] = benchmark::Counter(static_cast<double>(state.iterations()) * static_cast<double>(file.bytes) / 1e6,
                                              benchmark::Counter::kIsRate);
  state.counters["rows/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * kRows, benchmark::Counter::kIsRate);
  state.counters["file_MB"] = static_cast<double>(file.bytes) / 1e6;
}

void BM_ReadCsv_Sensor1M_Inferred(benchmark::State& state) {
  Run(state, csv::CsvReadOptions::Defaults(), static_cast<int>(state.range(0)));
}

void BM_ReadCsv_Sensor1M_Schema(benchmark::State& state) {
  csv::CsvReadOptions options;
  options.column_types = {{"timestamp_ns", Type::kInt64}, {"sensor_id", Type::kString},
                          {"ax", Type::kFloat64},         {"ay", Type::kFloat64},
                          {"az", Type::kFloat64},         {"gx", Type::kFloat64},
                          {"gy", Type::kFloat64},         {"gz", Type::kFloat64}};
  Run(state, options, static_cast<int>(state.range(0)));
}

void BM_ReadCsv_Sensor1M_Projection(benchmark::State& state) {
  csv::CsvReadOptions options;
  options.include_columns = {"timestamp_ns", "az"};
  Run(state, options, static_cast<int>(state.range(0)));
}

// range(0): threads (0 = all cores).
BENCHMARK(BM_ReadCsv_Sensor1M_Inferred)->Arg(0)->Arg(1)->UseRealTime()->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_ReadCsv_Sensor1M_Schema)->Arg(0)->UseRealTime()->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_ReadCsv_Sensor1M_Projection)->Arg(0)->UseRealTime()->Unit(benchmark::kMillisecond)->MinTime(2.0);

}  // namespace

int main(int argc, char** argv) {
#ifndef NDEBUG
  std::fprintf(stderr, "warning: built without NDEBUG; timings are not representative\n");
#endif
  std::fprintf(stderr, "threads: %d\n", edgepipe::GetNumThreads());
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
