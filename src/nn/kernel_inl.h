#pragma once
// Template definitions for nn/kernel.h.

#include <string>

#include "nn/op_params.h"

namespace edgepipe::nn {

template <typename Fn>
Status DnnlCall(const Node& node, const char* what, Fn&& fn) {
  try {
    return fn();
  } catch (const dnnl::error& e) {
    const std::string msg = NodeContext(node) + "oneDNN " + what + ": " + e.what();
    if (e.status == dnnl_unimplemented) return Status::NotSupported(msg);
    return Status::Internal(msg);
  } catch (const std::exception& e) {
    return Status::Internal(NodeContext(node) + what + ": " + e.what());
  }
}

}  // namespace edgepipe::nn
