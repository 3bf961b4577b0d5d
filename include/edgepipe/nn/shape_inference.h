#pragma once
// Shape and type inference over the IR.

#include <vector>

#include "edgepipe/nn/graph.h"

namespace edgepipe::nn {

struct ValueType {
  DType dtype = DType::kF32;
  Shape shape;
};

// Output types of `node` from its inputs' types in `graph` (one per output;
// entries for kNoValue outputs are unspecified). NotSupported for an op
// without a shape function, InvalidArgument naming the node for
// inconsistent inputs or attributes.
Result<std::vector<ValueType>> InferNodeTypes(const Graph& graph, const Node& node);

// Sets dtype/shape of every node output, in node order (sort first). Graph
// inputs keep their declared types; -1 dims propagate.
Status InferShapes(Graph* graph);

// True for the ops the importer, the exporter and shape inference know.
bool IsKnownOp(std::string_view op);

}  // namespace edgepipe::nn
