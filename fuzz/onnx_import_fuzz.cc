// ONNX importer on arbitrary bytes: never crashes, hangs or leaks; a model
// it accepts exports and re-imports to the same graph shape, and the graph
// passes (shape inference, constant folding, which runs kernels on the
// file's own constants) reject what they cannot handle instead of crashing.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "edgepipe/nn/onnx.h"
#include "edgepipe/nn/passes.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using edgepipe::Result;
  using namespace edgepipe::nn;
  Result<Graph> graph = ImportOnnx(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!graph.ok()) return 0;
  Result<std::string> bytes = ExportOnnx(*graph);
  if (!bytes.ok()) return 0;  // e.g. a graph our exporter cannot name uniquely
  Result<Graph> again = ImportOnnx(*bytes);
  if (!again.ok() || again->nodes.size() != graph->nodes.size() || again->outputs.size() != graph->outputs.size()) {
    std::abort();  // export -> import must round-trip what import accepted
  }
  (void)OptimizeGraph(&*graph);  // any Status is fine; a crash or sanitizer report is not
  return 0;
}
