#include "parquet/encoding/plain.h"

#include <cstring>
#include <string>

#include "parquet/encoding/bit_pack.h"

namespace edgepipe::parquet {

namespace {

Status TooShort(const char* what, int64_t n, uint64_t needed, size_t size) {
  return Status::Corruption(std::string("PLAIN ") + what + ": " + std::to_string(n) +
                            " values need " + std::to_string(needed) + " bytes, only " +
                            std::to_string(size) + " available");
}

Status NegativeCount() { return Status::InvalidArgument("PLAIN decode: negative value count"); }

constexpr int64_t kJulianEpochDay = 2440588;
constexpr int64_t kNanosPerDay = int64_t{86400} * 1000 * 1000 * 1000;

}  // namespace

template <typename T>
Status DecodePlain(const uint8_t* data, size_t size, int64_t n, T* out, size_t* consumed) {
  if (n < 0) return NegativeCount();
  if (static_cast<uint64_t>(n) > size / sizeof(T)) {
    return TooShort("fixed-width", n, static_cast<uint64_t>(n) * sizeof(T), size);
  }
  const size_t bytes = static_cast<size_t>(n) * sizeof(T);
  if (bytes > 0) std::memcpy(out, data, bytes);
  *consumed = bytes;
  return Status::OK();
}

template Status DecodePlain<int32_t>(const uint8_t*, size_t, int64_t, int32_t*, size_t*);
template Status DecodePlain<int64_t>(const uint8_t*, size_t, int64_t, int64_t*, size_t*);
template Status DecodePlain<float>(const uint8_t*, size_t, int64_t, float*, size_t*);
template Status DecodePlain<double>(const uint8_t*, size_t, int64_t, double*, size_t*);

Status DecodePlainBoolean(const uint8_t* data, size_t size, int64_t n, uint8_t* out,
                          size_t* consumed) {
  if (n < 0) return NegativeCount();
  const uint64_t bytes = (static_cast<uint64_t>(n) + 7) / 8;
  if (bytes > size) return TooShort("BOOLEAN", n, bytes, size);
  const int64_t full = n / 8;
  bitpack::Unpack<uint8_t>(data, out, 1, full);
  for (int64_t i = full * 8; i < n; ++i) out[i] = (data[i / 8] >> (i % 8)) & 1;
  *consumed = static_cast<size_t>(bytes);
  return Status::OK();
}

Status DecodePlainByteArray(const uint8_t* data, size_t size, int64_t n, std::string_view* out,
                            size_t* consumed) {
  if (n < 0) return NegativeCount();
  size_t pos = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (size - pos < 4) {
      return Status::Corruption("PLAIN BYTE_ARRAY value " + std::to_string(i) +
                                ": length prefix at byte " + std::to_string(pos) +
                                " runs past the end (" + std::to_string(size) + " bytes)");
    }
    uint32_t len;
    std::memcpy(&len, data + pos, 4);
    pos += 4;
    if (len > size - pos) {
      return Status::Corruption("PLAIN BYTE_ARRAY value " + std::to_string(i) + " at byte " +
                                std::to_string(pos - 4) + " has length " + std::to_string(len) +
                                " but only " + std::to_string(size - pos) + " bytes remain");
    }
    out[i] = std::string_view(reinterpret_cast<const char*>(data + pos), len);
    pos += len;
  }
  *consumed = pos;
  return Status::OK();
}

Status DecodePlainFixedLenByteArray(const uint8_t* data, size_t size, int64_t n,
                                    int32_t type_length, std::string_view* out,
                                    size_t* consumed) {
  if (n < 0) return NegativeCount();
  if (type_length < 0) {
    return Status::InvalidArgument("FIXED_LEN_BYTE_ARRAY type length " +
                                   std::to_string(type_length) + " is negative");
  }
  const uint64_t width = static_cast<uint64_t>(type_length);
  if (width > 0 && static_cast<uint64_t>(n) > size / width) {
    return TooShort("FIXED_LEN_BYTE_ARRAY", n, static_cast<uint64_t>(n) * width, size);
  }
  const char* p = reinterpret_cast<const char*>(data);
  for (int64_t i = 0; i < n; ++i) out[i] = std::string_view(p + i * width, width);
  *consumed = static_cast<size_t>(n * width);
  return Status::OK();
}

Status DecodePlainInt96(const uint8_t* data, size_t size, int64_t n, int64_t* out_nanos,
                        size_t* consumed) {
  if (n < 0) return NegativeCount();
  if (static_cast<uint64_t>(n) > size / 12) {
    return TooShort("INT96", n, static_cast<uint64_t>(n) * 12, size);
  }
  for (int64_t i = 0; i < n; ++i) {
    uint64_t nanos_of_day;
    uint32_t julian_day;
    std::memcpy(&nanos_of_day, data + i * 12, 8);
    std::memcpy(&julian_day, data + i * 12 + 8, 4);
    // Unsigned arithmetic: wraps instead of overflowing for absurd days.
    const uint64_t days = static_cast<uint64_t>(static_cast<int64_t>(julian_day) - kJulianEpochDay);
    out_nanos[i] = static_cast<int64_t>(days * static_cast<uint64_t>(kNanosPerDay) + nanos_of_day);
  }
  *consumed = static_cast<size_t>(n) * 12;
  return Status::OK();
}

template <typename T>
void EncodePlain(const T* values, int64_t n, std::vector<uint8_t>* out) {
  if (n <= 0) return;
  const size_t start = out->size();
  out->resize(start + static_cast<size_t>(n) * sizeof(T));
  std::memcpy(out->data() + start, values, static_cast<size_t>(n) * sizeof(T));
}

template void EncodePlain<int32_t>(const int32_t*, int64_t, std::vector<uint8_t>*);
template void EncodePlain<int64_t>(const int64_t*, int64_t, std::vector<uint8_t>*);
template void EncodePlain<float>(const float*, int64_t, std::vector<uint8_t>*);
template void EncodePlain<double>(const double*, int64_t, std::vector<uint8_t>*);

void EncodePlainBoolean(const uint8_t* values01, int64_t n, std::vector<uint8_t>* out) {
  if (n <= 0) return;
  const size_t start = out->size();
  out->resize(start + static_cast<size_t>((n + 7) / 8), 0);
  uint8_t* dst = out->data() + start;
  for (int64_t i = 0; i < n; ++i) {
    dst[i / 8] |= static_cast<uint8_t>((values01[i] != 0 ? 1 : 0) << (i % 8));
  }
}

void EncodePlainByteArray(const std::string_view* values, int64_t n, std::vector<uint8_t>* out) {
  size_t total = 0;
  for (int64_t i = 0; i < n; ++i) total += 4 + values[i].size();
  out->reserve(out->size() + total);
  for (int64_t i = 0; i < n; ++i) {
    const uint32_t len = static_cast<uint32_t>(values[i].size());
    const uint8_t* len_bytes = reinterpret_cast<const uint8_t*>(&len);
    out->insert(out->end(), len_bytes, len_bytes + 4);
    out->insert(out->end(), values[i].begin(), values[i].end());
  }
}

void EncodePlainInt96(const int64_t* nanos, int64_t n, std::vector<uint8_t>* out) {
  for (int64_t i = 0; i < n; ++i) {
    // Floor division so times before the epoch get a non-negative nanos of day.
    int64_t days = nanos[i] / kNanosPerDay;
    int64_t rem = nanos[i] % kNanosPerDay;
    if (rem < 0) {
      rem += kNanosPerDay;
      --days;
    }
    const uint64_t nanos_of_day = static_cast<uint64_t>(rem);
    const uint32_t julian_day = static_cast<uint32_t>(days + kJulianEpochDay);
    uint8_t buf[12];
    std::memcpy(buf, &nanos_of_day, 8);
    std::memcpy(buf + 8, &julian_day, 4);
    out->insert(out->end(), buf, buf + 12);
  }
}

}  // namespace edgepipe::parquet
