#include "parquet/reader/error_context.h"

#include <charconv>

namespace edgepipe::parquet {

std::string RebaseOffsets(std::string_view message, int64_t base) {
  static constexpr std::string_view kMarker = "at offset ";
  std::string out;
  out.reserve(message.size() + 8);
  size_t pos = 0;
  while (true) {
    const size_t hit = message.find(kMarker, pos);
    if (hit == std::string_view::npos) break;
    const size_t digits = hit + kMarker.size();
    uint64_t value = 0;
    auto [end, ec] = std::from_chars(message.data() + digits, message.data() + message.size(), value);
    if (ec != std::errc() || value > static_cast<uint64_t>(INT64_MAX - base)) {
      out.append(message.substr(pos, digits - pos));
      pos = digits;
      continue;
    }
    out.append(message.substr(pos, hit - pos));
    out += "at byte ";
    out += std::to_string(base + static_cast<int64_t>(value));
    pos = static_cast<size_t>(end - message.data());
  }
  out.append(message.substr(pos));
  return out;
}

Status WithByteContext(const Status& st, std::string_view prefix, int64_t base) {
  if (st.ok()) return st;
  std::string msg(prefix);
  msg += ": ";
  msg += RebaseOffsets(st.message(), base);
  return Status(st.code(), std::move(msg));
}

}  // namespace edgepipe::parquet
