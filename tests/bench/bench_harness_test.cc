// Unit tests of the benchmark harness: samples, Measure, the Markdown
// table, PeerRunner's outcomes and the generated sensor CSV.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "edgepipe/bench/bench_report.h"
#include "edgepipe/bench/machine_info.h"
#include "edgepipe/bench/measure.h"
#include "edgepipe/bench/peer_runner.h"
#include "edgepipe/bench/sensor_csv.h"

namespace edgepipe::bench {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "edgepipe-bench-test-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// ------------------------------------------------------------- samples

TEST(SamplesTest, Empty) {
  Samples s = SamplesFromSeconds({});
  EXPECT_TRUE(s.empty());
  EXPECT_EQ(s.median, 0);
}

TEST(SamplesTest, OddCountMedianIsMiddle) {
  Samples s = SamplesFromSeconds({0.5, 0.1, 0.3, 0.2, 0.4});
  EXPECT_DOUBLE_EQ(s.median, 0.3);
  EXPECT_DOUBLE_EQ(s.min, 0.1);
  EXPECT_DOUBLE_EQ(s.p90, 0.5);
  // Samples stay in run order.
  ASSERT_EQ(s.all.size(), 5u);
  EXPECT_DOUBLE_EQ(s.all[0], 0.5);
}

TEST(SamplesTest, EvenCountMedianIsMeanOfMiddleTwo) {
  Samples s = SamplesFromSeconds({4, 1, 3, 2});
  EXPECT_DOUBLE_EQ(s.median, 2.5);
}

TEST(SamplesTest, P90NearestRank) {
  std::vector<double> v;
  for (int i = 1; i <= 10; ++i) v.push_back(i);
  EXPECT_DOUBLE_EQ(SamplesFromSeconds(v).p90, 9);
  v.push_back(11);
  EXPECT_DOUBLE_EQ(SamplesFromSeconds(v).p90, 10);  // ceil(0.9 * 11) = 10th value
  EXPECT_DOUBLE_EQ(SamplesFromSeconds({7}).p90, 7);
}

TEST(MeasureTest, RunsWarmupPlusRunsAndReleasesEveryRun) {
  for (int warmup : {0, 1, 3}) {
    for (int runs : {1, 2, 5}) {
      int calls = 0, afters = 0, progress_calls = 0;
      MeasureOptions options;
      options.warmup = warmup;
      options.runs = runs;
      options.progress = [&](int done, int total) {
        ++progress_calls;
        EXPECT_EQ(done, progress_calls);
        EXPECT_EQ(total, runs);
      };
      auto samples = Measure(
          [&] {
            ++calls;
            return Status::OK();
          },
          options, [&] { ++afters; });
      ASSERT_TRUE(samples.ok());
      EXPECT_EQ(calls, warmup + runs);
      EXPECT_EQ(afters, warmup + runs);
      EXPECT_EQ(progress_calls, runs);
      EXPECT_EQ(static_cast<int>(samples->all.size()), runs);
      for (double s : samples->all) EXPECT_GE(s, 0);
    }
  }
}

TEST(MeasureTest, TimesTheWork) {
  MeasureOptions options;
  options.warmup = 0;
  options.runs = 3;
  auto samples = Measure(
      [] {
        ::usleep(20000);
        return Status::OK();
      },
      options);
  ASSERT_TRUE(samples.ok());
  EXPECT_GE(samples->min, 0.019);
  EXPECT_LT(samples->median, 1.0);
}

TEST(MeasureTest, PropagatesTheFirstError) {
  int calls = 0;
  auto samples = Measure(
      [&] {
        ++calls;
        return calls == 2 ? Status::Corruption("bad") : Status::OK();
      },
      MeasureOptions{});
  ASSERT_FALSE(samples.ok());
  EXPECT_TRUE(samples.status().IsCorruption());
  EXPECT_EQ(calls, 2);
}

TEST(MeasureTest, RejectsBadOptions) {
  MeasureOptions options;
  options.runs = 0;
  EXPECT_TRUE(Measure([] { return Status::OK(); }, options).status().IsInvalidArgument());
  options.runs = 1;
  options.warmup = -1;
  EXPECT_TRUE(Measure([] { return Status::OK(); }, options).status().IsInvalidArgument());
}

// -------------------------------------------------------------- report

TEST(ReportTest, FormatSecondsKeepsThreeSignificantDigits) {
  EXPECT_EQ(FormatSeconds(0.108), "0.108");
  EXPECT_EQ(FormatSeconds(0.0136), "0.0136");
  EXPECT_EQ(FormatSeconds(0.00012345), "0.000123");
  EXPECT_EQ(FormatSeconds(1.254), "1.25");
  EXPECT_EQ(FormatSeconds(12.34), "12.3");
  EXPECT_EQ(FormatSeconds(0), "0");
}

BenchReport TwoRowReport() {
  BenchReport r;
  r.title = "t";
  for (const auto& [id, label] : {std::pair{"edgepipe", "edgepipe"}, {"polars", "Polars"}, {"duckdb", "DuckDB"}}) {
    EngineInfo e;
    e.id = id;
    e.label = label;
    r.engines.push_back(e);
  }
  OperationRow& read = r.AddRow("csv_read", "CSV read", false);
  read.cells[0] = {CellStatus::kOk, SamplesFromSeconds({0.05}), std::nullopt, ""};
  read.cells[1] = {CellStatus::kOk, SamplesFromSeconds({0.10}), std::nullopt, ""};
  read.cells[2] = {CellStatus::kNotInstalled, {}, std::nullopt, "node missing"};
  OperationRow& write = r.AddRow("parquet_write_zstd", "Parquet write zstd", true);
  write.cells[0] = {CellStatus::kOk, SamplesFromSeconds({0.30}), int64_t{40000000}, ""};
  write.cells[1] = {CellStatus::kOk, SamplesFromSeconds({0.40}), int64_t{38000000}, ""};
  write.cells[2] = {CellStatus::kOk, SamplesFromSeconds({0.20}), int64_t{37800000}, ""};
  return r;
}

TEST(ReportTest, MarkdownShowsRatiosSizesAndMissingPeers) {
  const std::string table = RenderMarkdownTable(TwoRowReport());
  EXPECT_NE(table.find("| Operation (median s) | edgepipe | Polars | DuckDB |"), std::string::npos) << table;
  EXPECT_NE(table.find("| CSV read | 0.0500 | 0.100 | not installed | 2.00× faster |"), std::string::npos) << table;
  EXPECT_NE(table.find("0.300 (40.0 MB)"), std::string::npos) << table;
  EXPECT_NE(table.find("**1.50× slower**"), std::string::npos) << table;
  EXPECT_NE(table.find("**1.058× (larger)**"), std::string::npos) << table;
}

TEST(ReportTest, OwnVariantsAreNotPeers) {
  BenchReport r = TwoRowReport();
  r.engines[2].is_peer = false;  // say DuckDB were edgepipe's own FP32 column
  const std::string table = RenderMarkdownTable(r);
  // The write row's fastest is then Polars (0.40), not DuckDB (0.20).
  EXPECT_NE(table.find("1.33× faster"), std::string::npos) << table;
  EXPECT_EQ(table.find("**1.50× slower**"), std::string::npos) << table;
}

TEST(ReportTest, JsonHasOneEntryPerOperationAndEngine) {
  const nlohmann::json doc = ToJson(TwoRowReport());
  ASSERT_EQ(doc["results"].size(), 6u);
  EXPECT_EQ(doc["results"][2]["status"], "not installed");
  EXPECT_EQ(doc["results"][2]["message"], "node missing");
  EXPECT_EQ(doc["results"][3]["bytes"], 40000000);
  EXPECT_DOUBLE_EQ(doc["results"][0]["median_s"].get<double>(), 0.05);
  EXPECT_EQ(doc["results"][0]["samples_s"].size(), 1u);
}

TEST(ReportTest, WriteJsonFileRoundTrips) {
  TempDir dir;
  const std::string path = dir / "r.json";
  ASSERT_TRUE(WriteJsonFile(ToJson(TwoRowReport()), path).ok());
  const nlohmann::json back = nlohmann::json::parse(ReadFile(path));
  EXPECT_EQ(back["results"].size(), 6u);
  // A missing directory is ENOENT, which core maps to NotFound.
  EXPECT_TRUE(WriteJsonFile(nlohmann::json::object(), "/nonexistent-dir/x/r.json").IsNotFound());
}

TEST(MachineInfoTest, ReportsTheMachineAndTheBuild) {
  const MachineInfo m = GetMachineInfo();
  EXPECT_GT(m.logical_cores, 0);
  EXPECT_GT(m.memory_bytes, 0);
  EXPECT_FALSE(m.cpu_model.empty());
  EXPECT_FALSE(m.simd_target.empty());
  EXPECT_NE(m.simd_target, "none");
  const BuildInfo b = GetBuildInfo();
  EXPECT_EQ(BuildWarnings(b).empty(), b.optimized && b.ndebug);
  BuildInfo debug = b;
  debug.optimized = false;
  debug.ndebug = false;
  ASSERT_EQ(BuildWarnings(debug).size(), 2u);
  EXPECT_NE(BuildWarnings(debug)[0].find("WITHOUT OPTIMIZATION"), std::string::npos);
}

TEST(MachineInfoTest, WarnsWhenTheMachineIsBusy) {
  MachineInfo m;
  m.logical_cores = 2;
  m.load_average = 0.9;
  EXPECT_TRUE(MachineWarnings(m).empty());
  m.load_average = 1.1;
  ASSERT_EQ(MachineWarnings(m).size(), 1u);
  EXPECT_NE(MachineWarnings(m)[0].find("load average 1.1 on 2 cores"), std::string::npos) << MachineWarnings(m)[0];
}

// ---------------------------------------------------------- PeerRunner

PeerCommand Shell(const std::string& script, double timeout = 30) {
  PeerCommand c;
  c.name = "sh";
  c.argv = {"sh", "-c", script};
  c.timeout_seconds = timeout;
  return c;
}

TEST(PeerRunnerTest, ParsesTheJsonObjectAndRoutesProgress) {
  std::vector<std::string> progress;
  auto out = PeerRunner().Run(
      Shell("echo 'progress csv_read 1/2' >&2; echo 'a note' >&2; echo banner; echo '{\"x\": 1}'"),
      [&](std::string_view line) { progress.emplace_back(line); });
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->status, PeerStatus::kOk) << out->message;
  EXPECT_EQ(out->output["x"], 1);
  ASSERT_EQ(progress.size(), 1u);
  EXPECT_EQ(progress[0], "csv_read 1/2");
  EXPECT_EQ(out->stderr_text, "a note\n");
  EXPECT_EQ(out->exit_code, 0);
}

TEST(PeerRunnerTest, PassesEnvironmentAndWorkingDir) {
  TempDir dir;
  PeerCommand c = Shell("printf '{\"v\": \"%s\", \"d\": \"%s\"}' \"$BENCH_TEST_VAR\" \"$(pwd)\"");
  c.env = {{"BENCH_TEST_VAR", "hello"}};
  c.working_dir = dir.path();
  auto out = PeerRunner().Run(c);
  ASSERT_TRUE(out.ok());
  ASSERT_EQ(out->status, PeerStatus::kOk) << out->message;
  EXPECT_EQ(out->output["v"], "hello");
  EXPECT_EQ(fs::canonical(out->output["d"].get<std::string>()), fs::canonical(dir.path()));
}

TEST(PeerRunnerTest, MissingProgramIsNotInstalled) {
  PeerCommand c;
  c.name = "ghost";
  c.argv = {"edgepipe-no-such-program-xyz", "--version"};
  auto out = PeerRunner().Run(c);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->status, PeerStatus::kNotInstalled);
  EXPECT_NE(out->message.find("not found"), std::string::npos);
  c.argv = {"/nonexistent/bin/node"};
  out = PeerRunner().Run(c);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->status, PeerStatus::kNotInstalled);
}

TEST(PeerRunnerTest, NotInstalledExitCode) {
  auto out = PeerRunner().Run(Shell("echo 'peer.mjs: error: cannot load nodejs-polars' >&2; exit 3"));
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->status, PeerStatus::kNotInstalled);
  EXPECT_NE(out->message.find("cannot load nodejs-polars"), std::string::npos) << out->message;
}

TEST(PeerRunnerTest, FailureCarriesTheErrorLines) {
  auto out = PeerRunner().Run(Shell("echo 'progress x 1/1' >&2; echo 'boom: disk full' >&2; exit 1"));
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->status, PeerStatus::kFailed);
  EXPECT_EQ(out->exit_code, 1);
  EXPECT_NE(out->message.find("exit status 1"), std::string::npos);
  EXPECT_NE(out->message.find("boom: disk full"), std::string::npos);
  EXPECT_EQ(out->message.find("progress"), std::string::npos);
}

TEST(PeerRunnerTest, OutputThatIsNotJsonFails) {
  for (const char* script : {"echo 'not json'", "true", "echo '[1,2]'", "echo '{\"a\": '"}) {
    auto out = PeerRunner().Run(Shell(script));
    ASSERT_TRUE(out.ok());
    EXPECT_EQ(out->status, PeerStatus::kFailed) << script;
    EXPECT_NE(out->message.find("JSON"), std::string::npos) << out->message;
  }
}

TEST(PeerRunnerTest, SignalIsAFailure) {
  auto out = PeerRunner().Run(Shell("kill -9 $$"));
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->status, PeerStatus::kFailed);
  EXPECT_NE(out->message.find("signal 9"), std::string::npos) << out->message;
}

TEST(PeerRunnerTest, TimeoutKillsTheProcessGroup) {
  Timer timer;
  // The background sleep holds the pipes open too: only a group kill ends it.
  auto out = PeerRunner().Run(Shell("sleep 30 & sleep 30", 0.3));
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->status, PeerStatus::kTimedOut);
  EXPECT_LT(timer.Seconds(), 10);
}

TEST(PeerRunnerTest, TimeoutAlsoAppliesAfterThePipesClose) {
  Timer timer;
  auto out = PeerRunner().Run(Shell("exec >/dev/null 2>&1; sleep 30", 0.3));
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->status, PeerStatus::kTimedOut);
  EXPECT_LT(timer.Seconds(), 10);
}

TEST(PeerRunnerTest, EmptyCommandIsInvalid) {
  PeerCommand c;
  EXPECT_TRUE(PeerRunner().Run(c).status().IsInvalidArgument());
}

TEST(NodePackageVersionTest, ReadsTheManifest) {
  TempDir dir;
  fs::create_directories(dir / "@scope/pkg");
  std::ofstream(dir / "@scope/pkg/package.json") << R"({"name": "@scope/pkg", "version": "1.5.6-r.1"})";
  auto v = NodePackageVersion(dir.path(), "@scope/pkg");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, "1.5.6-r.1");
  EXPECT_TRUE(NodePackageVersion(dir.path(), "absent").status().IsNotFound());
  fs::create_directories(dir / "bad");
  std::ofstream(dir / "bad/package.json") << R"({"version": 3)";
  EXPECT_TRUE(NodePackageVersion(dir.path(), "bad").status().IsCorruption());
}

// ----------------------------------------------------------- sensor CSV

TEST(SensorCsvTest, LayoutAcrossSizes) {
  TempDir dir;
  const std::regex line_re(R"(^-?[0-9]{19},imu-0[0-9](,-?[0-9]+\.[0-9]{6}){6}$)");
  for (int64_t rows : {0, 1, 7, 9, 10, 11, 127, 1023, 1025}) {
    SensorCsvOptions options;
    options.rows = rows;
    const std::string path = dir / ("s" + std::to_string(rows) + ".csv");
    auto bytes = WriteSensorCsv(path, options);
    ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
    const std::string text = ReadFile(path);
    EXPECT_EQ(static_cast<int64_t>(text.size()), *bytes);
    std::istringstream in(text);
    std::string line;
    ASSERT_TRUE(std::getline(in, line));
    EXPECT_EQ(line, "timestamp_ns,sensor_id,ax,ay,az,gx,gy,gz");
    int64_t n = 0;
    std::set<std::string> ids;
    while (std::getline(in, line)) {
      ASSERT_TRUE(std::regex_match(line, line_re)) << "rows=" << rows << " line " << n << ": " << line;
      EXPECT_EQ(line.find("-0.000000"), std::string::npos) << line;
      ids.insert(line.substr(20, 6));
      ++n;
    }
    EXPECT_EQ(n, rows);
    EXPECT_EQ(static_cast<int64_t>(ids.size()), std::min<int64_t>(rows, 10)) << "rows=" << rows;
    EXPECT_EQ(text.empty() ? '\n' : text.back(), '\n');
  }
}

TEST(SensorCsvTest, DeterministicFromTheSeedAndPlausible) {
  TempDir dir;
  SensorCsvOptions options;
  options.rows = 5000;
  ASSERT_TRUE(WriteSensorCsv(dir / "a.csv", options).ok());
  ASSERT_TRUE(WriteSensorCsv(dir / "b.csv", options).ok());
  options.seed = 7;
  ASSERT_TRUE(WriteSensorCsv(dir / "c.csv", options).ok());
  const std::string a = ReadFile(dir / "a.csv");
  EXPECT_EQ(a, ReadFile(dir / "b.csv"));
  EXPECT_NE(a, ReadFile(dir / "c.csv")) << "seed 7 should change the values";
  // The accelerometer measures gravity: |a| near 9.81 m/s² on every row;
  // gyro rates are small (rad/s).
  std::istringstream in(a);
  std::string line;
  std::getline(in, line);
  int row_idx = 0;
  while (std::getline(in, line)) {
    double v[6];
    const char* p = line.c_str() + line.find(',', 20) + 1;
    for (double& x : v) {
      char* end;
      x = std::strtod(p, &end);
      p = end + 1;
    }
    const double g = std::sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
    ASSERT_NEAR(g, 9.80665, 1.0) << "row " << row_idx << ": " << line;
    for (int c = 3; c < 6; ++c) ASSERT_LT(std::fabs(v[c]), 5.0) << "row " << row_idx << ": " << line;
    ++row_idx;
  }
}

TEST(SensorCsvTest, BadOptions) {
  TempDir dir;
  SensorCsvOptions options;
  options.rows = -1;
  EXPECT_TRUE(WriteSensorCsv(dir / "x.csv", options).status().IsInvalidArgument());
  options.rows = 10;
  options.sensors = 0;
  EXPECT_TRUE(WriteSensorCsv(dir / "x.csv", options).status().IsInvalidArgument());
  options.sensors = 10;
  EXPECT_FALSE(WriteSensorCsv("/nonexistent-dir/x/y.csv", options).ok());
}

}  // namespace
}  // namespace edgepipe::bench
