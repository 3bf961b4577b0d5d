// libFuzzer target for the Parquet value and level decoders.
// Byte 0 selects the decoder (value % 12) and a parameter (value / 12: a bit
// width or type); the rest is the encoded data. Every decoder must return OK
// or a clean error on any input: no crash, no hang, no UB. Kind 11 is a
// differential round trip of the encoders.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <vector>

#include "parquet/encoding/byte_stream_split.h"
#include "parquet/encoding/delta_binary_packed.h"
#include "parquet/encoding/delta_byte_array.h"
#include "parquet/encoding/delta_length_byte_array.h"
#include "parquet/encoding/dictionary.h"
#include "parquet/encoding/plain.h"
#include "parquet/encoding/rle_bp.h"

namespace ep = edgepipe::parquet;

namespace {

constexpr int64_t kMaxValues = 1 << 16;  // bounds work per input
constexpr int64_t kChunk = 1000;         // odd batch size to split groups

void Check(bool cond) {
  if (!cond) std::abort();
}

// A clean failure is fine, but it must be Corruption (or the documented
// NotSupported for oversized DELTA_BYTE_ARRAY output).
void CheckStatus(const edgepipe::Status& st) {
  Check(st.ok() || st.IsCorruption() || st.IsNotSupported());
}

template <typename T>
void FuzzRle(const uint8_t* data, size_t size, int bit_width) {
  ep::RleBpDecoder decoder(data, size, bit_width);
  std::vector<T> out(kChunk);
  for (int64_t done = 0; done < kMaxValues; done += kChunk) {
    edgepipe::Status st = decoder.GetBatch(out.data(), kChunk);
    if (!st.ok()) {
      Check(st.IsCorruption() || (st.IsInvalidArgument() && bit_width > 8 * int(sizeof(T))));
      return;
    }
    if (bit_width < 32) {
      for (T v : out) Check(static_cast<uint64_t>(static_cast<std::make_unsigned_t<T>>(v)) >> bit_width == 0);
    }
  }
}

template <typename T>
void FuzzDelta(const uint8_t* data, size_t size) {
  ep::DeltaBinaryPackedDecoder<T> decoder;
  edgepipe::Status st = decoder.Init(data, size);
  CheckStatus(st);
  if (!st.ok()) return;
  std::vector<T> out(kChunk);
  for (int64_t done = 0; done < kMaxValues && decoder.values_left() > 0; done += kChunk) {
    const int64_t n = std::min<int64_t>(kChunk - (done / kChunk) % 7, decoder.values_left());
    st = decoder.Decode(out.data(), n);
    CheckStatus(st);
    if (!st.ok()) return;
  }
  Check(decoder.bytes_consumed() <= size);
}

void FuzzDlba(const uint8_t* data, size_t size) {
  ep::DeltaLengthByteArrayDecoder decoder;
  edgepipe::Status st = decoder.Init(data, size, kMaxValues);
  CheckStatus(st);
  if (!st.ok()) return;
  std::vector<std::string_view> out(static_cast<size_t>(decoder.total_values()));
  Check(decoder.Decode(out.data(), decoder.total_values()).ok());
  for (auto v : out) {
    Check(reinterpret_cast<const uint8_t*>(v.data()) >= data || v.empty());
    Check(reinterpret_cast<const uint8_t*>(v.data()) + v.size() <= data + size);
  }
  Check(decoder.bytes_consumed() <= size);
}

void FuzzDba(const uint8_t* data, size_t size) {
  ep::DeltaByteArrayDecoder decoder;
  edgepipe::Status st = decoder.Init(data, size, kMaxValues, 1 << 24);
  CheckStatus(st);
  if (!st.ok()) return;
  std::vector<std::string_view> out(static_cast<size_t>(decoder.total_values()));
  Check(decoder.Decode(out.data(), decoder.total_values()).ok());
  volatile char sink = 0;
  for (auto v : out) {
    if (!v.empty()) sink = sink + v.front() + v.back();  // touch the arena bytes
  }
  Check(decoder.bytes_consumed() <= size);
}

void FuzzPlain(const uint8_t* data, size_t size, int param) {
  const int64_t n = static_cast<int64_t>(size % 97) + (param & 1 ? 0 : 300);
  size_t consumed = 0;
  edgepipe::Status st;
  switch (param % 4) {
    case 0: {
      std::vector<std::string_view> out(static_cast<size_t>(n));
      st = ep::DecodePlainByteArray(data, size, n, out.data(), &consumed);
      break;
    }
    case 1: {
      std::vector<uint8_t> out(static_cast<size_t>(n));
      st = ep::DecodePlainBoolean(data, size, n, out.data(), &consumed);
      if (st.ok()) {
        for (uint8_t b : out) Check(b <= 1);
      }
      break;
    }
    case 2: {
      std::vector<int64_t> out(static_cast<size_t>(n));
      st = ep::DecodePlainInt96(data, size, n, out.data(), &consumed);
      break;
    }
    default: {
      std::vector<double> out(static_cast<size_t>(n));
      st = ep::DecodePlain(data, size, n, out.data(), &consumed);
    }
  }
  CheckStatus(st);
  if (st.ok()) Check(consumed <= size);
}

template <typename T>
void FuzzBssType(const uint8_t* data, size_t size) {
  const int64_t n = static_cast<int64_t>(size / sizeof(T));
  std::vector<T> out(static_cast<size_t>(n));
  edgepipe::Status st = ep::DecodeByteStreamSplit(data, size, n, out.data());
  CheckStatus(st);
  if (!st.ok()) return;
  // The SIMD kernels must agree with the scalar reference.
  std::vector<uint8_t> ref(size);
  Check(ep::DecodeByteStreamSplitWidth(data, size, sizeof(T), n, ref.data()).ok());
  // memcmp on empty vectors would pass null pointers (UB even for size 0).
  Check(size == 0 || std::memcmp(ref.data(), out.data(), size) == 0);
  std::vector<uint8_t> again;
  ep::EncodeByteStreamSplit(out.data(), n, &again);
  Check(again.size() == size && (size == 0 || std::memcmp(again.data(), data, size) == 0));
}

void FuzzBss(const uint8_t* data, size_t size, int param) {
  switch (param % 4) {
    case 0: FuzzBssType<float>(data, size); break;
    case 1: FuzzBssType<double>(data, size); break;
    case 2: FuzzBssType<int32_t>(data, size); break;
    default: FuzzBssType<int64_t>(data, size);
  }
}

void FuzzDictionaryIndices(const uint8_t* data, size_t size, int param) {
  const int32_t dict_size = param * 3;
  std::vector<int64_t> dict(static_cast<size_t>(dict_size));
  for (int32_t i = 0; i < dict_size; ++i) dict[i] = i * 10;
  std::vector<uint32_t> indices(kChunk);
  edgepipe::Status st = ep::DecodeDictionaryIndices(data, size, kChunk, indices.data());
  CheckStatus(st);
  if (!st.ok()) return;
  std::vector<int64_t> out(kChunk);
  st = ep::DictionaryGather(dict.data(), dict_size, indices.data(), kChunk, out.data());
  CheckStatus(st);
}

// Differential: data as int64 values -> encoders -> decoders == input.
void FuzzRoundTrip(const uint8_t* data, size_t size, int param) {
  const size_t n = size / 8;
  std::vector<int64_t> values(n);
  if (n > 0) std::memcpy(values.data(), data, n * 8);
  const int64_t count = static_cast<int64_t>(n);
  if (param % 2 == 0) {
    std::vector<uint8_t> enc;
    ep::EncodeDeltaBinaryPacked(values.data(), count, &enc);
    ep::DeltaBinaryPackedDecoder<int64_t> dec;
    Check(dec.Init(enc.data(), enc.size()).ok());
    std::vector<int64_t> out(n);
    Check(dec.Decode(out.data(), count).ok());
    Check(out == values);
    Check(dec.bytes_consumed() == enc.size());
  } else {
    // Levels: one byte per value, masked to a width from the parameter.
    const int bit_width = param % 9;
    std::vector<uint32_t> levels(size);
    for (size_t i = 0; i < size; ++i) levels[i] = bit_width == 0 ? 0 : data[i] & ((1u << bit_width) - 1);
    std::vector<uint8_t> enc;
    ep::EncodeLengthPrefixedRle(levels.data(), static_cast<int64_t>(size), bit_width, &enc);
    std::vector<uint32_t> out(size);
    size_t consumed = 0;
    Check(ep::DecodeLengthPrefixedRle(enc.data(), enc.size(), bit_width,
                                      static_cast<int64_t>(size), out.data(), &consumed)
              .ok());
    Check(out == levels && consumed == enc.size());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const int kind = data[0] % 12;
  const int param = data[0] / 12;  // 0..21
  // Copy to an exactly-sized buffer so ASan catches reads past the end.
  std::vector<uint8_t> buf(data + 1, data + size);
  const uint8_t* p = buf.data();
  const size_t n = buf.size();
  switch (kind) {
    case 0: FuzzRle<uint32_t>(p, n, param); break;
    case 1: FuzzRle<int32_t>(p, n, param + 11 + (param == 21 ? 1 : 0)); break;  // 11..33
    case 2: {
      std::vector<int16_t> out(kChunk);
      size_t consumed;
      CheckStatus(ep::DecodeLengthPrefixedRle(p, n, param % 17, kChunk, out.data(), &consumed));
      break;
    }
    case 3: FuzzDictionaryIndices(p, n, param); break;
    case 4: FuzzDelta<int32_t>(p, n); break;
    case 5: FuzzDelta<int64_t>(p, n); break;
    case 6: FuzzDlba(p, n); break;
    case 7: FuzzDba(p, n); break;
    case 8: FuzzPlain(p, n, param); break;
    case 9: FuzzBss(p, n, param); break;
    case 10: FuzzRle<uint8_t>(p, n, param % 10); break;
    default: FuzzRoundTrip(p, n, param);
  }
  return 0;
}
