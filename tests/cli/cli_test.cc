// Runs the real `edgepipe` binary: exit codes, messages, outputs, and that a
// failed command leaves no output file behind.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/cli_test_util.h"
#include "interop/peer_runner.h"

namespace edgepipe {
namespace {

namespace fs = std::filesystem;

using ::edgepipe::testing::CommandResult;
using ::edgepipe::testing::Slurp;
using CliTest = ::edgepipe::testing::CliFixture;

TEST_F(CliTest, HelpListsCommands) {
  CommandResult r = Run("--help");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* cmd : {"gen", "convert", "inspect", "agg"}) EXPECT_NE(r.out.find(cmd), std::string::npos) << cmd;
  EXPECT_EQ(Run("convert --help").exit_code, 0);
}

TEST_F(CliTest, UsageErrorsExitTwo) {
  EXPECT_EQ(Run("").exit_code, 2);
  EXPECT_EQ(Run("convert").exit_code, 2);  // missing positionals
  EXPECT_EQ(Run("frobnicate").exit_code, 2);
  CommandResult r = Run("gen imu --rows 10 --out x.parquet --compression brotli9");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown compression"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(Path("x.parquet")));
}

// CSV has no float32: the sensor schema's float columns are given explicitly.
constexpr char kImuSchema[] = "--schema ax:float32,ay:float32,az:float32,gx:float32,gy:float32,gz:float32,temp_c:float32";

TEST_F(CliTest, GenConvertInspectAggEndToEnd) {
  ASSERT_EQ(Run("gen imu --rows 20000 --sensors 4 --seed 7 --out imu.csv").exit_code, 0);
  ASSERT_EQ(Run(std::string("convert imu.csv imu.parquet --compression zstd ") + kImuSchema).exit_code, 0);
  ASSERT_EQ(Run("gen imu --rows 20000 --sensors 4 --seed 7 --out direct.parquet").exit_code, 0);

  CommandResult inspect = Run("inspect imu.parquet");
  ASSERT_EQ(inspect.exit_code, 0) << inspect.err;
  EXPECT_NE(inspect.out.find("20000 rows"), std::string::npos) << inspect.out;
  EXPECT_NE(inspect.out.find("DELTA_BINARY_PACKED"), std::string::npos) << inspect.out;
  EXPECT_NE(inspect.out.find("imu-00"), std::string::npos);  // statistics

  // The same aggregation from CSV, from the converted Parquet and from the
  // directly generated Parquet must agree to the last digit (floats written
  // shortest-round-trip to CSV read back bit-exactly).
  CommandResult a = Run(std::string("agg imu.csv --by sensor_id --count --mean ax,gz --max temp_c ") + kImuSchema);
  CommandResult b = Run("agg imu.parquet --by sensor_id --count --mean ax,gz --max temp_c");
  CommandResult c = Run("agg direct.parquet --by sensor_id --count --mean ax,gz --max temp_c");
  ASSERT_EQ(a.exit_code, 0) << a.err;
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_EQ(a.out, b.out);
  EXPECT_EQ(b.out, c.out);
  EXPECT_NE(a.out.find("imu-03"), std::string::npos);
  EXPECT_NE(a.out.find("5000"), std::string::npos);  // 20000 rows / 4 sensors

  // Parquet -> CSV -> Parquet keeps every value.
  ASSERT_EQ(Run("convert imu.parquet back.csv").exit_code, 0);
  ASSERT_EQ(Run(std::string("convert back.csv back.parquet --compression snappy --page-v2 ") + kImuSchema).exit_code, 0);
  CommandResult d = Run("agg back.parquet --by sensor_id --count --mean ax,gz --max temp_c");
  EXPECT_EQ(d.out, b.out);

  ASSERT_EQ(Run("agg imu.parquet --by sensor_id --mean ax --out means.csv").exit_code, 0);
  const std::string means = Slurp(Path("means.csv"));
  EXPECT_EQ(means.substr(0, means.find('\n')), "sensor_id,ax_mean");
  EXPECT_EQ(std::count(means.begin(), means.end(), '\n'), 5);
}

TEST_F(CliTest, MissingInputNamesThePath) {
  CommandResult r = Run("convert nope.csv out.parquet");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("nope.csv"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(Path("out.parquet")));
}

TEST_F(CliTest, CorruptParquetFailsCleanlyAndWritesNothing) {
  ASSERT_EQ(Run("gen imu --rows 5000 --out good.parquet").exit_code, 0);
  const std::string good = Slurp(Path("good.parquet"));
  // Truncated: the footer is gone.
  std::ofstream(Path("cut.parquet"), std::ios::binary) << good.substr(0, good.size() / 2);
  CommandResult r = Run("convert cut.parquet out.csv");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("cut.parquet"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(Path("out.csv")));
  // Damaged page data in the middle of the file.
  std::string bad = good;
  for (size_t i = 200; i < 260; ++i) bad[i] = static_cast<char>(bad[i] ^ 0x5a);
  std::ofstream(Path("bad.parquet"), std::ios::binary) << bad;
  r = Run("convert bad.parquet out.csv");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_FALSE(fs::exists(Path("out.csv")));
  for (const auto& entry : fs::directory_iterator(dir_)) {
    EXPECT_EQ(entry.path().string().find(".tmp-"), std::string::npos) << entry.path();
  }
}

TEST_F(CliTest, MalformedCsvNamesTheLine) {
  std::ofstream(Path("bad.csv")) << "a,b\n1,2\n3,4\n5\n7,8\n";
  CommandResult r = Run("convert bad.csv out.parquet");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("bad.csv:4"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(Path("out.parquet")));
}

// models export (PyTorch) -> quantize -> inspect-model (text, --json,
// --optimized) -> run, as in the README.
TEST_F(CliTest, QuantizeAndInspectModel) {
  CommandResult r = Run("models export tinynet --out t.onnx");
  if (r.exit_code != 0) {
    if (::edgepipe::testing::PeersRequired()) FAIL() << "models export failed: " << r.err;
    GTEST_SKIP() << "models export needs PyTorch: " << r.err;
  }
  r = Run("quantize t.onnx --mode dynamic --out t8.onnx");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("quantized 2 layer(s) (dynamic INT8, per-channel s8 weights in [-63, 63])"), std::string::npos)
      << r.out;
  r = Run("quantize t.onnx --mode dynamic --full-range --out t8full.onnx");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("weights in [-127, 127]"), std::string::npos) << r.out;
  r = Run("inspect-model t8full.onnx");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("values in [-127, 127]"), std::string::npos) << r.out;

  r = Run("inspect-model t8.onnx");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* want : {"t8.onnx: graph", "13 nodes, 2 quantized layer(s)", "input f32 [?,128]",
                           "parameters: 9424 bytes", "s8           8832 bytes in 2 tensor(s)",
                           "s8 per-channel (axis 1): 64 scales in [", "s8 per-channel (axis 1): 10 scales in [",
                           "zero point 0 (omitted)", "values in [-63, 63]",
                           "u8 per-tensor, dynamic: scale and zero point computed from each batch",
                           "MatMulInteger, 8.0 KiB of parameters (quantized layer 0)", "s8 [128,64] const"}) {
    EXPECT_NE(r.out.find(want), std::string::npos) << "missing '" << want << "' in:\n" << r.out;
  }

  r = Run("inspect-model t8.onnx --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(j.is_discarded()) << r.out;
  EXPECT_EQ(j["path"], "t8.onnx");
  EXPECT_EQ(j["parameter_bytes"], 9424);
  EXPECT_EQ(j["parameters_by_dtype"][0]["dtype"], "s8");
  EXPECT_EQ(j["parameters_by_dtype"][0]["bytes"], 8832);
  EXPECT_EQ(j["nodes"].size(), 13u);
  EXPECT_EQ(j["nodes"][1]["op"], "MatMulInteger");
  EXPECT_EQ(j["nodes"][1]["inputs"][1]["shape"], nlohmann::json({128, 64}));
  EXPECT_EQ(j["inputs"][0]["shape"], nlohmann::json({-1, 128}));
  ASSERT_EQ(j["quantized_layers"].size(), 2u);
  const nlohmann::json& w = j["quantized_layers"][0]["weights"];
  EXPECT_EQ(w["dtype"], "s8");
  EXPECT_EQ(w["granularity"], "per-channel");
  EXPECT_EQ(w["axis"], 1);
  EXPECT_EQ(w["scales"]["count"], 64);
  EXPECT_GT(w["scales"]["min"].get<double>(), 0.0);
  EXPECT_LE(w["scales"]["min"].get<double>(), w["scales"]["max"].get<double>());
  EXPECT_TRUE(w["zero_point"].is_null());
  EXPECT_EQ(j["quantized_layers"][1]["weights"]["scales"]["count"], 10);
  const nlohmann::json& in = j["quantized_layers"][0]["input"];
  EXPECT_EQ(in["dtype"], "u8");
  EXPECT_EQ(in["dynamic"], true);
  EXPECT_EQ(in["granularity"], "per-tensor");
  EXPECT_EQ(in["tensor"], "input");

  r = Run("inspect-model t8.onnx --optimized");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("EpDynamicQuantMatMul+Relu"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("2 nodes, 2 quantized layer(s)"), std::string::npos) << r.out;

  r = Run("inspect-model t.onnx");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("0 quantized layer(s)"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("quantized layers:"), std::string::npos) << r.out;

  r = Run("run t8.onnx --random-input --seed 1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("output f32 [1,10]"), std::string::npos) << r.out;

  r = Run("inspect-model missing.onnx");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("missing.onnx"), std::string::npos) << r.err;
  const std::string bytes = Slurp(Path("t8.onnx"));
  std::ofstream(Path("cut.onnx"), std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  r = Run("inspect-model cut.onnx");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("cut.onnx"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("truncated"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace edgepipe
