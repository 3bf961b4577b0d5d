#pragma once
// RunSubprocess: runs a program as a child process and captures what it
// prints. The one place edgepipe spawns a child: the benchmark peers
// (bench::PeerRunner) and the test helpers that run reference engines
// (tests/interop/peer_runner.h, tests/nn/nn_peers.h) all go through it.
//
// The child gets stdin from /dev/null, stdout and stderr on pipes (read
// together, so a child blocked on a full stderr pipe cannot deadlock us),
// and (by default) its own process group: at the deadline the whole group
// is killed with SIGKILL, so the grandchildren of a shell or a script die
// with it.
// Thread safety: RunSubprocess may be called from several threads at once;
// the children inherit no pipe of another call (O_CLOEXEC).

#include <cstddef>
#include <functional>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "edgepipe/core/status.h"

namespace edgepipe {

struct SubprocessOptions {
  // Seconds from the start until the child's process group is killed; the
  // default waits for ever.
  double timeout_seconds = std::numeric_limits<double>::infinity();
  // Added to (or replacing in) the inherited environment.
  std::vector<std::pair<std::string, std::string>> env;
  std::string working_dir;  // empty: the current directory
  // True: the child leads a new process group, killed as a whole at the
  // deadline. False (interactive commands): it stays in ours, so the
  // terminal's Ctrl-C reaches it too; a timeout then kills only the child.
  bool own_process_group = true;
  // Beyond this, stdout is dropped and stdout_truncated is set.
  size_t max_stdout_bytes = size_t{64} << 20;
  // Only the last this many bytes of stderr are kept.
  size_t max_stderr_bytes = size_t{64} << 10;
  // Sees each stderr line (without its '\n') as it arrives; a line for which
  // it returns true is consumed and not kept in stderr_text (progress lines).
  std::function<bool(std::string_view line)> on_stderr_line;
};

struct SubprocessResult {
  // errno of a start that failed (ENOENT: no such program); nothing ran and
  // the other fields keep their defaults.
  int spawn_error = 0;
  bool timed_out = false;  // killed at the deadline
  int exit_code = -1;      // -1 unless it exited on its own
  int term_signal = 0;     // the signal that ended it (SIGKILL after a timeout)
  std::string stdout_text;
  bool stdout_truncated = false;
  std::string stderr_text;  // the kept lines, each ending in '\n'
  double wall_seconds = 0;

  bool ok() const { return spawn_error == 0 && !timed_out && exit_code == 0 && !stdout_truncated; }
};

// Runs argv (argv[0] is searched on PATH when it has no '/') to completion
// or to the deadline. Every way the child can fail is in the result; the
// Status is an error only for an empty argv (InvalidArgument) or when the
// pipe machinery fails (IOError).
Result<SubprocessResult> RunSubprocess(const std::vector<std::string>& argv, const SubprocessOptions& options = {});

// OK when `run` is ok(). Otherwise IOError naming the command line and how
// it ended, then the tail of its stderr, e.g.
//   'node x.mjs --engine spark' exited with status 1; stderr: x.mjs: error: unknown engine
Status CheckSubprocess(const std::vector<std::string>& argv, const SubprocessOptions& options,
                       const SubprocessResult& run);

// RunSubprocess, then CheckSubprocess: the stdout of a run that exited 0.
Result<std::string> RunSubprocessForOutput(const std::vector<std::string>& argv,
                                           const SubprocessOptions& options = {});

}  // namespace edgepipe
