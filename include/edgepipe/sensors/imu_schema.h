#pragma once
// The canonical sensor-log schema (see docs/sensor_schema.md): one row per
// IMU sample. Units: timestamp ns since the Unix epoch (UTC), accelerometer
// m/s² (specific force, so a resting sensor reads +9.80665 upwards), gyro
// rad/s (right-handed, body frame), temperature °C.

#include <memory>

#include "edgepipe/core/type.h"

namespace edgepipe::sensors {

// Column indices of ImuSchema(), for readers that fill batches directly.
enum ImuColumn : int {
  kImuTimestamp = 0,
  kImuSensorId,
  kImuSeq,
  kImuAx,
  kImuAy,
  kImuAz,
  kImuGx,
  kImuGy,
  kImuGz,
  kImuTempC,
  kImuNumColumns,
};

// timestamp (timestamp[ns, UTC], not null), sensor_id (string), seq (int64),
// ax ay az (float32, m/s²), gx gy gz (float32, rad/s), temp_c (float32).
// The same shared instance on every call.
std::shared_ptr<const Schema> ImuSchema();

}  // namespace edgepipe::sensors
