// End-to-end test of `edgepipe bench io`'s harness: 20,000 rows, one run,
// every engine. The peers may be missing (no node or no npm packages): then
// their cells must say "not installed", unless EDGEPIPE_REQUIRE_PEERS is set,
// in which case every peer must produce timings.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "edgepipe/bench/io_scenario.h"
#include "interop/peer_runner.h"

namespace edgepipe::bench {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kRows = 20000;

using ::edgepipe::testing::SourceDir;

// $EDGEPIPE_REQUIRE_PEERS set (CI): a missing peer fails instead of skipping.
bool RequirePeers() { return ::edgepipe::testing::PeersRequired(); }

std::string TempPath(const std::string& name) {
  return (fs::temp_directory_path() / ("edgepipe-bench-io-test-" + std::to_string(::getpid()) + "-" + name)).string();
}

IoBenchOptions SmallRun() {
  IoBenchOptions options;
  options.rows = kRows;
  options.runs = 1;
  options.warmup = 1;
  options.source_dir = SourceDir();
  options.peer_timeout_seconds = 120;
  return options;
}

TEST(BenchIoTest, EveryEngineAndOperationIsReported) {
  IoBenchOptions options = SmallRun();
  options.dir = TempPath("work");
  std::vector<std::string> progress;
  options.progress = [&](std::string_view line) { progress.emplace_back(line); };
  auto report = RunIoBench(options);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  // The work directory is removed (it did not exist before).
  EXPECT_FALSE(fs::exists(options.dir));

  const std::string json_path = TempPath("report.json");
  ASSERT_TRUE(WriteJsonFile(ToJson(*report), json_path).ok());
  std::ifstream in(json_path);
  const nlohmann::json doc = nlohmann::json::parse(in);
  fs::remove(json_path);

  EXPECT_EQ(doc["scenario"], "io");
  EXPECT_EQ(doc["config"]["rows"], kRows);
  EXPECT_GT(doc["config"]["csv_bytes"].get<int64_t>(), kRows * 60);
  EXPECT_FALSE(doc["machine"]["simd_target"].get<std::string>().empty());
  ASSERT_EQ(doc["engines"].size(), 3u);

  const std::vector<std::string> engines = {"edgepipe", "polars", "duckdb"};
  std::map<std::pair<std::string, std::string>, nlohmann::json> results;
  for (const auto& r : doc["results"]) {
    results[{r["operation"].get<std::string>(), r["engine"].get<std::string>()}] = r;
  }
  EXPECT_EQ(results.size(), IoOperations().size() * engines.size());
  for (const std::string& op : IoOperations()) {
    for (const std::string& engine : engines) {
      SCOPED_TRACE(op + " / " + engine);
      auto it = results.find({op, engine});
      ASSERT_NE(it, results.end());
      const nlohmann::json& r = it->second;
      const std::string status = r["status"];
      const bool peer = engine != "edgepipe";
      if (peer && status == "not installed" && !RequirePeers()) {
        EXPECT_FALSE(r.value("message", "").empty()) << "a missing peer must say why";
        continue;
      }
      ASSERT_EQ(status, "ok") << r.dump();
      ASSERT_EQ(r["samples_s"].size(), 1u);
      EXPECT_GT(r["median_s"].get<double>(), 0);
      EXPECT_GT(r["samples_s"][0].get<double>(), 0);
      if (op.rfind("parquet_write_", 0) == 0) {
        ASSERT_TRUE(r.contains("bytes"));
        EXPECT_GT(r["bytes"].get<int64_t>(), 0);
      }
    }
  }
  // Progress lines name the engine and the operation.
  bool saw_edgepipe = false;
  for (const auto& line : progress) saw_edgepipe |= line == "[bench io] edgepipe: csv read 1/1";
  EXPECT_TRUE(saw_edgepipe);

  const std::string markdown = RenderMarkdown(*report);
  for (const char* label : {"CSV read", "Parquet write zstd", "Parquet write snappy", "Parquet read zstd (own file)",
                            "Parquet read edgepipe's zstd file", "Group-by mean per sensor (6 cols)", "Polars",
                            "DuckDB", "vs fastest peer"}) {
    EXPECT_NE(markdown.find(label), std::string::npos) << label << "\n" << markdown;
  }
}

TEST(BenchIoTest, MissingNodeIsNotInstalledNeverDropped) {
  IoBenchOptions options = SmallRun();
  options.rows = 500;
  options.warmup = 0;
  options.engines = {"polars", "duckdb"};
  options.node = "/nonexistent/bin/node";
  auto report = RunIoBench(options);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(report->engines.size(), 2u);
  for (const auto& e : report->engines) EXPECT_EQ(e.status, CellStatus::kNotInstalled) << e.id;
  ASSERT_EQ(report->rows.size(), IoOperations().size());
  for (const auto& row : report->rows) {
    for (const auto& cell : row.cells) {
      EXPECT_EQ(cell.status, CellStatus::kNotInstalled) << row.id;
      EXPECT_NE(cell.message.find("not found"), std::string::npos) << cell.message;
    }
  }
  EXPECT_NE(RenderMarkdownTable(*report).find("not installed"), std::string::npos);
}

TEST(BenchIoTest, KeepLeavesTheFiles) {
  IoBenchOptions options = SmallRun();
  options.rows = 1000;
  options.warmup = 0;
  options.engines = {"edgepipe"};
  options.dir = TempPath("keep");
  options.keep = true;
  auto report = RunIoBench(options);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  for (const char* name : {"sensors.csv", "edgepipe.zstd.parquet", "edgepipe.snappy.parquet"}) {
    EXPECT_TRUE(fs::exists(options.dir + "/" + name)) << name;
  }
  fs::remove_all(options.dir);
}

TEST(BenchIoTest, BadOptions) {
  IoBenchOptions options = SmallRun();
  options.runs = 0;
  EXPECT_TRUE(RunIoBench(options).status().IsInvalidArgument());
  options = SmallRun();
  options.engines = {"edgepipe", "pandas"};
  EXPECT_TRUE(RunIoBench(options).status().IsInvalidArgument());
  options = SmallRun();
  options.rows = 0;
  EXPECT_TRUE(RunIoBench(options).status().IsInvalidArgument());
}

}  // namespace
}  // namespace edgepipe::bench
