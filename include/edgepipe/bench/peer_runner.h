#pragma once
// PeerRunner: runs one peer (another engine's benchmark script, e.g.
// `node bench/peers/io_polars.mjs --csv F --runs 5`) as a child process and
// collects the single JSON object it prints on stdout.
//
// A peer that cannot run is reported, never dropped: the outcome says
// kNotInstalled when the program is not on PATH or the peer exits with
// PeerRunnerOptions::not_installed_exit_code (the scripts do when their
// engine package cannot be imported), kTimedOut when it outlives the
// timeout (its whole process group is killed), kFailed for any other exit
// status or for output that is not one JSON object, with the peer's own
// error lines from stderr in `message`.
//
// stderr lines starting with `progress_prefix` are handed to the progress
// callback (without the prefix) as they arrive; other lines are kept.
// Thread safety: Run() may be called from one thread at a time per runner.

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "edgepipe/core/status.h"

namespace edgepipe::bench {

struct PeerCommand {
  std::string name;               // for messages: "polars"
  std::vector<std::string> argv;  // argv[0] is looked up on PATH
  // Added to (or replacing in) the inherited environment.
  std::vector<std::pair<std::string, std::string>> env;
  std::string working_dir;        // empty: the current directory
  double timeout_seconds = 900;
};

enum class PeerStatus { kOk, kNotInstalled, kFailed, kTimedOut };
// "ok", "not installed", "failed", "timed out"
std::string_view PeerStatusName(PeerStatus status);

struct PeerOutcome {
  PeerStatus status = PeerStatus::kFailed;
  std::string message;         // why it is not ok (empty when ok)
  nlohmann::json output;       // the JSON object printed on stdout (when ok)
  std::string stderr_text;     // non-progress stderr lines (at most the last 64 KiB)
  int exit_code = -1;          // -1 when killed by a signal or never started
  double wall_seconds = 0;
};

struct PeerRunnerOptions {
  int not_installed_exit_code = 3;
  std::string progress_prefix = "progress ";
};

class PeerRunner {
 public:
  using ProgressFn = std::function<void(std::string_view line)>;

  explicit PeerRunner(PeerRunnerOptions options = {}) : options_(std::move(options)) {}

  // Runs the command to completion (or to its timeout). The outcome carries
  // every peer-side failure; the Status is an error only when the harness
  // itself cannot work (pipe or spawn machinery failing: IOError).
  Result<PeerOutcome> Run(const PeerCommand& command, const ProgressFn& progress = {}) const;

 private:
  PeerRunnerOptions options_;
};

// True when `program` is an executable file, or found as one on PATH.
bool FindOnPath(const std::string& program);

// "version" of <node_modules_dir>/<package>/package.json: NotFound when the
// package is not installed there, Corruption for an unreadable manifest.
Result<std::string> NodePackageVersion(const std::string& node_modules_dir, const std::string& package);

}  // namespace edgepipe::bench
