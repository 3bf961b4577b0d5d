#include "edgepipe/bench/bench_report.h"

#include <fmt/core.h>

#include <cmath>
#include <ctime>
#include <limits>

#include "edgepipe/core/atomic_file.h"

namespace edgepipe::bench {

namespace {

double Megabytes(int64_t bytes) { return static_cast<double>(bytes) / 1e6; }

std::string CellText(const Cell& cell, bool has_bytes) {
  if (cell.status != CellStatus::kOk) return std::string(CellStatusName(cell.status));
  std::string text = FormatSeconds(cell.samples.median);
  if (has_bytes && cell.bytes) text += fmt::format(" ({:.1f} MB)", Megabytes(*cell.bytes));
  return text;
}

// "1.35× faster" / "**1.60× slower**" (losses in bold so they stand out).
std::string RatioText(double subject, double best_peer) {
  if (!(subject > 0) || !(best_peer > 0)) return "";
  if (subject <= best_peer) return fmt::format("{:.2f}× faster", best_peer / subject);
  return fmt::format("**{:.2f}× slower**", subject / best_peer);
}

// The row of `id` in `rows` (const or not), or nullptr.
template <typename Rows>
auto FindIn(Rows& rows, std::string_view id) -> decltype(&rows.front()) {
  for (auto& row : rows) {
    if (row.id == id) return &row;
  }
  return nullptr;
}

}  // namespace

std::string_view CellStatusName(CellStatus status) {
  switch (status) {
    case CellStatus::kOk: return "ok";
    case CellStatus::kNotInstalled: return "not installed";
    case CellStatus::kFailed: return "failed";
    case CellStatus::kTimedOut: return "timed out";
    case CellStatus::kNotRun: return "not run";
  }
  return "unknown";
}

int BenchReport::EngineIndex(std::string_view id) const {
  for (size_t i = 0; i < engines.size(); ++i) {
    if (engines[i].id == id) return static_cast<int>(i);
  }
  return -1;
}

OperationRow* BenchReport::FindRow(std::string_view id) { return FindIn(rows, id); }
const OperationRow* BenchReport::FindRow(std::string_view id) const { return FindIn(rows, id); }

OperationRow& BenchReport::AddRow(std::string id, std::string label, bool has_bytes) {
  OperationRow row;
  row.id = std::move(id);
  row.label = std::move(label);
  row.has_bytes = has_bytes;
  row.cells.resize(engines.size());
  rows.push_back(std::move(row));
  return rows.back();
}

std::string FormatSeconds(double seconds) {
  if (!(seconds > 0)) return "0";
  if (seconds >= 100) return fmt::format("{:.0f}", seconds);
  if (seconds >= 10) return fmt::format("{:.1f}", seconds);
  if (seconds >= 1) return fmt::format("{:.2f}", seconds);
  // Three significant digits below one second: 0.108, 0.0136, 0.00123.
  const int decimals = std::min(9, 2 - static_cast<int>(std::floor(std::log10(seconds))));
  return fmt::format("{:.{}f}", seconds, decimals);
}

std::string UtcNow() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string RenderMarkdownTable(const BenchReport& report) {
  if (report.engines.empty()) return "";
  const EngineInfo& subject = report.engines[0];
  bool any_bytes = false;
  for (const auto& row : report.rows) any_bytes = any_bytes || row.has_bytes;

  std::string out = "| Operation (median s) |";
  for (const auto& e : report.engines) out += " " + e.label + " |";
  out += " " + subject.label + " vs fastest peer |";
  if (any_bytes) out += " " + subject.label + " size vs smallest peer |";
  out += "\n|---|";
  for (size_t i = 0; i < report.engines.size(); ++i) out += "---:|";
  out += any_bytes ? "---|---|\n" : "---|\n";

  for (const auto& row : report.rows) {
    out += "| " + row.label + " |";
    double best_peer = std::numeric_limits<double>::infinity();
    int64_t smallest_peer = std::numeric_limits<int64_t>::max();
    for (size_t i = 0; i < row.cells.size(); ++i) {
      const Cell& cell = row.cells[i];
      out += " " + CellText(cell, row.has_bytes) + " |";
      if (i == 0 || cell.status != CellStatus::kOk) continue;
      if (i < report.engines.size() && !report.engines[i].is_peer) continue;
      best_peer = std::min(best_peer, cell.samples.median);
      if (cell.bytes) smallest_peer = std::min(smallest_peer, *cell.bytes);
    }
    const Cell* own = row.cells.empty() ? nullptr : &row.cells[0];
    const bool own_ok = own != nullptr && own->status == CellStatus::kOk;
    out += " " + (own_ok && std::isfinite(best_peer) ? RatioText(own->samples.median, best_peer) : "") + " |";
    if (any_bytes) {
      std::string size;
      if (row.has_bytes && own_ok && own->bytes && smallest_peer != std::numeric_limits<int64_t>::max() &&
          smallest_peer > 0) {
        const double ratio = static_cast<double>(*own->bytes) / static_cast<double>(smallest_peer);
        size = ratio <= 1 ? fmt::format("{:.3f}×", ratio) : fmt::format("**{:.3f}× (larger)**", ratio);
      }
      out += " " + size + " |";
    }
    out += "\n";
  }
  return out;
}

std::string RenderMarkdown(const BenchReport& report) {
  std::string out = "## " + report.title + "\n\n";
  for (const auto& w : BuildWarnings(report.build)) out += "> **" + w + "**\n\n";
  for (const auto& w : MachineWarnings(report.machine)) out += "> " + w + "\n\n";
  out += "- Date: " + report.date + "\n";
  if (!report.command.empty()) out += "- Command: `" + report.command + "`\n";
  out += "- Machine: " + MachineSummary(report.machine) + "\n";
  out += "- Build: " + BuildSummary(report.build) + "\n";
  for (const auto& e : report.engines) {
    out += "- " + e.label + ": " + (e.version.empty() ? "version unknown" : e.version);
    if (e.status != CellStatus::kOk) {
      out += " — " + std::string(CellStatusName(e.status)) + (e.message.empty() ? "" : ": " + e.message);
    }
    out += "\n";
  }
  out += "\n" + RenderMarkdownTable(report);
  if (!report.notes.empty()) {
    out += "\n";
    for (const auto& n : report.notes) out += "- " + n + "\n";
  }
  return out;
}

nlohmann::json ToJson(const BenchReport& report) {
  nlohmann::json doc;
  doc["scenario"] = report.scenario;
  doc["title"] = report.title;
  doc["command"] = report.command;
  doc["date"] = report.date;
  doc["machine"] = ToJson(report.machine);
  doc["build"] = ToJson(report.build);
  doc["build_warnings"] = BuildWarnings(report.build);
  doc["machine_warnings"] = MachineWarnings(report.machine);
  doc["config"] = report.config;
  doc["engines"] = nlohmann::json::array();
  for (const auto& e : report.engines) {
    nlohmann::json je = {{"id", e.id}, {"label", e.label}, {"version", e.version},
                         {"status", CellStatusName(e.status)}, {"message", e.message}};
    if (!e.details.is_null()) je["details"] = e.details;
    doc["engines"].push_back(std::move(je));
  }
  // One entry per operation × engine, every engine listed even without samples.
  doc["results"] = nlohmann::json::array();
  for (const auto& row : report.rows) {
    for (size_t i = 0; i < row.cells.size() && i < report.engines.size(); ++i) {
      const Cell& c = row.cells[i];
      nlohmann::json jr = {{"operation", row.id}, {"label", row.label}, {"engine", report.engines[i].id},
                           {"status", CellStatusName(c.status)}};
      if (c.status == CellStatus::kOk) {
        jr["median_s"] = c.samples.median;
        jr["min_s"] = c.samples.min;
        jr["p90_s"] = c.samples.p90;
        jr["samples_s"] = c.samples.all;
      }
      if (c.bytes) jr["bytes"] = *c.bytes;
      if (!c.message.empty()) jr["message"] = c.message;
      doc["results"].push_back(std::move(jr));
    }
  }
  doc["notes"] = report.notes;
  return doc;
}

Status WriteJsonFile(const nlohmann::json& doc, const std::string& path) {
  ASSIGN_OR_RETURN(auto file, AtomicFile::Open(path));
  RETURN_NOT_OK(file->Write(doc.dump(2) + "\n"));
  return file->Commit();
}

Cell CellFromPeerEntry(const nlohmann::json* entry, CellStatus missing_status, std::string_view missing_message) {
  Cell cell;
  if (entry == nullptr) {
    cell.status = missing_status;
    cell.message = std::string(missing_message);
    return cell;
  }
  if (entry->contains("error")) {
    const nlohmann::json& error = (*entry)["error"];
    cell.status = CellStatus::kFailed;
    cell.message = error.is_string() ? error.get<std::string>() : error.dump();
    return cell;
  }
  std::vector<double> seconds;
  if (entry->contains("seconds") && (*entry)["seconds"].is_array()) {
    for (const auto& s : (*entry)["seconds"]) {
      if (s.is_number()) seconds.push_back(s.get<double>());
    }
  }
  if (seconds.empty()) {
    cell.status = CellStatus::kFailed;
    cell.message = "the peer reported no timings";
    return cell;
  }
  cell.status = CellStatus::kOk;
  cell.samples = SamplesFromSeconds(std::move(seconds));
  if (entry->contains("bytes") && (*entry)["bytes"].is_number_integer()) cell.bytes = (*entry)["bytes"].get<int64_t>();
  if (entry->contains("note") && (*entry)["note"].is_string()) cell.message = (*entry)["note"].get<std::string>();
  return cell;
}

}  // namespace edgepipe::bench
