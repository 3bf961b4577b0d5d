#pragma once
// Horizontal bar charts as standalone SVG (module-private): one bar per
// (group, series) with a log-scale time axis, for the report's tables.
// Plain SVG 1.1 with inline styles: renders in browsers and on GitHub.

#include <optional>
#include <string>
#include <vector>

namespace edgepipe::bench {

struct BarChart {
  std::string title;
  std::string unit = "s";            // axis unit; values are in this unit
  std::vector<std::string> series;   // legend, one colour each
  struct Bar {
    int series = 0;
    std::optional<double> value;     // > 0; absent: `missing` is written instead of a bar
    std::string missing;             // "not installed", "not available in this build"
  };
  struct Group {
    std::string label;
    std::vector<Bar> bars;
  };
  std::vector<Group> groups;
};

// The SVG document. Values <= 0 are treated as missing.
std::string RenderBarChartSvg(const BarChart& chart);

// Escapes &, <, >, " for XML text and attributes.
std::string XmlEscape(const std::string& text);

}  // namespace edgepipe::bench
