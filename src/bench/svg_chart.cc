#include "bench/svg_chart.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace edgepipe::bench {

namespace {

// Colour-blind-safe palette (Okabe-Ito).
constexpr const char* kColors[] = {"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
                                   "#000000"};

constexpr double kPlotWidth = 560, kRight = 110, kTop = 64, kBar = 16, kBarGap = 3, kGroupGap = 12;

std::string AxisLabel(double v, const std::string& unit) {
  if (v >= 1) return fmt::format("{:g} {}", v, unit);
  return fmt::format("{:g} {}", v, unit);
}

std::string ValueLabel(double v) {
  if (v >= 100) return fmt::format("{:.0f}", v);
  if (v >= 10) return fmt::format("{:.1f}", v);
  if (v >= 1) return fmt::format("{:.2f}", v);
  const int decimals = std::min(9, 2 - static_cast<int>(std::floor(std::log10(v))));
  return fmt::format("{:.{}f}", v, decimals);
}

}  // namespace

std::string XmlEscape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

std::string RenderBarChartSvg(const BarChart& chart) {
  double lo = std::numeric_limits<double>::infinity(), hi = 0;
  int bars = 0;
  for (const auto& g : chart.groups) {
    for (const auto& b : g.bars) {
      ++bars;
      if (b.value && *b.value > 0 && std::isfinite(*b.value)) {
        lo = std::min(lo, *b.value);
        hi = std::max(hi, *b.value);
      }
    }
  }
  // Whole decades around the data; at least one decade.
  double dlo = std::isfinite(lo) ? std::floor(std::log10(lo)) : -3;
  double dhi = hi > 0 ? std::ceil(std::log10(hi)) : 0;
  if (dhi <= dlo) dhi = dlo + 1;
  // The label column fits the longest group label (~6.6 px per character at
  // 12 px), so long labels are not clipped at the left edge.
  size_t longest = 0;
  for (const auto& group : chart.groups) longest = std::max(longest, group.label.size());
  const double kLeft = std::clamp(16 + 6.6 * static_cast<double>(longest), 200.0, 480.0);
  const double kWidth = kLeft + kPlotWidth + kRight;
  const double plot_w = kPlotWidth;
  auto x_of = [&](double v) { return kLeft + (std::log10(v) - dlo) / (dhi - dlo) * plot_w; };
  const double plot_h = bars * (kBar + kBarGap) + static_cast<double>(chart.groups.size()) * kGroupGap;
  const double height = kTop + plot_h + 48;

  std::string s = fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0:.0f}\" height=\"{1:.0f}\" viewBox=\"0 0 {0:.0f} {1:.0f}\" "
      "font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n"
      "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n"
      "<text x=\"{2:.0f}\" y=\"22\" font-size=\"15\" font-weight=\"bold\" fill=\"#222\">{3}</text>\n",
      kWidth, height, 12.0, XmlEscape(chart.title));
  // Legend.
  double lx = 12;
  for (size_t i = 0; i < chart.series.size(); ++i) {
    s += fmt::format("<rect x=\"{:.0f}\" y=\"34\" width=\"12\" height=\"12\" fill=\"{}\"/>"
                     "<text x=\"{:.0f}\" y=\"44\" fill=\"#222\">{}</text>\n",
                     lx, kColors[i % 8], lx + 16, XmlEscape(chart.series[i]));
    lx += 28 + 7.0 * static_cast<double>(chart.series[i].size());
  }
  // Decade grid lines and labels (log scale).
  for (int d = static_cast<int>(dlo); d <= static_cast<int>(dhi); ++d) {
    const double v = std::pow(10.0, d);
    const double x = x_of(v);
    s += fmt::format("<line x1=\"{0:.1f}\" y1=\"{1:.0f}\" x2=\"{0:.1f}\" y2=\"{2:.0f}\" stroke=\"#ccc\"/>\n"
                     "<text x=\"{0:.1f}\" y=\"{3:.0f}\" text-anchor=\"middle\" fill=\"#555\">{4}</text>\n",
                     x, kTop - 6, kTop + plot_h, kTop + plot_h + 16, XmlEscape(AxisLabel(v, chart.unit)));
    for (int m = 2; m <= 9 && d < static_cast<int>(dhi); ++m) {
      const double xm = x_of(m * v);
      s += fmt::format("<line x1=\"{0:.1f}\" y1=\"{1:.0f}\" x2=\"{0:.1f}\" y2=\"{2:.0f}\" stroke=\"#eee\"/>\n", xm,
                       kTop - 6, kTop + plot_h);
    }
  }
  s += fmt::format("<text x=\"{:.0f}\" y=\"{:.0f}\" text-anchor=\"middle\" fill=\"#555\">time ({}, log scale, lower is "
                   "better)</text>\n",
                   kLeft + plot_w / 2, kTop + plot_h + 36, XmlEscape(chart.unit));
  // Bars.
  double y = kTop;
  for (const auto& g : chart.groups) {
    s += fmt::format("<text x=\"{:.0f}\" y=\"{:.0f}\" text-anchor=\"end\" fill=\"#222\">{}</text>\n", kLeft - 8,
                     y + kBar - 4, XmlEscape(g.label));
    for (const auto& b : g.bars) {
      const char* color = kColors[static_cast<size_t>(std::max(0, b.series)) % 8];
      if (b.value && *b.value > 0 && std::isfinite(*b.value)) {
        const double x1 = std::max(kLeft + 1, x_of(*b.value));
        s += fmt::format("<rect x=\"{:.0f}\" y=\"{:.0f}\" width=\"{:.1f}\" height=\"{:.0f}\" fill=\"{}\"><title>{}: "
                         "{} {}</title></rect>\n"
                         "<text x=\"{:.1f}\" y=\"{:.0f}\" fill=\"#222\">{}</text>\n",
                         kLeft, y, x1 - kLeft, kBar, color,
                         XmlEscape(g.label + (b.series < static_cast<int>(chart.series.size())
                                                  ? " (" + chart.series[static_cast<size_t>(b.series)] + ")"
                                                  : "")),
                         ValueLabel(*b.value), XmlEscape(chart.unit), x1 + 4, y + kBar - 4, ValueLabel(*b.value));
      } else {
        s += fmt::format("<rect x=\"{:.0f}\" y=\"{:.0f}\" width=\"4\" height=\"{:.0f}\" fill=\"{}\" opacity=\"0.4\"/>"
                         "<text x=\"{:.0f}\" y=\"{:.0f}\" fill=\"#888\" font-style=\"italic\">{}</text>\n",
                         kLeft, y, kBar, color, kLeft + 8, y + kBar - 4,
                         XmlEscape(b.missing.empty() ? "no value" : b.missing));
      }
      y += kBar + kBarGap;
    }
    y += kGroupGap;
  }
  s += "</svg>\n";
  return s;
}

}  // namespace edgepipe::bench
