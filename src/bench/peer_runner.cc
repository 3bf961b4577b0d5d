#include "edgepipe/bench/peer_runner.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "edgepipe/core/subprocess.h"

namespace edgepipe::bench {

namespace {

std::string ErrnoText(int err) { return std::strerror(err); }

// The last `max_lines` lines of `text`, joined with "; ".
std::string TailLines(const std::string& text, int max_lines) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) lines.push_back(line);
  }
  std::string out;
  const size_t first = lines.size() > static_cast<size_t>(max_lines) ? lines.size() - max_lines : 0;
  for (size_t i = first; i < lines.size(); ++i) out += (out.empty() ? "" : "; ") + lines[i];
  return out;
}

// The JSON object on stdout: the whole text, or else its last non-empty line
// (a library may print a banner first).
bool ParseOutput(const std::string& text, nlohmann::json* out) {
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_discarded() && doc.is_object()) {
    *out = std::move(doc);
    return true;
  }
  size_t end = text.find_last_not_of(" \t\r\n");
  if (end == std::string::npos) return false;
  size_t begin = text.rfind('\n', end);
  begin = begin == std::string::npos ? 0 : begin + 1;
  doc = nlohmann::json::parse(text.substr(begin, end + 1 - begin), nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return false;
  *out = std::move(doc);
  return true;
}

// Status and message of a finished peer, from how it ended and what it printed.
void Classify(const PeerCommand& command, SubprocessResult run, int not_installed_exit_code, PeerOutcome* outcome) {
  outcome->stderr_text = std::move(run.stderr_text);
  outcome->wall_seconds = run.wall_seconds;
  const std::string errors = TailLines(outcome->stderr_text, 5);
  const std::string tail = errors.empty() ? "" : ": " + errors;
  if (run.timed_out) {
    outcome->status = PeerStatus::kTimedOut;
    outcome->message = "killed after " + std::to_string(static_cast<int>(command.timeout_seconds)) + " s" + tail;
    return;
  }
  if (run.term_signal != 0) {
    outcome->message = "killed by signal " + std::to_string(run.term_signal) + tail;
    return;
  }
  outcome->exit_code = run.exit_code;
  if (outcome->exit_code == not_installed_exit_code) {
    outcome->status = PeerStatus::kNotInstalled;
    outcome->message = errors.empty() ? "the peer reports its engine is not installed" : errors;
    return;
  }
  if (outcome->exit_code != 0) {
    outcome->message = "exit status " + std::to_string(outcome->exit_code) + tail;
    return;
  }
  if (run.stdout_truncated) {
    outcome->message = "printed more than 64 MiB on stdout";
    return;
  }
  if (!ParseOutput(run.stdout_text, &outcome->output)) {
    outcome->message = "did not print one JSON object on stdout (got: '" + run.stdout_text.substr(0, 200) + "')" +
                       (errors.empty() ? "" : "; stderr: " + errors);
    return;
  }
  outcome->status = PeerStatus::kOk;
}

}  // namespace

std::string_view PeerStatusName(PeerStatus status) {
  switch (status) {
    case PeerStatus::kOk: return "ok";
    case PeerStatus::kNotInstalled: return "not installed";
    case PeerStatus::kFailed: return "failed";
    case PeerStatus::kTimedOut: return "timed out";
  }
  return "unknown";
}

bool FindOnPath(const std::string& program) {
  if (program.empty()) return false;
  if (program.find('/') != std::string::npos) return ::access(program.c_str(), X_OK) == 0;
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "/usr/local/bin:/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    const std::string candidate = (dir.empty() ? "." : dir) + "/" + program;
    struct stat st;
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(candidate.c_str(), X_OK) == 0) {
      return true;
    }
  }
  return false;
}

Result<std::string> NodePackageVersion(const std::string& node_modules_dir, const std::string& package) {
  const std::string path = node_modules_dir + "/" + package + "/package.json";
  std::ifstream in(path);
  if (!in) return Status::NotFound("package '" + package + "' is not installed (no " + path + ")");
  nlohmann::json doc = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("version") || !doc["version"].is_string()) {
    return Status::Corruption(path + ": not a package manifest with a string \"version\"");
  }
  return doc["version"].get<std::string>();
}

Result<PeerOutcome> PeerRunner::Run(const PeerCommand& command, const ProgressFn& progress) const {
  PeerOutcome outcome;
  if (command.argv.empty()) return Status::InvalidArgument("peer '" + command.name + "': empty command");
  if (!FindOnPath(command.argv[0])) {
    outcome.status = PeerStatus::kNotInstalled;
    outcome.message = "'" + command.argv[0] + "' not found on PATH";
    return outcome;
  }
  SubprocessOptions options;
  options.timeout_seconds = command.timeout_seconds;
  options.env = command.env;
  options.working_dir = command.working_dir;
  const std::string& prefix = options_.progress_prefix;
  if (!prefix.empty()) {
    options.on_stderr_line = [&](std::string_view line) {
      if (line.substr(0, prefix.size()) != prefix) return false;
      if (progress) progress(line.substr(prefix.size()));
      return true;
    };
  }
  ASSIGN_OR_RETURN(SubprocessResult run, RunSubprocess(command.argv, options));
  if (run.spawn_error == ENOENT) {
    outcome.status = PeerStatus::kNotInstalled;
    outcome.message = "'" + command.argv[0] + "' not found";
    return outcome;
  }
  if (run.spawn_error != 0) {
    outcome.message = "cannot start '" + command.argv[0] + "': " + ErrnoText(run.spawn_error);
    return outcome;
  }
  Classify(command, std::move(run), options_.not_installed_exit_code, &outcome);
  return outcome;
}

}  // namespace edgepipe::bench
