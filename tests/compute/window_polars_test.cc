// Differential test: GroupByWindow against Polars' group_by_dynamic and
// RollingMean against Polars' rolling (nodejs-polars, run by Node from
// tests/compute/peers/window_polars.mjs) on a generated IMU table: 10
// sensors interleaved, 1 kHz each. Skipped without the peers unless
// EDGEPIPE_REQUIRE_PEERS is set (tests/interop/peer_runner.h).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <system_error>

#include <nlohmann/json.hpp>

#include "edgepipe/bench/sensor_csv.h"
#include "edgepipe/compute/window.h"
#include "edgepipe/csv/reader.h"
#include "interop/peer_runner.h"

namespace edgepipe::compute {
namespace {

std::string TempDir() {
  char tmpl[] = "/tmp/edgepipe_window_XXXXXX";
  const char* dir = mkdtemp(tmpl);
  return dir ? dir : "/tmp";
}

Result<nlohmann::json> RunPolars(const std::string& csv, const std::string& every, const std::string& offset,
                                 const std::string& period) {
  ASSIGN_OR_RETURN(std::string text,
                   testing::RunProcess({testing::NodeBinary(),
                                        testing::SourceDir() + "/tests/compute/peers/window_polars.mjs", csv,
                                        "timestamp_ns", "sensor_id", every, offset, period}));
  auto doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded()) return Status::Corruption("window_polars.mjs printed no JSON");
  return doc;
}

void ExpectClose(double got, double want, const std::string& where) {
  EXPECT_NEAR(got, want, 1e-9 * (1 + std::fabs(want))) << where;
}

TEST(WindowPolars, TumblingAndRollingOnImuTable) {
  EDGEPIPE_SKIP_WITHOUT_PEERS();
  const std::string dir = TempDir();
  const std::string csv = dir + "/imu.csv";
  bench::SensorCsvOptions gen;
  gen.rows = 20000;  // 2 s per sensor at 1 kHz
  ASSERT_TRUE(bench::WriteSensorCsv(csv, gen).ok());
  auto table = csv::ReadCsv(csv);
  ASSERT_TRUE(table.ok()) << table.status().ToString();

  struct Case {
    const char* every;
    const char* offset;
    const char* period;
  };
  for (const Case& c : {Case{"100ms", "0ns", "5ms"}, Case{"30ms", "7ms", "100ms"}, Case{"1s", "-250ms", "1ms"}}) {
    SCOPED_TRACE(std::string("every ") + c.every + " offset " + c.offset + " period " + c.period);
    auto polars = RunPolars(csv, c.every, c.offset, c.period);
    ASSERT_TRUE(polars.ok()) << polars.status().ToString();

    WindowOptions w;
    w.time_column = "timestamp_ns";
    w.every_ns = *ParseDuration(c.every);
    w.offset_ns = *ParseDuration(c.offset);
    w.by = {"sensor_id"};
    auto windows = GroupByWindow(*table, w,
                                 {{AggKind::kMean, "ax", ""}, {AggKind::kMax, "gz", ""}, {AggKind::kCount, "", ""}});
    ASSERT_TRUE(windows.ok()) << windows.status().ToString();
    std::map<std::pair<std::string, int64_t>, std::tuple<double, double, int64_t>> ours;
    auto wb = *windows->Concatenate();
    for (int64_t r = 0; r < wb.num_rows(); ++r) {
      ours[{std::string(wb.column(1).GetString(r)), wb.column(0).values<int64_t>()[r]}] = {
          wb.column(2).values<double>()[r], wb.column(3).values<double>()[r], wb.column(4).values<int64_t>()[r]};
    }
    const auto& pw = (*polars)["windows"];
    ASSERT_EQ(pw.size(), ours.size());
    for (const auto& row : pw) {
      const std::pair<std::string, int64_t> key{row[0].get<std::string>(), std::stoll(row[1].get<std::string>())};
      auto it = ours.find(key);
      ASSERT_NE(it, ours.end()) << "Polars window " << key.first << " @ " << key.second << " missing in ours";
      const std::string where = key.first + " @ " + std::to_string(key.second);
      ExpectClose(std::get<0>(it->second), row[2].get<double>(), where + " mean");
      EXPECT_EQ(std::get<1>(it->second), row[3].get<double>()) << where << " max";
      EXPECT_EQ(std::get<2>(it->second), row[4].get<int64_t>()) << where << " count";
    }

    RollingOptions ro;
    ro.time_column = "timestamp_ns";
    ro.period_ns = *ParseDuration(c.period);
    ro.by = {"sensor_id"};
    auto rolling = RollingMean(*table, ro, {"ax"});
    ASSERT_TRUE(rolling.ok()) << rolling.status().ToString();
    std::map<std::pair<std::string, int64_t>, double> rmap;
    auto rb = *rolling->Concatenate();
    for (int64_t r = 0; r < rb.num_rows(); ++r) {
      rmap[{std::string(rb.column(1).GetString(r)), rb.column(0).values<int64_t>()[r]}] = rb.column(2).values<double>()[r];
    }
    const auto& pr = (*polars)["rolling"];
    ASSERT_EQ(pr.size(), static_cast<size_t>(table->num_rows()));
    for (const auto& row : pr) {
      const std::pair<std::string, int64_t> key{row[0].get<std::string>(), std::stoll(row[1].get<std::string>())};
      auto it = rmap.find(key);
      ASSERT_NE(it, rmap.end());
      ExpectClose(it->second, row[2].get<double>(), key.first + " @ " + std::to_string(key.second));
    }
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  EXPECT_FALSE(ec) << dir << ": " << ec.message();
}

}  // namespace
}  // namespace edgepipe::compute
