#pragma once
// ONNX model import and export (protobuf from Debian's libonnx-dev).
//
// Import accepts default-domain opsets 13-17 and the ops listed in
// docs/nn.md; Constant nodes become constants and Dropout becomes Identity.
// Errors: Corruption for a file that is not a well-formed ModelProto (with
// the byte offset where decoding failed when it can be found) or whose
// initializers, names or references are inconsistent; NotSupported naming
// the node and op for an unsupported op, opset, data type or attribute.
// The result is topologically sorted with shapes inferred.

#include <string>
#include <string_view>

#include "edgepipe/nn/graph.h"

namespace edgepipe::nn {

// Models above this size are refused (protobuf's own limit is 2 GiB).
inline constexpr size_t kMaxOnnxBytes = size_t{2000} << 20;

Result<Graph> ImportOnnx(std::string_view bytes);
Result<Graph> ImportOnnxFile(const std::string& path);

// Serializes a graph as an ONNX ModelProto (IR version 8, the graph's opset
// clamped to 13-17). Fused activations become Relu/Clip nodes again, so the
// file runs in any ONNX runtime.
Result<std::string> ExportOnnx(const Graph& graph);
Status ExportOnnxFile(const Graph& graph, const std::string& path);

}  // namespace edgepipe::nn
