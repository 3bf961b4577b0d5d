#include "edgepipe/sensors/imu_simulator.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "edgepipe/core/parallel.h"
#include "edgepipe/sensors/imu_schema.h"
#include "sensors/counter_normal.h"

namespace edgepipe::sensors {
namespace {

Table Sim(ImuSimOptions o) {
  auto t = SimulateImu(o);
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.ok() ? *std::move(t) : Table();
}

TEST(ImuSchemaTest, ExactlyAsSpecified) {
  auto schema = ImuSchema();
  const std::vector<Field> expected = {
      {"timestamp", Type::kTimestamp, false}, {"sensor_id", Type::kString, true}, {"seq", Type::kInt64, true},
      {"ax", Type::kFloat32, true},           {"ay", Type::kFloat32, true},       {"az", Type::kFloat32, true},
      {"gx", Type::kFloat32, true},           {"gy", Type::kFloat32, true},       {"gz", Type::kFloat32, true},
      {"temp_c", Type::kFloat32, true},
  };
  EXPECT_EQ(schema->fields(), expected);
  EXPECT_EQ(schema->num_fields(), kImuNumColumns);
  EXPECT_EQ(schema->FieldIndex("temp_c"), kImuTempC);
  EXPECT_EQ(ImuSchema().get(), schema.get());
}

TEST(ImuSimulatorTest, ZeroRowsGivesEmptyTableWithSchema) {
  ImuSimOptions o;
  o.rows = 0;
  Table t = Sim(o);
  EXPECT_EQ(t.num_rows(), 0);
  EXPECT_TRUE(t.batches().empty());
  EXPECT_EQ(*t.schema(), *ImuSchema());
}

TEST(ImuSimulatorTest, InvalidOptions) {
  for (auto mutate : std::vector<void (*)(ImuSimOptions&)>{
           [](ImuSimOptions& o) { o.rows = -1; }, [](ImuSimOptions& o) { o.sensors = 0; },
           [](ImuSimOptions& o) { o.sensors = 1001; }, [](ImuSimOptions& o) { o.rate_hz = 0; },
           [](ImuSimOptions& o) { o.rate_hz = NAN; }, [](ImuSimOptions& o) { o.batch_rows = 0; },
           [](ImuSimOptions& o) { o.start_ns = INT64_MAX - 10; }}) {
    ImuSimOptions o;
    o.rows = 100;
    mutate(o);
    ImuSimulator sim(o);
    auto next = sim.Next();
    ASSERT_FALSE(next.ok());
    EXPECT_TRUE(next.status().IsInvalidArgument()) << next.status().ToString();
    EXPECT_TRUE(ImuSimulator::Validate(o).IsInvalidArgument());
  }
}

TEST(ImuSimulatorTest, BatchSizesSweep) {
  for (int64_t rows : {1, 7, 8, 31, 32, 127, 128, 129, 1023, 1024, 1025}) {
    for (int64_t batch : {1, 7, 64, 1000, 65536}) {
      ImuSimOptions o;
      o.rows = rows;
      o.batch_rows = batch;
      Table t = Sim(o);
      ASSERT_EQ(t.num_rows(), rows) << "rows=" << rows << " batch=" << batch;
      ASSERT_EQ(static_cast<int64_t>(t.batches().size()), (rows + batch - 1) / batch);
      for (const auto& b : t.batches()) EXPECT_LE(b.num_rows(), batch);
    }
  }
}

TEST(ImuSimulatorTest, DeterministicAcrossBatchRowsAndThreads) {
  ImuSimOptions o;
  o.rows = 25'000;
  o.sensors = 7;
  o.batch_rows = 65536;
  SetNumThreads(1);
  Table reference = Sim(o);
  for (int64_t batch : {1, 13, 1000, 4096, 20'000, 24'999}) {
    for (int threads : {1, 2}) {
      SetNumThreads(threads);
      o.batch_rows = batch;
      Table t = Sim(o);
      EXPECT_TRUE(t.Equals(reference)) << "batch_rows=" << batch << " threads=" << threads;
    }
  }
  SetNumThreads(0);
  // Random access gives the same rows as streaming.
  ImuSimulator sim(o);
  auto part = sim.Generate(12'345, 23'456);
  ASSERT_TRUE(part.ok());
  auto whole = reference.Concatenate();
  ASSERT_TRUE(whole.ok());
  RecordBatch expected = whole->Slice(12'345, 23'456 - 12'345);
  for (int c = 0; c < kImuNumColumns; ++c) EXPECT_TRUE(part->column(c).Equals(expected.column(c))) << c;
}

TEST(ImuSimulatorTest, DifferentSeedDifferentValues) {
  ImuSimOptions o;
  o.rows = 1000;
  Table a = Sim(o);
  o.seed = 43;
  Table b = Sim(o);
  EXPECT_FALSE(a.Equals(b));
  auto ba = a.Concatenate();
  auto bb = b.Concatenate();
  // Timestamps, ids and seq do not depend on the seed; every sensor reading does.
  for (int c : {kImuTimestamp, kImuSensorId, kImuSeq}) EXPECT_TRUE(ba->column(c).Equals(bb->column(c)));
  for (int c = kImuAx; c <= kImuTempC; ++c) {
    int same = 0;
    for (int64_t i = 0; i < 1000; ++i) same += ba->column(c).values<float>()[i] == bb->column(c).values<float>()[i];
    EXPECT_LT(same, 10) << "column " << c;
  }
}

TEST(ImuSimulatorTest, TimestampsIdsAndSeq) {
  for (double rate : {1000.0, 100.0, 3.0, 400.0}) {
    ImuSimOptions o;
    o.rows = 10'007;
    o.sensors = 10;
    o.rate_hz = rate;
    o.batch_rows = 999;
    ImuSimulator sim(o);
    const int64_t period = std::llround(1e9 / rate);
    EXPECT_EQ(sim.period_ns(), period);
    Table t = Sim(o);
    auto b = t.Concatenate();
    ASSERT_TRUE(b.ok());
    const int64_t* ts = b->column(kImuTimestamp).values<int64_t>();
    const int64_t* seq = b->column(kImuSeq).values<int64_t>();
    std::map<std::string, std::pair<int64_t, int64_t>> last;  // id -> (ts, seq)
    for (int64_t i = 0; i < t.num_rows(); ++i) {
      const std::string id(b->column(kImuSensorId).GetString(i));
      char expected_id[16];
      std::snprintf(expected_id, sizeof(expected_id), "imu-%02d", static_cast<int>(i % 10));
      ASSERT_EQ(id, expected_id) << i;
      if (i > 0) {
        ASSERT_GT(ts[i], ts[i - 1]) << "row " << i;  // globally increasing (period >= sensors)
      }
      auto it = last.find(id);
      if (it == last.end()) {
        EXPECT_EQ(seq[i], 0);
        EXPECT_EQ(ts[i], o.start_ns + sim.sensor_params(static_cast<int>(i)).phase_ns);
      } else {
        ASSERT_EQ(ts[i] - it->second.first, period) << "row " << i;
        ASSERT_EQ(seq[i], it->second.second + 1);
      }
      last[id] = {ts[i], seq[i]};
    }
    EXPECT_EQ(last.size(), 10u);
  }
}

TEST(ImuSimulatorTest, SensorIdWidthGrowsWithSensorCount) {
  ImuSimOptions o;
  o.rows = 300;
  o.sensors = 150;
  ImuSimulator sim(o);
  EXPECT_EQ(sim.sensor_params(0).id, "imu-000");
  EXPECT_EQ(sim.sensor_params(149).id, "imu-149");
  Table t = Sim(o);
  EXPECT_EQ(t.batches()[0].column(kImuSensorId).GetString(299), "imu-149");
}

TEST(ImuSimulatorTest, PhysicsIsPlausible) {
  ImuSimOptions o;
  o.rows = 200'000;
  o.sensors = 4;
  o.rate_hz = 500;
  Table t = Sim(o);
  ImuSimulator sim(o);
  auto b = t.Concatenate();
  ASSERT_TRUE(b.ok());
  const float* col[7];
  for (int c = 0; c < 7; ++c) col[c] = b->column(kImuAx + c).values<float>();
  for (int s = 0; s < o.sensors; ++s) {
    const ImuSensorParams& p = sim.sensor_params(s);
    double mag_sum = 0, gyro_sum[3] = {0, 0, 0}, temp_min = 1e9, temp_max = -1e9;
    double short_mean[3] = {0, 0, 0};
    int64_t n = 0, dominant = 0;
    for (int64_t i = s; i < t.num_rows(); i += o.sensors, ++n) {
      const double a[3] = {col[0][i], col[1][i], col[2][i]};
      mag_sum += std::sqrt(a[0] * a[0] + a[1] * a[1] + a[2] * a[2]);
      for (int k = 0; k < 3; ++k) gyro_sum[k] += col[3 + k][i];
      if (n < 100) {
        for (int k = 0; k < 3; ++k) short_mean[k] += a[k] / 100;
      }
      // The mounting axis carries most of gravity.
      double m = 0;
      int arg = 0;
      for (int k = 0; k < 3; ++k)
        if (std::abs(a[k]) > m) m = std::abs(a[k]), arg = k;
      dominant += std::abs(a[arg]) > 0.75 * kStandardGravity;
      temp_min = std::min<double>(temp_min, col[6][i]);
      temp_max = std::max<double>(temp_max, col[6][i]);
    }
    EXPECT_NEAR(mag_sum / n, kStandardGravity, 0.01 * kStandardGravity) << "sensor " << s;
    // Over the first 0.2 s the sensor barely turns: the mean vector is gravity.
    const double short_norm =
        std::sqrt(short_mean[0] * short_mean[0] + short_mean[1] * short_mean[1] + short_mean[2] * short_mean[2]);
    EXPECT_NEAR(short_norm, kStandardGravity, 0.01 * kStandardGravity);
    EXPECT_GT(dominant, n * 9 / 10);
    for (int k = 0; k < 3; ++k) {
      const double expected = p.rotation_rate * p.rotation_axis[k] + p.gyro_bias[k];
      // Noise 0.001 rad/s over 50k samples: std of the mean 4.5e-6.
      EXPECT_NEAR(gyro_sum[k] / n, expected, 3e-5) << "sensor " << s << " axis " << k;
    }
    const double rate_dps = std::abs(p.rotation_rate) * 180 / M_PI;
    EXPECT_GE(rate_dps, 2.0);
    EXPECT_LE(rate_dps, 6.0);
    EXPECT_GE(temp_min, 25.0);
    EXPECT_LE(temp_max, 35.0);
    EXPECT_LT(temp_max - temp_min, 6.0);
  }
}

TEST(ImuSimulatorTest, NoiseIsGaussian) {
  // The counter-based ziggurat: moments and tail mass of a standard normal.
  const int n = 2'000'000;
  double sum = 0, sum2 = 0, sum4 = 0;
  int beyond2 = 0, beyond3 = 0;
  for (int i = 0; i < n; ++i) {
    const double x = NormalFromBits(CounterRandom(12345, static_cast<uint64_t>(i)));
    sum += x;
    sum2 += x * x;
    sum4 += x * x * x * x;
    beyond2 += std::abs(x) > 2;
    beyond3 += std::abs(x) > 3;
  }
  EXPECT_NEAR(sum / n, 0.0, 0.005);
  EXPECT_NEAR(sum2 / n, 1.0, 0.005);
  EXPECT_NEAR(sum4 / n, 3.0, 0.03);
  EXPECT_NEAR(static_cast<double>(beyond2) / n, 0.0455, 0.001);
  EXPECT_NEAR(static_cast<double>(beyond3) / n, 0.0027, 0.0002);
}

// Speed is measured in bench/compute/imu_simulator_benchmark.cc, not here.
TEST(ImuSimulatorTest, OneMillionRowsInBatches) {
  ImuSimOptions o;
  o.rows = 1'000'000;
  Table t = Sim(o);
  ASSERT_EQ(t.num_rows(), o.rows);
  EXPECT_EQ(t.batches().size(), static_cast<size_t>((o.rows + o.batch_rows - 1) / o.batch_rows));
}

}  // namespace
}  // namespace edgepipe::sensors
