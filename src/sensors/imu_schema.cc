#include "edgepipe/sensors/imu_schema.h"

namespace edgepipe::sensors {

std::shared_ptr<const Schema> ImuSchema() {
  static const std::shared_ptr<const Schema> schema = std::make_shared<const Schema>(std::vector<Field>{
      {"timestamp", Type::kTimestamp, false},
      {"sensor_id", Type::kString, true},
      {"seq", Type::kInt64, true},
      {"ax", Type::kFloat32, true},
      {"ay", Type::kFloat32, true},
      {"az", Type::kFloat32, true},
      {"gx", Type::kFloat32, true},
      {"gy", Type::kFloat32, true},
      {"gz", Type::kFloat32, true},
      {"temp_c", Type::kFloat32, true},
  });
  return schema;
}

}  // namespace edgepipe::sensors
