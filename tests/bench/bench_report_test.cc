// End-to-end tests of `edgepipe report` (GenerateReport) on tiny sizes and
// of `edgepipe bench groupby` (RunGroupByBench), plus the SVG chart writer.
// Peers may be missing (no node, no npm packages, no Python modules): their
// cells must then say "not installed", never disappear.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/svg_chart.h"
#include "edgepipe/bench/groupby_scenario.h"
#include "edgepipe/bench/report.h"
#include "interop/peer_runner.h"

namespace edgepipe::bench {
namespace {

namespace fs = std::filesystem;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string TempDir(const std::string& name) {
  const fs::path p = fs::temp_directory_path() / ("edgepipe-report-test-" + std::to_string(::getpid()) + "-" + name);
  fs::remove_all(p);
  return p.string();
}

// A small well-formedness check: every element closes in order, attribute
// quotes balance, no stray '&' or '<' in text.
::testing::AssertionResult WellFormedXml(const std::string& xml) {
  std::vector<std::string> stack;
  size_t i = 0;
  if (xml.rfind("<?xml", 0) != 0) return ::testing::AssertionFailure() << "no XML declaration";
  i = xml.find("?>") + 2;
  bool root_seen = false;
  while (i < xml.size()) {
    const size_t lt = xml.find('<', i);
    const std::string text = xml.substr(i, lt == std::string::npos ? std::string::npos : lt - i);
    for (size_t a = text.find('&'); a != std::string::npos; a = text.find('&', a + 1)) {
      if (text.compare(a, 5, "&amp;") && text.compare(a, 4, "&lt;") && text.compare(a, 4, "&gt;") &&
          text.compare(a, 6, "&quot;")) {
        return ::testing::AssertionFailure() << "bare '&' near byte " << i + a;
      }
    }
    if (lt == std::string::npos) break;
    const size_t gt = xml.find('>', lt);
    if (gt == std::string::npos) return ::testing::AssertionFailure() << "unclosed tag at byte " << lt;
    const std::string tag = xml.substr(lt + 1, gt - lt - 1);
    if (std::count(tag.begin(), tag.end(), '"') % 2 != 0) {
      return ::testing::AssertionFailure() << "unbalanced quotes in <" << tag << ">";
    }
    if (tag.find('<') != std::string::npos) return ::testing::AssertionFailure() << "'<' inside a tag at byte " << lt;
    if (tag[0] == '/') {
      if (stack.empty() || stack.back() != tag.substr(1)) {
        return ::testing::AssertionFailure() << "</" << tag.substr(1) << "> closes "
                                             << (stack.empty() ? "nothing" : "<" + stack.back() + ">");
      }
      stack.pop_back();
    } else if (tag.back() != '/') {
      const std::string name = tag.substr(0, tag.find_first_of(" \n\t"));
      if (stack.empty() && root_seen) return ::testing::AssertionFailure() << "second root element <" << name << ">";
      root_seen = true;
      stack.push_back(name);
    }
    i = gt + 1;
  }
  if (!stack.empty()) return ::testing::AssertionFailure() << "<" << stack.back() << "> never closed";
  if (!root_seen) return ::testing::AssertionFailure() << "no root element";
  return ::testing::AssertionSuccess();
}

TEST(SvgChart, WellFormedEscapedAndLogScaled) {
  BarChart c;
  c.title = "a < b & \"c\"";
  c.unit = "s";
  c.series = {"seed", "here"};
  c.groups = {{"fast <1>", {{0, 0.001, ""}, {1, 0.01, ""}}},
              {"slow & steady", {{0, 1.0, ""}, {1, std::nullopt, "not installed"}}},
              {"zero", {{1, 0.0, "failed"}}}};
  const std::string svg = RenderBarChartSvg(c);
  EXPECT_TRUE(WellFormedXml(svg)) << svg;
  EXPECT_NE(svg.find("a &lt; b &amp; &quot;c&quot;"), std::string::npos);
  EXPECT_NE(svg.find("not installed"), std::string::npos);
  EXPECT_NE(svg.find("failed"), std::string::npos);
  // Decade labels of a log axis from 1 ms to 1 s.
  for (const char* label : {">0.001 s<", ">0.01 s<", ">0.1 s<", ">1 s<"}) {
    EXPECT_NE(svg.find(label), std::string::npos) << label;
  }
  // Bar widths are proportional to log10(value / axis start): 1 ms has width ~0,
  // 10 ms one third of 1 s's.
  // The plot starts at the first decade line (its x depends on the label width).
  const size_t line = svg.find("<line x1=\"") + 10;
  const std::string bar_start = "<rect x=\"" + std::to_string(std::lround(std::stod(svg.substr(line)))) + "\"";
  std::vector<double> widths;
  for (size_t p = svg.find("width=\"", svg.find(bar_start)); p != std::string::npos;
       p = svg.find(bar_start, p + 1)) {
    const size_t w = svg.find("width=\"", p) + 7;
    widths.push_back(std::stod(svg.substr(w)));
  }
  ASSERT_GE(widths.size(), 3u);
  EXPECT_NEAR(widths[0], 0, 1.5);
  EXPECT_NEAR(widths[1] / widths[2], 1.0 / 3.0, 0.01);
  // No value at all still gives a valid chart.
  BarChart empty;
  empty.title = "empty";
  EXPECT_TRUE(WellFormedXml(RenderBarChartSvg(empty)));
}

TEST(BenchGroupBy, EdgepipeAloneAndOptionErrors) {
  GroupByBenchOptions o;
  o.rows = 3000;
  o.keys = 100;
  o.runs = 2;
  o.warmup = 0;
  o.engines = {"edgepipe"};
  auto r = RunGroupByBench(o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->rows.size(), 1u);
  ASSERT_EQ(r->engines.size(), 1u);
  EXPECT_EQ(r->rows[0].cells[0].status, CellStatus::kOk);
  EXPECT_EQ(r->rows[0].cells[0].samples.all.size(), 2u);
  o.engines = {"edgepipe", "spark"};
  EXPECT_TRUE(RunGroupByBench(o).status().IsInvalidArgument());
  o.engines = {"edgepipe"};
  o.keys = 0;
  EXPECT_TRUE(RunGroupByBench(o).status().IsInvalidArgument());
}

TEST(BenchGroupBy, EveryPeerIsTimedOrReported) {
  GroupByBenchOptions o;
  o.rows = 20000;
  o.keys = 1000;
  o.runs = 1;
  o.warmup = 0;
  o.python_dict_rows = 5000;
  auto r = RunGroupByBench(o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->engines.size(), GroupByEngines().size());
  const bool required = ::edgepipe::testing::PeersRequired();
  for (size_t i = 0; i < r->engines.size(); ++i) {
    const Cell& c = r->rows[0].cells[i];
    SCOPED_TRACE(r->engines[i].id + ": " + std::string(CellStatusName(c.status)) + " " + c.message);
    if (required) {
      EXPECT_EQ(c.status, CellStatus::kOk);
    } else {
      EXPECT_TRUE(c.status == CellStatus::kOk || c.status == CellStatus::kNotInstalled);
    }
    if (r->engines[i].id == "python_dict" && c.status == CellStatus::kOk) {
      EXPECT_NE(c.message.find("scaled"), std::string::npos);  // the prefix is marked
    }
  }
  const std::string md = RenderMarkdown(*r);
  EXPECT_NE(md.find("OPENBLAS_CORETYPE"), std::string::npos);
}

TEST(Report, QuickTinyProducesEverySectionJsonAndSvgs) {
  const std::string out = TempDir("quick");
  ReportOptions o;
  o.out_dir = out;
  o.quick = true;
  o.scale = 0.0002;  // multiply 10,000 values, group-by 1,000 rows, 1,000 sensor rows
  o.runs = 1;
  o.warmup = 0;
  o.model_runs = 2;
  o.command_line = "edgepipe report --quick --scale 0.0002 (test)";
  std::vector<std::string> progress;
  o.progress = [&](std::string_view line) { progress.emplace_back(line); };
  auto r = GenerateReport(o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(progress.empty());

  const std::string md = ReadFile(out + "/benchmarks.md");
  EXPECT_EQ(md, r->markdown);
  for (const char* heading : {"# Week 2 benchmarks", "## Versions", "## Day 1 A", "## Day 1 B", "## Day 3",
                              "## Day 4", "## Final results"}) {
    EXPECT_NE(md.find(heading), std::string::npos) << heading;
  }
  EXPECT_NE(md.find("static PTQ: coming in a later issue"), std::string::npos);
  EXPECT_NE(md.find("- Command: `edgepipe report --quick"), std::string::npos);
  EXPECT_NE(md.find("SIMD target chosen"), std::string::npos);
  // The seed's own figures are quoted.
  for (const char* seed : {"1.9672", "1.4242", "0.1375", "0.2805", "0.4190", "~5–7", "0.17–0.25"}) {
    EXPECT_NE(md.find(seed), std::string::npos) << seed;
  }

  const auto doc = nlohmann::json::parse(ReadFile(r->json_path), nullptr, false);
  ASSERT_FALSE(doc.is_discarded());
  for (const char* key : {"command", "date", "machine", "build", "versions", "sections", "scale", "runs"}) {
    EXPECT_TRUE(doc.contains(key)) << key;
  }
  ASSERT_EQ(doc["sections"].size(), ReportSections().size());
  std::set<std::string> engines_seen;
  for (size_t i = 0; i < ReportSections().size(); ++i) {
    const auto& s = doc["sections"][i];
    EXPECT_EQ(s["id"], ReportSections()[i]);
    ASSERT_TRUE(s["lines"].is_array());
    EXPECT_FALSE(s["lines"].empty()) << s["id"] << ": " << s["status"];
    for (const auto& l : s["lines"]) {
      ASSERT_TRUE(l.contains("status"));
      engines_seen.insert(l.value("engine", ""));
      if (l["status"] == "ok") {
        EXPECT_GT(l["median_s"].get<double>(), 0);
        EXPECT_FALSE(l["samples_s"].empty());
      }
    }
  }
  // Every data section measured edgepipe (the subject is never missing).
  for (const auto& s : doc["sections"]) {
    if (s["id"] == "day4") continue;
    bool edgepipe_ok = false;
    for (const auto& l : s["lines"]) {
      edgepipe_ok = edgepipe_ok || (l["engine"].get<std::string>().rfind("edgepipe", 0) == 0 && l["status"] == "ok");
    }
    EXPECT_TRUE(edgepipe_ok) << s["id"] << ": " << s["status"];
  }
  // pandas is a column of the final table even when it cannot run.
  EXPECT_TRUE(engines_seen.count("pandas"));

  ASSERT_EQ(r->svg_paths.size(), ReportSections().size());
  for (const auto& path : r->svg_paths) {
    const std::string svg = ReadFile(path);
    EXPECT_TRUE(WellFormedXml(svg)) << path;
    EXPECT_NE(md.find(fs::path(path).filename().string()), std::string::npos) << path << " not linked";
  }
  fs::remove_all(out);
}

TEST(Report, OptionErrors) {
  ReportOptions o;
  o.out_dir = TempDir("errors");
  o.sections = {"day9"};
  EXPECT_TRUE(GenerateReport(o).status().IsInvalidArgument());
  o.sections = {"day4"};
  o.scale = 2;
  EXPECT_TRUE(GenerateReport(o).status().IsInvalidArgument());
  // Only Day 4 (no measurements): the other sections say "skipped".
  o.scale = 0;
  auto r = GenerateReport(o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_NE(r->markdown.find("skipped"), std::string::npos);
  fs::remove_all(o.out_dir);
}

}  // namespace
}  // namespace edgepipe::bench
