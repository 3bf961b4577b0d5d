#pragma once
// Helpers that put the file path and absolute byte offsets into messages of
// the layers below, which only know offsets relative to the bytes they got.

#include <cstdint>
#include <string>
#include <string_view>

#include "edgepipe/core/status.h"

namespace edgepipe::parquet {

// Rewrites every "at offset N" in `message` as "at byte <base + N>".
std::string RebaseOffsets(std::string_view message, int64_t base);

// Same code, message "<prefix>: <RebaseOffsets(message, base)>".
Status WithByteContext(const Status& st, std::string_view prefix, int64_t base);

}  // namespace edgepipe::parquet
