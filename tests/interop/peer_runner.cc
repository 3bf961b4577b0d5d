#include "interop/peer_runner.h"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>

#include "edgepipe/core/subprocess.h"

namespace edgepipe::testing {
namespace {

struct Availability {
  bool available = false;
  std::string reason;
};

const Availability& CheckPeersOnce() {
  static Availability result;
  static std::once_flag once;
  std::call_once(once, [] {
    const std::filesystem::path root = SourceDir();
    if (!std::filesystem::exists(root / "node_modules")) {
      result.reason = "reference engines not installed: no node_modules in " + root.string() +
                      " (run `npm install --ignore-scripts` there; see docs/interop.md)";
      return;
    }
    Result<std::string> check = RunPeer({"check_peers.mjs"}, 120);
    if (!check.ok()) {
      result.reason = "reference engines unavailable (" + check.status().ToString() +
                      "); install Node.js 20+ (or set EDGEPIPE_NODE) and see docs/interop.md";
      return;
    }
    result.available = true;
  });
  return result;
}

bool IsKnownType(std::string_view type) {
  static constexpr std::array<std::string_view, 14> kTypes = {
      "bool",   "int8",   "int16",   "int32",   "int64",  "uint8",        "uint16",
      "uint32", "uint64", "float32", "float64", "string", "timestamp_ns", "date32"};
  for (std::string_view t : kTypes) {
    if (t == type) return true;
  }
  return false;
}

bool IsLowerHex(std::string_view s, size_t digits) {
  if (s.size() != digits) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool IsDecimal(std::string_view s) {
  if (!s.empty() && s[0] == '-') s.remove_prefix(1);
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Whether `cell` is a well-formed value of canonical `type` (or null).
bool CellMatchesType(std::string_view cell, std::string_view type) {
  if (cell == "null") return true;
  if (type == "bool") return cell == "true" || cell == "false";
  if (type == "float32") return IsLowerHex(cell, 8);
  if (type == "float64") return IsLowerHex(cell, 16);
  if (type == "string") return cell.size() >= 2 && cell.front() == '"' && cell.back() == '"';
  return IsDecimal(cell);  // integers, timestamp_ns, date32
}

void SplitTabs(std::string_view line, std::vector<std::string_view>* cells) {
  cells->clear();
  size_t start = 0;
  for (;;) {
    const size_t tab = line.find('\t', start);
    if (tab == std::string_view::npos) {
      cells->push_back(line.substr(start));
      return;
    }
    cells->push_back(line.substr(start, tab - start));
    start = tab + 1;
  }
}

std::string Snippet(std::string_view s) {
  return std::string(s.substr(0, 60)) + (s.size() > 60 ? "..." : "");
}

}  // namespace

std::string SourceDir() {
  const char* dir = std::getenv("EDGEPIPE_SOURCE_DIR");
  if (dir != nullptr && dir[0] != '\0') return dir;
  return EDGEPIPE_DEFAULT_SOURCE_DIR;
}

bool PeersAvailable() { return CheckPeersOnce().available; }

std::string PeersMissingReason() { return CheckPeersOnce().reason; }

bool PeersRequired() {
  const char* v = std::getenv("EDGEPIPE_REQUIRE_PEERS");
  return v != nullptr && v[0] != '\0' && std::strcmp(v, "0") != 0;
}

Result<std::string> RunProcess(const std::vector<std::string>& argv, int timeout_seconds) {
  SubprocessOptions options;
  options.timeout_seconds = timeout_seconds;
  return RunSubprocessForOutput(argv, options);
}

std::string NodeBinary() {
  const char* node = std::getenv("EDGEPIPE_NODE");
  return node != nullptr && node[0] != '\0' ? node : "node";
}

Result<std::string> RunPeer(const std::vector<std::string>& args, int timeout_seconds) {
  if (args.empty() || args[0].empty() || args[0].find('/') != std::string::npos) {
    return Status::InvalidArgument("RunPeer: args[0] must be a script name in tests/interop/peers");
  }
  std::vector<std::string> argv = {NodeBinary(), SourceDir() + "/tests/interop/peers/" + args[0]};
  argv.insert(argv.end(), args.begin() + 1, args.end());
  return RunProcess(argv, timeout_seconds);
}

Result<CanonicalTable> ParseCanonical(std::string_view text) {
  if (text.empty()) return Status::Corruption("canonical dump: empty text, expected a header line");
  if (text.back() != '\n') {
    return Status::Corruption("canonical dump: text does not end with a newline (truncated output?)");
  }
  CanonicalTable table;
  std::vector<std::string_view> cells;
  size_t line_no = 0;
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = text.find('\n', start);  // exists: text ends with '\n'
    const std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_no;
    SplitTabs(line, &cells);
    if (line_no == 1) {
      if (line.empty()) return Status::Corruption("canonical dump: line 1: empty header");
      for (std::string_view cell : cells) {
        const size_t colon = cell.rfind(':');
        if (colon == std::string_view::npos || colon == 0) {
          return Status::Corruption("canonical dump: line 1: header cell '" + Snippet(cell) +
                                    "' is not name:type");
        }
        const std::string_view type = cell.substr(colon + 1);
        if (!IsKnownType(type)) {
          return Status::Corruption("canonical dump: line 1: unknown type '" + Snippet(type) + "'");
        }
        table.names.emplace_back(cell.substr(0, colon));
        table.types.emplace_back(type);
      }
      table.columns.resize(cells.size());
      continue;
    }
    if (cells.size() != table.names.size()) {
      return Status::Corruption("canonical dump: line " + std::to_string(line_no) + ": " +
                                std::to_string(cells.size()) + " cells, header has " +
                                std::to_string(table.names.size()) + ": " + Snippet(line));
    }
    for (size_t col = 0; col < cells.size(); ++col) {
      if (!CellMatchesType(cells[col], table.types[col])) {
        return Status::Corruption("canonical dump: line " + std::to_string(line_no) + ", column '" +
                                  table.names[col] + "': '" + Snippet(cells[col]) + "' is not a " +
                                  table.types[col] + " cell");
      }
      table.columns[col].emplace_back(cells[col]);
    }
  }
  return table;
}

std::string CanonicalFloat32(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  char buf[9];
  std::snprintf(buf, sizeof(buf), "%08x", bits);
  return buf;
}

std::string CanonicalFloat64(double value) {
  uint64_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(bits));
  return buf;
}

std::string CanonicalString(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size() + 2);
  out.push_back('"');
  for (char ch : utf8) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[7];
          std::snprintf(buf, sizeof(buf), "\\u%04x", c);
          out += buf;
        } else {
          out.push_back(ch);
        }
    }
  }
  out.push_back('"');
  return out;
}

}  // namespace edgepipe::testing
