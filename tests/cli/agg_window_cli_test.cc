// `edgepipe agg --every / --rolling` as a user runs it: output columns and
// values on a small hand-written CSV, exit code 2 and the message for bad
// durations, unsorted input and misuse of the flags.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/cli_test_util.h"

namespace edgepipe {
namespace {

namespace fs = std::filesystem;

using ::edgepipe::testing::CommandResult;
using ::edgepipe::testing::Slurp;

class AggWindowCliTest : public ::edgepipe::testing::CliFixture {
 protected:
  void SetUp() override {
    CliFixture::SetUp();
    if (HasFatalFailure()) return;
    // Two sensors; times in ns: a at 0, 0.4 s, 1.2 s; b at 0.5 s, 0.9 s.
    std::ofstream(dir_ / "imu.csv") << "timestamp_ns,sensor_id,ax\n"
                                       "0,a,1.0\n"
                                       "400000000,a,3\n"
                                       "500000000,b,10.0\n"
                                       "900000000,b,20\n"
                                       "1200000000,a,5.0\n";
    std::ofstream(dir_ / "unsorted.csv") << "timestamp_ns,ax\n2,1\n1,2\n";
  }
};

TEST_F(AggWindowCliTest, TumblingWindowsPerSensor) {
  CommandResult r = Run("agg imu.csv --every 1s --by sensor_id --mean ax --count -o w.csv");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Slurp(dir_ / "w.csv"),
            "window_start,sensor_id,count,ax_mean\n"
            "0,a,2,2.0\n"
            "0,b,2,15.0\n"
            "1000000000,a,1,5.0\n");
  // The offset shifts the windows: [-0.5 s, 0.5 s), [0.5 s, 1.5 s).
  r = Run("agg imu.csv --every 1s --offset 500ms --mean ax -o o.csv");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Slurp(dir_ / "o.csv"), "window_start,ax_mean\n-500000000,2.0\n500000000,11.666666666666666\n");
}

TEST_F(AggWindowCliTest, RollingMeanPerSensor) {
  CommandResult r = Run("agg imu.csv --rolling 500ms --by sensor_id --mean ax -o r.csv");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // a: 0 -> {1}; 0.4 -> {1,3}; 1.2 -> {5}.  b: 0.5 -> {10}; 0.9 -> {10,20}.
  EXPECT_EQ(Slurp(dir_ / "r.csv"),
            "timestamp_ns,sensor_id,ax_rolling_mean\n"
            "0,a,1.0\n"
            "400000000,a,2.0\n"
            "500000000,b,10.0\n"
            "900000000,b,15.0\n"
            "1200000000,a,5.0\n");
}

TEST_F(AggWindowCliTest, Errors) {
  CommandResult r = Run("agg imu.csv --every 1x --mean ax");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("invalid duration '1x'"), std::string::npos) << r.err;
  r = Run("agg imu.csv --every 1s --rolling 1s --mean ax");
  EXPECT_EQ(r.exit_code, 2);
  r = Run("agg imu.csv --rolling 1s --max ax");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--mean"), std::string::npos) << r.err;
  r = Run("agg unsorted.csv --rolling 1s --mean ax");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("sorted"), std::string::npos) << r.err;
  r = Run("agg imu.csv --every 1s --time-column nope --mean ax");
  EXPECT_EQ(r.exit_code, 1);  // NotFound: a runtime failure, naming the column
  EXPECT_NE(r.err.find("nope"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace edgepipe
