#pragma once
// The benchmark's sensor table as CSV text: `rows` rows of timestamp_ns
// (int64, 1 kHz), sensor_id (10 distinct strings), ax..gz (float64 printed
// with 6 decimals). Fixed seed: the same bytes every run. 1,000,000 rows are
// ~83 MB, the size of the peer figures in shared/peer-timings.md.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

namespace edgepipe::csv::bench {

inline std::string MakeSensorCsv(int64_t rows, uint64_t seed = 42) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> accel(0.0, 0.6);
  std::normal_distribution<double> gyro(0.0, 0.4);
  std::string out = "timestamp_ns,sensor_id,ax,ay,az,gx,gy,gz\n";
  out.reserve(static_cast<size_t>(rows) * 84 + 64);
  char line[256];
  const int64_t t0 = 1700000000000000000;
  for (int64_t i = 0; i < rows; ++i) {
    const int n = std::snprintf(line, sizeof(line), "%lld,imu_%02d,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f\n",
                                static_cast<long long>(t0 + i * 1000000 + static_cast<int64_t>(rng() % 1000)),
                                static_cast<int>(i % 10), accel(rng), accel(rng), 9.80665 + accel(rng), gyro(rng),
                                gyro(rng), gyro(rng));
    out.append(line, static_cast<size_t>(n));
  }
  return out;
}

// Where benchmark files go: $EDGEPIPE_BENCH_DIR, else /dev/shm (tmpfs: the
// write benchmark measures formatting, not this VM's ~50 MB/s disk), else
// the temp directory.
inline std::filesystem::path BenchDir() {
  if (const char* dir = std::getenv("EDGEPIPE_BENCH_DIR")) return dir;
  std::error_code ec;
  if (std::filesystem::is_directory("/dev/shm", ec)) return "/dev/shm";
  return std::filesystem::temp_directory_path();
}

}  // namespace edgepipe::csv::bench
