#pragma once
// ImuSimulator: a deterministic, physically plausible stream of IMU samples
// in the ImuSchema() layout (see docs/sensor_schema.md for the model).
//
// Rows are interleaved across sensors in time order: row r is sample
// k = r / sensors of sensor s = r % sensors. Sensor s samples at
// start_ns + k * period_ns + s * period_ns / sensors, with
// period_ns = llround(1e9 / rate_hz), so timestamps are exact integers and
// strictly increasing per sensor (and globally when period_ns >= sensors).
//
// Every value is a pure function of (seed, sensor, k): noise comes from a
// counter-based generator (splitmix64 indexed by (sensor, k, channel)), so
// the output is identical whatever batch_rows or the thread count.
// Not thread-safe (one consumer calls Next); Generate() is const and may be
// called concurrently.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "edgepipe/core/record_batch.h"
#include "edgepipe/core/status.h"
#include "edgepipe/core/table.h"

namespace edgepipe::sensors {

inline constexpr double kStandardGravity = 9.80665;  // m/s²

struct ImuSimOptions {
  int64_t rows = 0;  // total rows over all sensors
  int sensors = 10;
  double rate_hz = 1000;  // per sensor
  uint64_t seed = 42;
  int64_t start_ns = 1700000000000000000;
  int64_t batch_rows = 65536;
};

// The physical truth behind one simulated sensor, drawn from the seed.
// Exposed so tests (and docs) can check what the readings should average to.
struct ImuSensorParams {
  std::string id;                // "imu-00", "imu-01", ...
  int64_t phase_ns = 0;          // offset of this sensor's samples within a period
  double gravity_body[3] = {};   // specific force at k = 0, body frame, m/s² (|.| = g)
  double rotation_axis[3] = {};  // unit vector, body frame
  double rotation_rate = 0;      // rad/s about rotation_axis (signed)
  double accel_bias[3] = {};     // m/s²
  double gyro_bias[3] = {};      // rad/s
  double accel_noise = 0;        // white noise std, m/s²
  double gyro_noise = 0;         // white noise std, rad/s
  double temp_base_c = 0;        // temperature = base + amplitude * sin(2π t / period + phase) + noise
  double temp_amplitude_c = 0;
  double temp_period_s = 0;
  double temp_phase = 0;
};

class ImuSimulator : public BatchReader {
 public:
  // Invalid options are reported by the first Next() (and by Validate).
  explicit ImuSimulator(ImuSimOptions options);
  ~ImuSimulator() override;
  ImuSimulator(const ImuSimulator&) = delete;
  ImuSimulator& operator=(const ImuSimulator&) = delete;

  // InvalidArgument unless rows >= 0, 1 <= sensors <= 100000,
  // 0 < rate_hz <= 1e9, batch_rows >= 1 and the last timestamp fits int64.
  static Status Validate(const ImuSimOptions& options);

  const std::shared_ptr<const Schema>& schema() const override { return schema_; }
  // Batches of min(batch_rows, remaining) rows; std::nullopt after `rows`.
  Result<std::optional<RecordBatch>> Next() override;

  // Rows [begin, end) of the stream as one batch (random access; begin and
  // end are clamped to [0, rows]). Uses the process thread pool.
  Result<RecordBatch> Generate(int64_t begin, int64_t end) const;

  const ImuSimOptions& options() const { return options_; }
  int64_t period_ns() const { return period_ns_; }
  // Valid for 0 <= sensor < options().sensors when Validate() passed.
  const ImuSensorParams& sensor_params(int sensor) const { return params_[sensor]; }

 private:
  struct SensorTables;
  void GenerateRange(int64_t begin, int64_t end, int64_t out_offset, int64_t* ts, int64_t* seq, float* out[7],
                     int32_t* id_offsets, uint8_t* id_bytes) const;

  ImuSimOptions options_;
  Status init_status_;
  std::shared_ptr<const Schema> schema_;
  int64_t period_ns_ = 1;
  int id_width_ = 6;  // bytes per sensor id
  std::vector<ImuSensorParams> params_;
  std::vector<SensorTables> tables_;
  int64_t next_row_ = 0;
};

// Drains an ImuSimulator into a table.
Result<Table> SimulateImu(const ImuSimOptions& options);

}  // namespace edgepipe::sensors
