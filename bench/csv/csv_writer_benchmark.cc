// CsvWriter on the sensor table (1,000,000 rows, 8 columns): formats and
// writes the whole table to a temp file per iteration. Reports seconds per
// write (real time: formatting is parallel) and MB/s of CSV produced.

#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "edgepipe/core/parallel.h"
#include "edgepipe/csv/reader.h"
#include "edgepipe/csv/writer.h"
#include "sensor_csv.h"

namespace {

namespace csv = edgepipe::csv;

constexpr int64_t kRows = 1000000;

const edgepipe::Table& SensorTable() {
  static const edgepipe::Table table = [] {
    const std::string text = csv::bench::MakeSensorCsv(kRows);
    auto t = csv::ReadCsvBuffer(text);
    if (!t.ok()) {
      std::fprintf(stderr, "%s\n", t.status().ToString().c_str());
      std::abort();
    }
    return *t;
  }();
  return table;
}

void BM_WriteCsv_Sensor1M(benchmark::State& state) {
  const edgepipe::Table& table = SensorTable();
  const std::string path =
      (csv::bench::BenchDir() / ("edgepipe_csv_wbench_" + std::to_string(::getpid()) + ".csv")).string();
  edgepipe::SetNumThreads(static_cast<int>(state.range(0)));
  csv::CsvWriteOptions options;
  for (auto _ : state) {
    const edgepipe::Status st = csv::WriteCsv(path, table, options);
    if (!st.ok()) {
      state.SkipWithError(st.ToString().c_str());
      break;
    }
  }
  edgepipe::SetNumThreads(0);
  const auto bytes = static_cast<double>(std::filesystem::file_size(path));
  std::remove(path.c_str());
  state.SetBytesProcessed(static_cast<int64_t>(static_cast<double>(state.iterations()) * bytes));
  state.counters["MB/s"] = benchmark::Counter(static_cast<double>(state.iterations()) * bytes / 1e6,
                                              benchmark::Counter::kIsRate);
  state.counters["rows/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * kRows, benchmark::Counter::kIsRate);
  state.counters["file_MB"] = bytes / 1e6;
}

// range(0): threads (0 = all cores).
BENCHMARK(BM_WriteCsv_Sensor1M)->Arg(0)->Arg(1)->UseRealTime()->Unit(benchmark::kMillisecond)->MinTime(2.0);

}  // namespace

int main(int argc, char** argv) {
#ifndef NDEBUG
  std::fprintf(stderr, "warning: built without NDEBUG; timings are not representative\n");
#endif
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
