// End-to-end test of `edgepipe bench vectorize`'s harness at a tiny N, one
// run, every engine. Peers may be missing (no python3 packages, no node
// modules, no cc): then their cells must say "not installed", unless
// EDGEPIPE_REQUIRE_PEERS is set, in which case every peer must produce
// timings that pass the cross-check.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include "edgepipe/bench/vectorize_scenario.h"
#include "interop/peer_runner.h"

namespace edgepipe::bench {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kN = 100000;

using ::edgepipe::testing::SourceDir;

// $EDGEPIPE_REQUIRE_PEERS set (CI): a missing peer fails instead of skipping.
bool RequirePeers() { return ::edgepipe::testing::PeersRequired(); }

std::string TempPath(const std::string& name) {
  return (fs::temp_directory_path() / ("edgepipe-bench-vectorize-test-" + std::to_string(::getpid()) + "-" + name))
      .string();
}

TEST(BenchVectorizeTest, EveryEngineAndOperationIsReported) {
  VectorizeBenchOptions options;
  options.n = kN;
  options.runs = 1;
  options.warmup = 1;
  options.python_prefix = 10000;
  options.source_dir = SourceDir();
  options.peer_timeout_seconds = 300;
  options.dir = TempPath("work");
  auto report = RunVectorizeBench(options);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_FALSE(fs::exists(options.dir)) << "the work directory must be removed";

  const std::string json_path = TempPath("report.json");
  ASSERT_TRUE(WriteJsonFile(ToJson(*report), json_path).ok());
  std::ifstream in(json_path);
  const nlohmann::json doc = nlohmann::json::parse(in);
  fs::remove(json_path);

  EXPECT_EQ(doc["scenario"], "vectorize");
  EXPECT_EQ(doc["config"]["n"], kN);
  EXPECT_EQ(doc["config"]["dtype"], "f64");
  const auto& bw = doc["config"]["bandwidth"];
  ASSERT_TRUE(bw.contains("floor_seconds")) << bw.dump();
  EXPECT_GT(bw["floor_seconds"].get<double>(), 0);
  EXPECT_GT(bw["copy_gb_per_s"].get<double>(), 0.1);
  EXPECT_EQ(bw["bytes_moved"].get<int64_t>(), 3 * kN * 8);
  EXPECT_GT(bw["edgepipe_fraction_of_floor"].get<double>(), 0);
  ASSERT_EQ(doc["engines"].size(), VectorizeEngines().size());
  EXPECT_EQ(doc["engines"][0]["id"], "edgepipe");

  std::map<std::pair<std::string, std::string>, nlohmann::json> results;
  for (const auto& r : doc["results"]) {
    results[{r["operation"].get<std::string>(), r["engine"].get<std::string>()}] = r;
  }
  EXPECT_EQ(results.size(), VectorizeOperations().size() * VectorizeEngines().size());
  // Engines without an out= API (or without the allocating form).
  const std::map<std::string, std::string> only_alloc = {{"pandas", ""}, {"polars", ""}, {"duckdb", ""}};
  for (const std::string& op : VectorizeOperations()) {
    for (const std::string& engine : VectorizeEngines()) {
      SCOPED_TRACE(op + " / " + engine);
      auto it = results.find({op, engine});
      ASSERT_NE(it, results.end());
      const nlohmann::json& r = it->second;
      const std::string status = r["status"].get<std::string>();
      const bool applicable = !(op == "multiply_out" && only_alloc.count(engine)) &&
                              !(op == "multiply_alloc" && engine == "python");
      if (!applicable) {
        EXPECT_TRUE(status == "not run" || status == "not installed") << r.dump();
        continue;
      }
      if (engine == "edgepipe" || RequirePeers()) {
        ASSERT_EQ(status, "ok") << r.dump();
      } else {
        EXPECT_TRUE(status == "ok" || status == "not installed") << r.dump();
      }
      if (status == "ok") {
        ASSERT_TRUE(r.contains("samples_s")) << r.dump();
        EXPECT_EQ(r["samples_s"].size(), 1u);
        EXPECT_GT(r["median_s"].get<double>(), 0);
      }
    }
  }
  // The Python loop is marked as scaled.
  const auto& py = results[{"multiply_out", "python"}];
  if (py["status"] == "ok") {
    EXPECT_NE(py.value("message", "").find("scaled"), std::string::npos) << py.dump();
  }
}

TEST(BenchVectorizeTest, Float32AndOptionErrors) {
  VectorizeBenchOptions options;
  options.n = 1000;
  options.runs = 1;
  options.dtype = "f32";
  options.engines = {"edgepipe"};
  auto report = RunVectorizeBench(options);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->rows.size(), 2u);
  EXPECT_EQ(report->rows[0].cells[0].status, CellStatus::kOk);
  EXPECT_EQ(report->config["bandwidth"]["bytes_moved"].get<int64_t>(), 3 * 1000 * 4);

  options.dtype = "f16";
  EXPECT_TRUE(RunVectorizeBench(options).status().IsInvalidArgument());
  options.dtype = "f64";
  options.engines = {"edgepipe", "spark"};
  EXPECT_TRUE(RunVectorizeBench(options).status().IsInvalidArgument());
  options.engines = {"edgepipe"};
  options.n = 0;
  EXPECT_TRUE(RunVectorizeBench(options).status().IsInvalidArgument());
}

}  // namespace
}  // namespace edgepipe::bench
