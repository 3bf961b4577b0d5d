#include "csv/error_internal.h"

#include <algorithm>
#include <cstring>

namespace edgepipe::csv::internal {

int64_t LineAt(const Source& source, size_t offset) {
  offset = std::min(offset, source.size);
  return 1 + std::count(source.data, source.data + offset, static_cast<uint8_t>('\n'));
}

std::string Snippet(std::string_view text) {
  constexpr size_t kMax = 40;
  std::string out = "\"";
  const size_t n = std::min(text.size(), kMax);
  for (size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7F) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  out += text.size() > kMax ? "\"..." : "\"";
  return out;
}

std::string LineSnippet(const Source& source, size_t offset) {
  offset = std::min(offset, source.size);
  const auto* begin = source.data + offset;
  const auto* nl = static_cast<const uint8_t*>(std::memchr(begin, '\n', source.size - offset));
  const auto* end = nl ? nl : source.data + source.size;
  if (end > begin && end[-1] == '\r') --end;
  return Snippet(std::string_view(reinterpret_cast<const char*>(begin), static_cast<size_t>(end - begin)));
}

Status CorruptionAt(const Source& source, size_t offset, std::string_view what) {
  return Status::Corruption(source.name + ":" + std::to_string(LineAt(source, offset)) + ": " + std::string(what));
}

}  // namespace edgepipe::csv::internal
