#include "edgepipe/bench/sensor_csv.h"

#include <cmath>
#include <cstring>

#include "edgepipe/core/atomic_file.h"
#include "edgepipe/sensors/imu_schema.h"
#include "edgepipe/sensors/imu_simulator.h"

namespace edgepipe::bench {

namespace {

// Appends the decimal digits of v (v >= 0).
char* AppendUnsigned(char* p, uint64_t v) {
  char tmp[20];
  int n = 0;
  do {
    tmp[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (n > 0) *p++ = tmp[--n];
  return p;
}

// round(v * 1e6) printed as a fixed 6-decimal number. Exact integer
// arithmetic after one rounding step, so the text is identical on every
// machine (and 10x faster than a general formatter). |v| < 9e12 here: IMU
// readings are a few tens at most. Zero prints without a minus sign.
char* AppendFixed6(char* p, double v) {
  const int64_t scaled = std::llround(v * 1e6);
  uint64_t mag = scaled < 0 ? static_cast<uint64_t>(-scaled) : static_cast<uint64_t>(scaled);
  if (scaled < 0) *p++ = '-';
  p = AppendUnsigned(p, mag / 1000000);
  *p++ = '.';
  uint64_t frac = mag % 1000000;
  for (int i = 5; i >= 0; --i) {
    p[i] = static_cast<char>('0' + frac % 10);
    frac /= 10;
  }
  return p + 6;
}

}  // namespace

Result<int64_t> WriteSensorCsv(const std::string& path, const SensorCsvOptions& options) {
  if (options.rows < 0) return Status::InvalidArgument("sensor CSV: rows must be >= 0");
  sensors::ImuSimOptions sim_options;
  sim_options.rows = options.rows;
  sim_options.sensors = options.sensors;
  sim_options.seed = options.seed;
  sim_options.rate_hz = options.rate_hz;
  RETURN_NOT_OK(sensors::ImuSimulator::Validate(sim_options));
  sensors::ImuSimulator sim(sim_options);

  ASSIGN_OR_RETURN(auto file, AtomicFile::Open(path));
  RETURN_NOT_OK(file->Write(std::string_view("timestamp_ns,sensor_id,ax,ay,az,gx,gy,gz\n")));
  constexpr int kFloatColumns[] = {sensors::kImuAx, sensors::kImuAy, sensors::kImuAz,
                                   sensors::kImuGx, sensors::kImuGy, sensors::kImuGz};
  std::vector<char> buf;
  while (true) {
    ASSIGN_OR_RETURN(auto batch, sim.Next());
    if (!batch) break;
    const int64_t n = batch->num_rows();
    const Column& ts = batch->column(sensors::kImuTimestamp);
    const Column& ids = batch->column(sensors::kImuSensorId);
    const float* values[6];
    for (int c = 0; c < 6; ++c) values[c] = batch->column(kFloatColumns[c]).values<float>();
    // Upper bound per row: 20 (int64) + id + 6 x (sign + 13 digits + '.' + 6) + 8 separators.
    size_t max_id = 0;
    for (int64_t row_idx = 0; row_idx < n; ++row_idx) max_id = std::max(max_id, ids.GetString(row_idx).size());
    buf.resize(static_cast<size_t>(n) * (20 + max_id + 6 * 21 + 8));
    char* p = buf.data();
    const int64_t* ts_values = ts.values<int64_t>();
    for (int64_t row_idx = 0; row_idx < n; ++row_idx) {
      const int64_t t = ts_values[row_idx];
      if (t < 0) *p++ = '-';
      p = AppendUnsigned(p, t < 0 ? static_cast<uint64_t>(-(t + 1)) + 1 : static_cast<uint64_t>(t));
      *p++ = ',';
      const std::string_view id = ids.GetString(row_idx);
      std::memcpy(p, id.data(), id.size());
      p += id.size();
      for (int c = 0; c < 6; ++c) {
        *p++ = ',';
        p = AppendFixed6(p, static_cast<double>(values[c][row_idx]));
      }
      *p++ = '\n';
    }
    RETURN_NOT_OK(file->Write(buf.data(), static_cast<size_t>(p - buf.data())));
  }
  const int64_t bytes = static_cast<int64_t>(file->position());
  RETURN_NOT_OK(file->Commit());
  return bytes;
}

}  // namespace edgepipe::bench
