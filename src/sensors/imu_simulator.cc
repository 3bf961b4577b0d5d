#include "edgepipe/sensors/imu_simulator.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numbers>

#include "edgepipe/core/parallel.h"
#include "edgepipe/sensors/imu_schema.h"
#include "sensors/counter_normal.h"

namespace edgepipe::sensors {
namespace {

// Attitude and temperature phases are evaluated exactly (sin/cos) once per
// block of kBlock samples of a sensor and by angle addition with a per-sensor
// table inside the block: no accumulated drift, no per-sample sin/cos.
constexpr int kBlockBits = 7;
constexpr int kBlock = 1 << kBlockBits;
constexpr int kMaxSensors = 1000;
// Noise channels per sample in the counter space: ax ay az gx gy gz temp (+1 spare).
constexpr uint64_t kChannels = 8;
constexpr double kTempNoise = 0.02;  // °C

void Normalize(double v[3]) {
  const double n = std::sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
  for (int i = 0; i < 3; ++i) v[i] /= n;
}

void Cross(const double a[3], const double b[3], double out[3]) {
  out[0] = a[1] * b[2] - a[2] * b[1];
  out[1] = a[2] * b[0] - a[0] * b[2];
  out[2] = a[0] * b[1] - a[1] * b[0];
}

// Rodrigues: v rotated by `angle` about unit `axis`.
void Rotate(const double v[3], const double axis[3], double angle, double out[3]) {
  double cr[3];
  Cross(axis, v, cr);
  const double d = axis[0] * v[0] + axis[1] * v[1] + axis[2] * v[2];
  const double c = std::cos(angle), s = std::sin(angle);
  for (int i = 0; i < 3; ++i) out[i] = v[i] * c + cr[i] * s + axis[i] * d * (1 - c);
}

}  // namespace

struct ImuSimulator::SensorTables {
  // Gravity in the body frame at rotation angle θ: p + a cos θ - b sin θ.
  double p[3], a[3], b[3];
  double gyro[3];         // rotation rate vector + bias, rad/s
  double bias[3];         // accel bias
  double theta0, dtheta;  // rotation angle at k = 0 and per sample
  double psi0, dpsi;      // temperature phase at k = 0 and per sample
  double cos_theta[kBlock], sin_theta[kBlock];
  double cos_psi[kBlock], sin_psi[kBlock];
  uint64_t noise_key;
};

Status ImuSimulator::Validate(const ImuSimOptions& o) {
  if (o.rows < 0) return Status::InvalidArgument("imu simulator: rows must be >= 0, got " + std::to_string(o.rows));
  if (o.sensors < 1 || o.sensors > kMaxSensors) {
    return Status::InvalidArgument("imu simulator: sensors must be in [1, " + std::to_string(kMaxSensors) + "], got " +
                                   std::to_string(o.sensors));
  }
  if (!(o.rate_hz > 0 && o.rate_hz <= 1e9)) {
    return Status::InvalidArgument("imu simulator: rate_hz must be in (0, 1e9], got " + std::to_string(o.rate_hz));
  }
  if (o.batch_rows < 1) {
    return Status::InvalidArgument("imu simulator: batch_rows must be >= 1, got " + std::to_string(o.batch_rows));
  }
  const double period = std::round(1e9 / o.rate_hz);
  const double last = static_cast<double>(o.start_ns) + period * static_cast<double>(o.rows / o.sensors + 1);
  if (last >= 9.2e18 || static_cast<double>(o.start_ns) < -9.2e18) {
    return Status::InvalidArgument("imu simulator: timestamps would overflow int64 ns");
  }
  return Status::OK();
}

ImuSimulator::ImuSimulator(ImuSimOptions options)
    : options_(options), init_status_(Validate(options)), schema_(ImuSchema()) {
  if (!init_status_.ok()) return;
  period_ns_ = std::max<int64_t>(1, std::llround(1e9 / options_.rate_hz));
  const int sensors = options_.sensors;
  int digits = 2;
  for (int n = sensors - 1; n >= 100; n /= 10) ++digits;
  id_width_ = 4 + digits;
  params_.resize(sensors);
  tables_.resize(sensors);
  const double dt = static_cast<double>(period_ns_) * 1e-9;
  const uint64_t root = Mix64(options_.seed ^ 0x696D752D73696DULL);  // "imu-sim"
  for (int s = 0; s < sensors; ++s) {
    ImuSensorParams& p = params_[s];
    SensorTables& t = tables_[s];
    // Sensor constants come from their own counter stream, so adding sensors
    // does not change the existing ones.
    const uint64_t param_key = CounterRandom(root, 2 * static_cast<uint64_t>(s));
    t.noise_key = CounterRandom(root, 2 * static_cast<uint64_t>(s) + 1);
    uint64_t n = 0;
    auto uniform = [&](double lo, double hi) { return lo + (hi - lo) * ToUnitOpen(CounterRandom(param_key, n++)); };
    auto unit_vector = [&](double v[3]) {
      for (int i = 0; i < 3; ++i) v[i] = NormalFromBits(CounterRandom(param_key, n++));
      Normalize(v);
    };
    char id[32];
    std::snprintf(id, sizeof(id), "imu-%0*d", digits & 7, s & 0xFFFFF);
    p.id = id;
    p.phase_ns = static_cast<int64_t>(s) * period_ns_ / sensors;

    // Mounting: one board axis (±) points up, tilted by up to 5°.
    double up[3] = {0, 0, 0};
    const int up_axis = std::min(2, static_cast<int>(uniform(0, 3)));
    up[up_axis] = uniform(0, 1) < 0.5 ? -kStandardGravity : kStandardGravity;
    double tilt_axis[3];
    unit_vector(tilt_axis);
    Rotate(up, tilt_axis, uniform(0, 5) * std::numbers::pi / 180, p.gravity_body);

    // Slow rotation within 15° of the vertical (a turning vehicle or a
    // wobbling mast): gravity stays mostly on the mounting axis.
    double wobble[3];
    unit_vector(wobble);
    for (int i = 0; i < 3; ++i) p.rotation_axis[i] = p.gravity_body[i] / kStandardGravity + 0.25 * wobble[i];
    Normalize(p.rotation_axis);
    p.rotation_rate = uniform(2, 6) * std::numbers::pi / 180 * (uniform(0, 1) < 0.5 ? -1 : 1);
    for (int i = 0; i < 3; ++i) p.accel_bias[i] = uniform(-0.05, 0.05);
    for (int i = 0; i < 3; ++i) p.gyro_bias[i] = uniform(-0.005, 0.005);
    p.accel_noise = 0.02;
    p.gyro_noise = 0.001;
    p.temp_base_c = uniform(28, 32);
    p.temp_amplitude_c = uniform(0.5, 2.5);
    p.temp_period_s = uniform(300, 900);
    p.temp_phase = uniform(0, 2 * std::numbers::pi);

    const double* u = p.rotation_axis;
    const double* v0 = p.gravity_body;
    const double ud = u[0] * v0[0] + u[1] * v0[1] + u[2] * v0[2];
    Cross(u, v0, t.b);
    for (int i = 0; i < 3; ++i) {
      t.p[i] = u[i] * ud;
      t.a[i] = v0[i] - t.p[i];
      t.gyro[i] = p.rotation_rate * u[i] + p.gyro_bias[i];
      t.bias[i] = p.accel_bias[i];
    }
    const double phase_s = static_cast<double>(p.phase_ns) * 1e-9;
    t.theta0 = p.rotation_rate * phase_s;
    t.dtheta = p.rotation_rate * dt;
    const double omega_t = 2 * std::numbers::pi / p.temp_period_s;
    t.psi0 = p.temp_phase + omega_t * phase_s;
    t.dpsi = omega_t * dt;
    for (int j = 0; j < kBlock; ++j) {
      t.cos_theta[j] = std::cos(j * t.dtheta);
      t.sin_theta[j] = std::sin(j * t.dtheta);
      t.cos_psi[j] = std::cos(j * t.dpsi);
      t.sin_psi[j] = std::sin(j * t.dpsi);
    }
  }
}

ImuSimulator::~ImuSimulator() = default;

void ImuSimulator::GenerateRange(int64_t begin, int64_t end, int64_t out_offset, int64_t* ts, int64_t* seq,
                                 float* out[7], int32_t* id_offsets, uint8_t* id_bytes) const {
  const int sensors = options_.sensors;
  struct Anchor {
    int64_t block = -1;
    double ct, st, cp, sp;
  };
  std::vector<Anchor> anchors(static_cast<size_t>(sensors));
  int64_t k = begin / sensors;
  int s = static_cast<int>(begin % sensors);
  const size_t width = static_cast<size_t>(id_width_);
  for (int64_t r = begin; r < end; ++r) {
    const SensorTables& t = tables_[s];
    const ImuSensorParams& p = params_[s];
    const int64_t block = k >> kBlockBits;
    const int j = static_cast<int>(k & (kBlock - 1));
    Anchor& an = anchors[s];
    if (an.block != block) {
      const double base = static_cast<double>(block << kBlockBits);
      const double theta = t.theta0 + base * t.dtheta;
      const double psi = t.psi0 + base * t.dpsi;
      an.block = block;
      an.ct = std::cos(theta);
      an.st = std::sin(theta);
      an.cp = std::cos(psi);
      an.sp = std::sin(psi);
    }
    const double c = an.ct * t.cos_theta[j] - an.st * t.sin_theta[j];
    const double sn = an.st * t.cos_theta[j] + an.ct * t.sin_theta[j];
    const double sin_psi = an.sp * t.cos_psi[j] + an.cp * t.sin_psi[j];
    const uint64_t n = static_cast<uint64_t>(k) * kChannels;
    const uint64_t key = t.noise_key;
    const int64_t i = r - out_offset;
    for (int axis = 0; axis < 3; ++axis) {
      const double g = t.p[axis] + t.a[axis] * c - t.b[axis] * sn + t.bias[axis];
      out[axis][i] = static_cast<float>(g + p.accel_noise * NormalFromBits(CounterRandom(key, n + axis)));
      out[3 + axis][i] =
          static_cast<float>(t.gyro[axis] + p.gyro_noise * NormalFromBits(CounterRandom(key, n + 3 + axis)));
    }
    out[6][i] = static_cast<float>(p.temp_base_c + p.temp_amplitude_c * sin_psi +
                                   kTempNoise * NormalFromBits(CounterRandom(key, n + 6)));
    ts[i] = options_.start_ns + k * period_ns_ + p.phase_ns;
    seq[i] = k;
    id_offsets[i + 1] = static_cast<int32_t>(static_cast<size_t>(i + 1) * width);
    uint8_t* id_out = id_bytes + static_cast<size_t>(i) * width;
    // Constant-size copies inline to one or two moves; a runtime-size
    // memcpy is a call per row.
    switch (width) {
      case 6:
        std::memcpy(id_out, p.id.data(), 6);
        break;
      case 7:
        std::memcpy(id_out, p.id.data(), 7);
        break;
      default:
        std::memcpy(id_out, p.id.data(), width);
        break;
    }
    if (++s == sensors) {
      s = 0;
      ++k;
    }
  }
}

Result<RecordBatch> ImuSimulator::Generate(int64_t begin, int64_t end) const {
  RETURN_NOT_OK(init_status_);
  begin = std::clamp<int64_t>(begin, 0, options_.rows);
  end = std::clamp<int64_t>(end, begin, options_.rows);
  const int64_t n = end - begin;
  const size_t rows = static_cast<size_t>(n);
  if (n * id_width_ > INT32_MAX) {
    return Status::InvalidArgument("imu simulator: a batch of " + std::to_string(n) +
                                   " rows exceeds the 2 GiB string column limit; lower batch_rows");
  }
  ASSIGN_OR_RETURN(auto ts_buf, Buffer::Allocate(rows * 8));
  ASSIGN_OR_RETURN(auto seq_buf, Buffer::Allocate(rows * 8));
  ASSIGN_OR_RETURN(auto off_buf, Buffer::Allocate((rows + 1) * 4));
  ASSIGN_OR_RETURN(auto id_buf, Buffer::Allocate(rows * static_cast<size_t>(id_width_)));
  std::shared_ptr<Buffer> float_bufs[7];
  float* out[7];
  for (int c = 0; c < 7; ++c) {
    ASSIGN_OR_RETURN(float_bufs[c], Buffer::Allocate(rows * 4));
    out[c] = float_bufs[c]->mutable_data_as<float>();
  }
  int64_t* ts = ts_buf->mutable_data_as<int64_t>();
  int64_t* seq = seq_buf->mutable_data_as<int64_t>();
  int32_t* offsets = off_buf->mutable_data_as<int32_t>();
  uint8_t* ids = id_buf->mutable_data();
  offsets[0] = 0;
  // Contiguous row ranges, 16-row aligned so threads never share a cache
  // line of a float column.
  constexpr int64_t kMinRowsPerTask = 8192;
  const int64_t tasks = std::max<int64_t>(1, std::min<int64_t>(GetNumThreads(), n / kMinRowsPerTask));
  const int64_t per_task = (n / tasks + 15) & ~int64_t{15};
  ParallelFor(tasks, [&](int64_t task) {
    const int64_t lo = std::min(n, task * per_task);
    const int64_t hi = task == tasks - 1 ? n : std::min(n, lo + per_task);
    float* outs[7];
    std::copy(out, out + 7, outs);
    GenerateRange(begin + lo, begin + hi, begin, ts, seq, outs, offsets, ids);
  });
  std::vector<Column> columns;
  columns.reserve(kImuNumColumns);
  columns.emplace_back(Type::kTimestamp, n, std::move(ts_buf));
  columns.push_back(Column::MakeString(n, std::move(off_buf), std::move(id_buf)));
  columns.emplace_back(Type::kInt64, n, std::move(seq_buf));
  for (int c = 0; c < 7; ++c) columns.emplace_back(Type::kFloat32, n, std::move(float_bufs[c]));
  return RecordBatch::Make(schema_, std::move(columns));
}

Result<std::optional<RecordBatch>> ImuSimulator::Next() {
  RETURN_NOT_OK(init_status_);
  if (next_row_ >= options_.rows) return std::optional<RecordBatch>();
  const int64_t end = next_row_ + std::min(options_.batch_rows, options_.rows - next_row_);
  ASSIGN_OR_RETURN(auto batch, Generate(next_row_, end));
  next_row_ = end;
  return std::optional<RecordBatch>(std::move(batch));
}

Result<Table> SimulateImu(const ImuSimOptions& options) {
  ImuSimulator sim(options);
  return ReadAll(&sim);
}

}  // namespace edgepipe::sensors
