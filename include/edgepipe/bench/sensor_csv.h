#pragma once
// The benchmark input: a sensor table as CSV, in the layout the peer
// reference timings use (docs/benchmarks.md):
//
//   timestamp_ns,sensor_id,ax,ay,az,gx,gy,gz
//   1700000000000000000,imu-00,0.190412,-0.384226,9.794107,0.001561,-0.002394,0.000832
//
// timestamp_ns int64 ns since the epoch; sensor_id one of `sensors` strings
// (imu-00, imu-01, ...); ax..gz float64 printed with exactly 6 decimals
// (accelerometer m/s², gyro rad/s). The values come from the IMU simulator
// (edgepipe/sensors/imu_simulator.h: gravity through a slowly rotating
// attitude, per-sensor bias, MPU-6050-like noise), each float32 reading
// widened to double and rounded to 6 decimals. The file is a pure function
// of (rows, sensors, seed): the same bytes on every machine.

#include <cstdint>
#include <string>

#include "edgepipe/core/status.h"

namespace edgepipe::bench {

struct SensorCsvOptions {
  int64_t rows = 1000000;
  int sensors = 10;
  uint64_t seed = 42;
  double rate_hz = 1000;  // per sensor
};

// Writes the file (atomically); returns its size in bytes.
Result<int64_t> WriteSensorCsv(const std::string& path, const SensorCsvOptions& options);

}  // namespace edgepipe::bench
