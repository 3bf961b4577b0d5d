#pragma once
// Reference engines for the nn interop tests: ONNX Runtime (onnxruntime-node,
// tests/nn/peers/ort_run.mjs) and PyTorch (scripts/models/export.py, Debian's
// python3-torch). Processes run through tests/interop/peer_runner.h, whose
// RunProcess, SourceDir and PeersRequired these tests share.

#include <string>
#include <vector>

#include "edgepipe/core/status.h"
#include "interop/peer_runner.h"

namespace edgepipe::nn::testing {

// RunProcess(argv, timeout_seconds): argv[0] (searched on PATH) with its
// stdout returned; a non-zero exit, a signal or a timeout is IOError naming
// the command, with the stderr tail.
using ::edgepipe::testing::RunProcess;
using ::edgepipe::testing::SourceDir;  // $EDGEPIPE_SOURCE_DIR or the configure-time source dir

std::string ScratchDir();  // a fresh directory for this process's files

// node + onnxruntime-node load, and /usr/bin/python3 imports torch,
// torchvision and onnx; "" when both work, else the reason with the fix.
const std::string& NnPeersMissingReason();
bool NnPeersRequired();  // $EDGEPIPE_REQUIRE_PEERS set and not "0"

// node tests/nn/peers/<script> args...
Result<std::string> RunOrt(const std::vector<std::string>& args, int timeout_seconds = 600);
// /usr/bin/python3 scripts/models/export.py <model> --out <path>
Status ExportZooModel(const std::string& model, const std::string& path);

}  // namespace edgepipe::nn::testing

#define EDGEPIPE_SKIP_WITHOUT_NN_PEERS()                                                          \
  do {                                                                                            \
    const std::string& _why = ::edgepipe::nn::testing::NnPeersMissingReason();                    \
    if (!_why.empty()) {                                                                          \
      if (::edgepipe::nn::testing::NnPeersRequired()) FAIL() << "EDGEPIPE_REQUIRE_PEERS is set but " << _why; \
      GTEST_SKIP() << _why;                                                                       \
    }                                                                                             \
  } while (0)
