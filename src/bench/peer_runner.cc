#include "edgepipe/bench/peer_runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <vector>

#include "edgepipe/bench/measure.h"

extern char** environ;

namespace edgepipe::bench {

namespace {

constexpr size_t kMaxStderrBytes = 64 * 1024;
constexpr size_t kMaxStdoutBytes = 64 * 1024 * 1024;

// Closes a descriptor once (pipes are closed on several paths).
struct Fd {
  int fd = -1;
  ~Fd() { Close(); }
  void Close() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

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

// Splits stderr into lines as bytes arrive: progress lines go to the
// callback, the others are kept (bounded).
class StderrSink {
 public:
  StderrSink(const std::string& prefix, const PeerRunner::ProgressFn& progress, std::string* kept)
      : prefix_(prefix), progress_(progress), kept_(kept) {}
  void Add(const char* data, size_t n) {
    partial_.append(data, n);
    size_t start = 0;
    for (size_t nl; (nl = partial_.find('\n', start)) != std::string::npos; start = nl + 1) {
      Line(std::string_view(partial_).substr(start, nl - start));
    }
    partial_.erase(0, start);
  }
  void Finish() {
    if (!partial_.empty()) Line(partial_);
    partial_.clear();
  }

 private:
  void Line(std::string_view line) {
    if (!prefix_.empty() && line.substr(0, prefix_.size()) == prefix_) {
      if (progress_) progress_(line.substr(prefix_.size()));
      return;
    }
    kept_->append(line);
    kept_->push_back('\n');
    if (kept_->size() > kMaxStderrBytes) kept_->erase(0, kept_->size() - kMaxStderrBytes);
  }

  const std::string& prefix_;
  const PeerRunner::ProgressFn& progress_;
  std::string* kept_;
  std::string partial_;
};

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

// posix_spawn's argv and envp: the strings, and the pointer arrays into them.
struct SpawnArgs {
  std::vector<std::string> argv_strings, env_strings;
  std::vector<char*> argv, envp;
};

// The inherited environment with the command's variables replacing any of
// the same name.
SpawnArgs MakeSpawnArgs(const PeerCommand& command) {
  std::map<std::string, std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry = *e;
    const size_t eq = entry.find('=');
    if (eq != std::string::npos) env[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  for (const auto& [key, value] : command.env) env[key] = value;
  SpawnArgs args;
  for (const auto& [key, value] : env) args.env_strings.push_back(key + "=" + value);
  for (auto& str : args.env_strings) args.envp.push_back(str.data());
  args.envp.push_back(nullptr);
  args.argv_strings = command.argv;
  for (auto& str : args.argv_strings) args.argv.push_back(str.data());
  args.argv.push_back(nullptr);
  return args;
}

// Starts the peer with stdin from /dev/null and stdout/stderr on the given
// pipe ends; returns posix_spawnp's error number (0 on success).
int Spawn(const PeerCommand& command, SpawnArgs* args, int out_fd, int err_fd, pid_t* pid) {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_fd, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_fd, STDERR_FILENO);
  if (!command.working_dir.empty()) {
    posix_spawn_file_actions_addchdir_np(&actions, command.working_dir.c_str());
  }
  // Own process group, so a timeout kills the peer and anything it started.
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  const int err = ::posix_spawnp(pid, args->argv[0], &actions, &attr, args->argv.data(), args->envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  return err;
}

// What the peer printed and how its run ended.
struct PeerStreams {
  std::string stdout_text;
  bool stdout_overflow = false;  // more than kMaxStdoutBytes: the rest dropped
  bool timed_out = false;        // killed at the deadline
};

// Reads stdout (kept, up to kMaxStdoutBytes) and stderr (to the sink) until
// both pipes close or the deadline passes, which kills the process group.
Status DrainPipes(pid_t pid, double timeout_seconds, const Timer& timer, Fd* out_read, Fd* err_read,
                  StderrSink* sink, PeerStreams* streams) {
  char buf[65536];
  while (out_read->fd >= 0 || err_read->fd >= 0) {
    const double left = timeout_seconds - timer.Seconds();
    if (left <= 0) {
      streams->timed_out = true;
      ::kill(-pid, SIGKILL);
      return Status::OK();
    }
    pollfd fds[2];
    int nfds = 0;
    if (out_read->fd >= 0) fds[nfds++] = {out_read->fd, POLLIN, 0};
    if (err_read->fd >= 0) fds[nfds++] = {err_read->fd, POLLIN, 0};
    const int ready = ::poll(fds, nfds, static_cast<int>(std::min(left * 1000 + 1, 1000.0)));
    if (ready < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
      return Status::IOError("poll: " + ErrnoText(err));
    }
    for (int i = 0; i < nfds; ++i) {
      if (fds[i].revents == 0) continue;
      const ssize_t n = ::read(fds[i].fd, buf, sizeof(buf));
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      Fd* which = fds[i].fd == out_read->fd ? out_read : err_read;
      if (n <= 0) {
        which->Close();
        continue;
      }
      if (which == out_read) {
        if (streams->stdout_text.size() + static_cast<size_t>(n) <= kMaxStdoutBytes) {
          streams->stdout_text.append(buf, static_cast<size_t>(n));
        } else {
          streams->stdout_overflow = true;
        }
      } else {
        sink->Add(buf, static_cast<size_t>(n));
      }
    }
  }
  return Status::OK();
}

// The pipes are closed; the peer may still be running (or hang): waits for
// it under the same deadline, killing its group when that passes.
Status WaitForExit(pid_t pid, double timeout_seconds, const Timer& timer, bool* timed_out, int* wstatus) {
  while (true) {
    const pid_t done = ::waitpid(pid, wstatus, *timed_out ? 0 : WNOHANG);
    if (done == pid) return Status::OK();
    if (done < 0 && errno != EINTR) return Status::IOError("waitpid: " + ErrnoText(errno));
    if (done == 0) {
      if (timer.Seconds() >= timeout_seconds) {
        *timed_out = true;
        ::kill(-pid, SIGKILL);
      } else {
        ::usleep(2000);
      }
    }
  }
}

// Status and message of a finished peer, from how it ended and what it printed.
void Classify(const PeerCommand& command, const PeerStreams& streams, int wstatus, int not_installed_exit_code,
              PeerOutcome* outcome) {
  const std::string errors = TailLines(outcome->stderr_text, 5);
  const std::string tail = errors.empty() ? "" : ": " + errors;
  if (streams.timed_out) {
    outcome->status = PeerStatus::kTimedOut;
    outcome->message = "killed after " + std::to_string(static_cast<int>(command.timeout_seconds)) + " s" + tail;
    return;
  }
  if (WIFSIGNALED(wstatus)) {
    outcome->message = "killed by signal " + std::to_string(WTERMSIG(wstatus)) + tail;
    return;
  }
  outcome->exit_code = WEXITSTATUS(wstatus);
  if (outcome->exit_code == not_installed_exit_code) {
    outcome->status = PeerStatus::kNotInstalled;
    outcome->message = errors.empty() ? "the peer reports its engine is not installed" : errors;
    return;
  }
  if (outcome->exit_code != 0) {
    outcome->message = "exit status " + std::to_string(outcome->exit_code) + tail;
    return;
  }
  if (streams.stdout_overflow) {
    outcome->message = "printed more than 64 MiB on stdout";
    return;
  }
  if (!ParseOutput(streams.stdout_text, &outcome->output)) {
    outcome->message = "did not print one JSON object on stdout (got: '" + streams.stdout_text.substr(0, 200) + "')" +
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
  SpawnArgs args = MakeSpawnArgs(command);
  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) return Status::IOError("pipe: " + ErrnoText(errno));
  Fd out_read{out_pipe[0]}, out_write{out_pipe[1]};
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) return Status::IOError("pipe: " + ErrnoText(errno));
  Fd err_read{err_pipe[0]}, err_write{err_pipe[1]};

  Timer timer;
  pid_t pid = -1;
  const int spawn_err = Spawn(command, &args, out_write.fd, err_write.fd, &pid);
  out_write.Close();
  err_write.Close();
  if (spawn_err == ENOENT) {
    outcome.status = PeerStatus::kNotInstalled;
    outcome.message = "'" + command.argv[0] + "' not found";
    return outcome;
  }
  if (spawn_err != 0) {
    outcome.message = "cannot start '" + command.argv[0] + "': " + ErrnoText(spawn_err);
    return outcome;
  }

  PeerStreams streams;
  StderrSink sink(options_.progress_prefix, progress, &outcome.stderr_text);
  RETURN_NOT_OK(DrainPipes(pid, command.timeout_seconds, timer, &out_read, &err_read, &sink, &streams));
  sink.Finish();
  int wstatus = 0;
  RETURN_NOT_OK(WaitForExit(pid, command.timeout_seconds, timer, &streams.timed_out, &wstatus));
  outcome.wall_seconds = timer.Seconds();
  Classify(command, streams, wstatus, options_.not_installed_exit_code, &outcome);
  return outcome;
}

}  // namespace edgepipe::bench
