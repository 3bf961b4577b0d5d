#include "interop/peer_runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>

extern char** environ;

namespace edgepipe::testing {
namespace {

std::string Errno(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

std::string NodeBinary() {
  const char* node = std::getenv("EDGEPIPE_NODE");
  return node != nullptr && node[0] != '\0' ? node : "node";
}

// Closes a file descriptor once, on scope exit unless released.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { Close(); }
  int get() const { return fd_; }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

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
                      "); see docs/interop.md";
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

Result<std::string> RunPeer(const std::vector<std::string>& args, int timeout_seconds) {
  if (args.empty() || args[0].empty() || args[0].find('/') != std::string::npos) {
    return Status::InvalidArgument("RunPeer: args[0] must be a script name in tests/interop/peers");
  }
  const std::string node = NodeBinary();
  std::vector<std::string> argv_storage = {node, SourceDir() + "/tests/interop/peers/" + args[0]};
  argv_storage.insert(argv_storage.end(), args.begin() + 1, args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);

  int out_pipe[2];
  int err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) return Status::IOError(Errno("pipe2"));
  Fd out_read(out_pipe[0]);
  Fd out_write(out_pipe[1]);
  if (pipe2(err_pipe, O_CLOEXEC) != 0) return Status::IOError(Errno("pipe2"));
  Fd err_read(err_pipe[0]);
  Fd err_write(err_pipe[1]);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_write.get(), 1);
  posix_spawn_file_actions_adddup2(&actions, err_write.get(), 2);
  pid_t pid = -1;
  const int spawn_rc = posix_spawnp(&pid, node.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  out_write.Close();
  err_write.Close();
  if (spawn_rc != 0) {
    return Status::IOError("cannot run '" + node + "': " + std::strerror(spawn_rc) +
                           " (install Node.js 20+ or set EDGEPIPE_NODE)");
  }

  // Read both pipes together: a child blocked on a full stderr pipe while we
  // wait on stdout would never finish.
  std::string out;
  std::string err;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  bool timed_out = false;
  std::array<char, 65536> buf;
  while (out_read.get() >= 0 || err_read.get() >= 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd fds[2] = {{out_read.get(), POLLIN, 0}, {err_read.get(), POLLIN, 0}};
    const int n = poll(fds, 2, static_cast<int>(std::min<int64_t>(left.count(), 1000)));
    if (n < 0) {
      if (errno == EINTR) continue;
      timed_out = true;  // cannot wait any more: stop the child below
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      Fd& fd = i == 0 ? out_read : err_read;
      const ssize_t got = ::read(fd.get(), buf.data(), buf.size());
      if (got > 0) {
        (i == 0 ? out : err).append(buf.data(), static_cast<size_t>(got));
      } else if (got == 0 || errno != EINTR) {
        fd.Close();
      }
    }
  }
  if (timed_out) kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return Status::IOError(Errno("waitpid"));
  }
  const std::string what = "peer " + args[0];
  if (timed_out) {
    return Status::IOError(what + " timed out after " + std::to_string(timeout_seconds) +
                           " s; stderr: " + err);
  }
  if (WIFSIGNALED(status)) {
    return Status::IOError(what + " killed by signal " + std::to_string(WTERMSIG(status)) +
                           "; stderr: " + err);
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return Status::IOError(what + " exited with status " + std::to_string(WEXITSTATUS(status)) +
                           ": " + err);
  }
  return out;
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
