#include "edgepipe/core/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>

extern char** environ;

namespace edgepipe {
namespace {

// How much of stderr an error message quotes.
constexpr size_t kStderrTailBytes = 4000;

// Closes a descriptor once (pipes are closed on several paths).
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

class Stopwatch {
 public:
  double Seconds() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count(); }

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

std::string ErrnoText(int err) { return std::strerror(err); }

// Splits stderr into lines as bytes arrive: the callback may consume a line,
// the others are kept (the last max_bytes of them).
class StderrSink {
 public:
  StderrSink(const SubprocessOptions& options, std::string* kept) : options_(options), kept_(kept) {}
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
    if (options_.on_stderr_line && options_.on_stderr_line(line)) return;
    kept_->append(line);
    kept_->push_back('\n');
    if (kept_->size() > options_.max_stderr_bytes) kept_->erase(0, kept_->size() - options_.max_stderr_bytes);
  }

  const SubprocessOptions& options_;
  std::string* kept_;
  std::string partial_;
};

// posix_spawn's argv and envp: the strings, and the pointer arrays into them.
// envp is empty (use environ) when the options change no variable.
struct SpawnArgs {
  std::vector<std::string> argv_strings, env_strings;
  std::vector<char*> argv, envp;
};

SpawnArgs MakeSpawnArgs(const std::vector<std::string>& argv, const SubprocessOptions& options) {
  SpawnArgs args;
  args.argv_strings = argv;
  for (auto& str : args.argv_strings) args.argv.push_back(str.data());
  args.argv.push_back(nullptr);
  if (options.env.empty()) return args;
  std::map<std::string, std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry = *e;
    const size_t eq = entry.find('=');
    if (eq != std::string::npos) env[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  for (const auto& [key, value] : options.env) env[key] = value;
  for (const auto& [key, value] : env) args.env_strings.push_back(key + "=" + value);
  for (auto& str : args.env_strings) args.envp.push_back(str.data());
  args.envp.push_back(nullptr);
  return args;
}

// Starts the child with stdin from /dev/null and stdout/stderr on the given
// pipe ends; returns posix_spawnp's error number (0 on success).
int Spawn(const SubprocessOptions& options, SpawnArgs* args, int out_fd, int err_fd, pid_t* pid) {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_fd, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_fd, STDERR_FILENO);
  if (!options.working_dir.empty()) {
    posix_spawn_file_actions_addchdir_np(&actions, options.working_dir.c_str());
  }
  // Own process group, so a timeout kills the child and anything it started.
  if (options.own_process_group) {
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  }
  char** envp = args->envp.empty() ? environ : args->envp.data();
  const int err = ::posix_spawnp(pid, args->argv[0], &actions, &attr, args->argv.data(), envp);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  return err;
}

// Reads stdout (kept up to max_stdout_bytes) and stderr (to the sink) until
// both pipes close or the deadline passes, which kills the process group.
Status DrainPipes(pid_t pid, const SubprocessOptions& options, const Stopwatch& clock, Fd* out_read, Fd* err_read,
                  StderrSink* sink, SubprocessResult* run) {
  char buf[65536];
  while (out_read->get() >= 0 || err_read->get() >= 0) {
    const double left = options.timeout_seconds - clock.Seconds();
    if (left <= 0) {
      run->timed_out = true;
      ::kill(options.own_process_group ? -pid : pid, SIGKILL);
      return Status::OK();
    }
    pollfd fds[2];
    int nfds = 0;
    if (out_read->get() >= 0) fds[nfds++] = {out_read->get(), POLLIN, 0};
    if (err_read->get() >= 0) fds[nfds++] = {err_read->get(), POLLIN, 0};
    const int ready = ::poll(fds, static_cast<nfds_t>(nfds), static_cast<int>(std::min(left * 1000 + 1, 1000.0)));
    if (ready < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::kill(options.own_process_group ? -pid : pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
      return Status::IOError("poll: " + ErrnoText(err));
    }
    for (int i = 0; i < nfds; ++i) {
      if (fds[i].revents == 0) continue;
      const ssize_t n = ::read(fds[i].fd, buf, sizeof(buf));
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      Fd* which = fds[i].fd == out_read->get() ? out_read : err_read;
      if (n <= 0) {
        which->Close();
        continue;
      }
      const auto got = static_cast<size_t>(n);
      if (which == err_read) {
        sink->Add(buf, got);
      } else if (run->stdout_text.size() + got <= options.max_stdout_bytes) {
        run->stdout_text.append(buf, got);
      } else {
        run->stdout_truncated = true;
      }
    }
  }
  return Status::OK();
}

// The pipes are closed; the child may still be running (or hang): waits for
// it under the same deadline, killing its group when that passes.
Status WaitForExit(pid_t pid, const SubprocessOptions& options, const Stopwatch& clock, SubprocessResult* run) {
  int wstatus = 0;
  while (true) {
    const pid_t done = ::waitpid(pid, &wstatus, run->timed_out ? 0 : WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) return Status::IOError("waitpid: " + ErrnoText(errno));
    if (done == 0) {
      if (clock.Seconds() >= options.timeout_seconds) {
        run->timed_out = true;
        ::kill(options.own_process_group ? -pid : pid, SIGKILL);
      } else {
        ::usleep(2000);
      }
    }
  }
  if (WIFEXITED(wstatus)) run->exit_code = WEXITSTATUS(wstatus);
  if (WIFSIGNALED(wstatus)) run->term_signal = WTERMSIG(wstatus);
  return Status::OK();
}

// The command line for messages: arguments with blanks or quotes (or
// empty ones) in double quotes.
std::string CommandLine(const std::vector<std::string>& argv) {
  std::string out;
  for (const std::string& arg : argv) {
    if (!out.empty()) out += ' ';
    const bool quote = arg.empty() || arg.find_first_of(" \t\n'\"") != std::string::npos;
    out += quote ? "\"" + arg + "\"" : arg;
  }
  return out;
}

// "; stderr: <last kStderrTailBytes, trailing newline dropped>" or "".
std::string StderrTail(const std::string& text) {
  const size_t end = text.find_last_not_of(" \t\r\n");
  if (end == std::string::npos) return "";
  const size_t begin = end + 1 > kStderrTailBytes ? end + 1 - kStderrTailBytes : 0;
  return std::string("; stderr: ") + (begin > 0 ? "..." : "") + text.substr(begin, end + 1 - begin);
}

}  // namespace

Result<SubprocessResult> RunSubprocess(const std::vector<std::string>& argv, const SubprocessOptions& options) {
  if (argv.empty() || argv[0].empty()) return Status::InvalidArgument("RunSubprocess: empty command");
  SpawnArgs args = MakeSpawnArgs(argv, options);
  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) return Status::IOError("pipe: " + ErrnoText(errno));
  Fd out_read(out_pipe[0]), out_write(out_pipe[1]);
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) return Status::IOError("pipe: " + ErrnoText(errno));
  Fd err_read(err_pipe[0]), err_write(err_pipe[1]);

  SubprocessResult run;
  const Stopwatch clock;
  pid_t pid = -1;
  run.spawn_error = Spawn(options, &args, out_write.get(), err_write.get(), &pid);
  // Our copies of the write ends must go, or the pipes never report EOF.
  out_write.Close();
  err_write.Close();
  if (run.spawn_error != 0) return run;

  StderrSink sink(options, &run.stderr_text);
  RETURN_NOT_OK(DrainPipes(pid, options, clock, &out_read, &err_read, &sink, &run));
  sink.Finish();
  RETURN_NOT_OK(WaitForExit(pid, options, clock, &run));
  run.wall_seconds = clock.Seconds();
  return run;
}

Status CheckSubprocess(const std::vector<std::string>& argv, const SubprocessOptions& options,
                       const SubprocessResult& run) {
  if (run.ok()) return Status::OK();
  const std::string what = "'" + CommandLine(argv) + "'";
  if (run.spawn_error != 0) return Status::IOError("cannot run " + what + ": " + ErrnoText(run.spawn_error));
  const std::string tail = StderrTail(run.stderr_text);
  if (run.timed_out) {
    char seconds[32];
    std::snprintf(seconds, sizeof(seconds), "%g", options.timeout_seconds);
    return Status::IOError(what + " timed out after " + seconds + " s (killed)" + tail);
  }
  if (run.term_signal != 0) {
    return Status::IOError(what + " killed by signal " + std::to_string(run.term_signal) + tail);
  }
  if (run.exit_code != 0) {
    return Status::IOError(what + " exited with status " + std::to_string(run.exit_code) + tail);
  }
  return Status::IOError(what + " printed more than " + std::to_string(options.max_stdout_bytes) +
                         " bytes on stdout");
}

Result<std::string> RunSubprocessForOutput(const std::vector<std::string>& argv, const SubprocessOptions& options) {
  ASSIGN_OR_RETURN(SubprocessResult run, RunSubprocess(argv, options));
  RETURN_NOT_OK(CheckSubprocess(argv, options, run));
  return std::move(run.stdout_text);
}

}  // namespace edgepipe
