#pragma once
// Error messages of the CSV reader: "<path>:<line>: <what>", with the line
// (1-based, the header is line 1) computed only when an error happens, by
// counting line feeds before the offending row.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "edgepipe/core/status.h"

namespace edgepipe::csv::internal {

// The bytes being read and the name used in messages.
struct Source {
  std::string name;
  const uint8_t* data = nullptr;
  size_t size = 0;
};

// 1-based line number of the byte at `offset`.
int64_t LineAt(const Source& source, size_t offset);

// `text` in double quotes, control bytes escaped, cut to ~40 characters.
std::string Snippet(std::string_view text);

// The row starting at `offset` up to its line feed, as a Snippet.
std::string LineSnippet(const Source& source, size_t offset);

// Corruption("<name>:<line>: <what>") for the row starting at `offset`.
Status CorruptionAt(const Source& source, size_t offset, std::string_view what);

}  // namespace edgepipe::csv::internal
