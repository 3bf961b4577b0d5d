#include "csv/chunker.h"

#include <cstring>

namespace edgepipe::csv {
namespace {

size_t Find(const uint8_t* data, size_t from, size_t to, char c) {
  if (from >= to) return to;
  const void* p = std::memchr(data + from, static_cast<unsigned char>(c), to - from);
  return p ? static_cast<size_t>(static_cast<const uint8_t*>(p) - data) : to;
}

// Last line feed in [from, to), or SIZE_MAX.
size_t FindLastNewline(const uint8_t* data, size_t from, size_t to) {
  if (from >= to) return SIZE_MAX;
  const void* p = memrchr(data + from, '\n', to - from);
  return p ? static_cast<size_t>(static_cast<const uint8_t*>(p) - data) : SIZE_MAX;
}

}  // namespace

size_t Chunker::SkipQuoted(const uint8_t* data, size_t size, size_t open) const {
  size_t pos = open + 1;
  while (true) {
    const size_t q = Find(data, pos, size, quote_);
    if (q == size) return size;
    if (q + 1 < size && data[q + 1] == static_cast<uint8_t>(quote_)) {
      pos = q + 2;  // "" is an escaped quote
      continue;
    }
    return q + 1;
  }
}

size_t Chunker::FindBlockEnd(const uint8_t* data, size_t size, size_t begin, size_t block_size) const {
  if (begin >= size || size - begin <= block_size) return size;
  const size_t target = begin + block_size;

  // Phase 1: the last unquoted line feed before target. Between two quote
  // characters there are no quotes, so memrchr finds the segment's last
  // line feed.
  size_t pos = begin;
  size_t last_newline = SIZE_MAX;
  while (pos < target) {
    const size_t q = Find(data, pos, target, quote_);
    const size_t nl = FindLastNewline(data, pos, q);
    if (nl != SIZE_MAX) last_newline = nl;
    if (q == target) break;
    pos = AtFieldStart(data, begin, q) ? SkipQuoted(data, size, q) : q + 1;
  }
  if (last_newline != SIZE_MAX) return last_newline + 1;

  // Phase 2: the row is longer than the block; end it at its first unquoted
  // line feed.
  while (pos < size) {
    const size_t nl = Find(data, pos, size, '\n');
    const size_t q = Find(data, pos, nl, quote_);
    if (q == nl) return nl == size ? size : nl + 1;
    pos = AtFieldStart(data, begin, q) ? SkipQuoted(data, size, q) : q + 1;
  }
  return size;
}

}  // namespace edgepipe::csv
