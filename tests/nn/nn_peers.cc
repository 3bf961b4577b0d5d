#include "nn/nn_peers.h"

#include <unistd.h>

#include <filesystem>
#include <mutex>

namespace edgepipe::nn::testing {

std::string ScratchDir() {
  static const std::string dir = [] {
    const std::filesystem::path p =
        std::filesystem::temp_directory_path() / ("edgepipe_nn_" + std::to_string(getpid()));
    std::filesystem::create_directories(p);
    return p.string();
  }();
  return dir;
}

Result<std::string> RunOrt(const std::vector<std::string>& args, int timeout_seconds) {
  std::vector<std::string> argv = {::edgepipe::testing::NodeBinary(), SourceDir() + "/tests/nn/peers/" + args.at(0)};
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
