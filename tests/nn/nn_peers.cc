#include "nn/nn_peers.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "interop/peer_runner.h"

extern char** environ;

namespace edgepipe::nn::testing {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

}  // namespace

std::string SourceDir() {
  const char* dir = std::getenv("EDGEPIPE_SOURCE_DIR");
  return dir && *dir ? dir : EDGEPIPE_DEFAULT_SOURCE_DIR;
}

std::string ScratchDir() {
  static const std::string dir = [] {
    const std::filesystem::path p =
        std::filesystem::temp_directory_path() / ("edgepipe_nn_" + std::to_string(getpid()));
    std::filesystem::create_directories(p);
    return p.string();
  }();
  return dir;
}

Result<std::string> RunProcess(const std::vector<std::string>& argv_in, int timeout_seconds) {
  static int counter = 0;
  const std::string base = ScratchDir() + "/proc" + std::to_string(++counter);
  const std::string out_path = base + ".out", err_path = base + ".err";
  std::vector<std::string> storage = argv_in;
  std::vector<char*> argv;
  for (std::string& s : storage) argv.push_back(s.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return Status::IOError("cannot run '" + argv_in[0] + "': " + std::strerror(rc));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  int status = 0;
  while (true) {
    const pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) return Status::IOError(std::string("waitpid: ") + std::strerror(errno));
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return Status::IOError(argv_in[0] + " timed out after " + std::to_string(timeout_seconds) + " s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  std::string err = ReadAll(err_path);
  if (err.size() > 2000) err = "..." + err.substr(err.size() - 2000);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return Status::IOError(argv_in[0] + " " + (argv_in.size() > 1 ? argv_in[1] : "") + " failed (status " +
                           std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + "): " + err);
  }
  return ReadAll(out_path);
}

Result<std::string> RunOrt(const std::vector<std::string>& args, int timeout_seconds) {
  const char* node = std::getenv("EDGEPIPE_NODE");
  std::vector<std::string> argv = {node && *node ? node : "node", SourceDir() + "/tests/nn/peers/" + args.at(0)};
  argv.insert(argv.end(), args.begin() + 1, args.end());
  return RunProcess(argv, timeout_seconds);
}

Status ExportZooModel(const std::string& model, const std::string& path) {
  return RunProcess({"/usr/bin/python3", SourceDir() + "/scripts/models/export.py", model, "--out", path}).status();
}

const std::string& NnPeersMissingReason() {
  static std::string reason;
  static std::once_flag once;
  std::call_once(once, [] {
    auto ort = RunOrt({"ort_run.mjs", "--check"}, 120);
    if (!ort.ok()) {
      reason = "ONNX Runtime unavailable (" + ort.status().ToString() +
               "); run `npm install --ignore-scripts` in the repository (docs/interop.md)";
      return;
    }
    auto py = RunProcess({"/usr/bin/python3", "-c", "import torch, torchvision, onnx"}, 120);
    if (!py.ok()) {
      reason = "PyTorch unavailable (" + py.status().ToString() +
               "); install the Debian packages python3-torch python3-torchvision python3-onnx";
    }
  });
  return reason;
}

bool NnPeersRequired() { return ::edgepipe::testing::PeersRequired(); }

}  // namespace edgepipe::nn::testing
