#include "parquet/encoding/byte_stream_split.h"

#include <cstring>
#include <string>

// Highway compiles the kernels below once per SIMD target and picks one at
// run time; no -march is needed.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "parquet/encoding/byte_stream_split.cc"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

HWY_BEFORE_NAMESPACE();
namespace edgepipe::parquet::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Decode with K = 4: each step loads one vector from each of the 4 streams
// and stores them interleaved, i.e. a 4 x N byte transpose per step.
void DecodeStreams4(const uint8_t* HWY_RESTRICT in, size_t stride, size_t n,
                    uint8_t* HWY_RESTRICT out) {
  const hn::ScalableTag<uint8_t> d;
  const size_t lanes = hn::Lanes(d);
  size_t i = 0;
  for (; i + lanes <= n; i += lanes) {
    const auto v0 = hn::LoadU(d, in + i);
    const auto v1 = hn::LoadU(d, in + stride + i);
    const auto v2 = hn::LoadU(d, in + 2 * stride + i);
    const auto v3 = hn::LoadU(d, in + 3 * stride + i);
    hn::StoreInterleaved4(v0, v1, v2, v3, d, out + 4 * i);
  }
  for (; i < n; ++i) {
    for (size_t j = 0; j < 4; ++j) out[4 * i + j] = in[j * stride + i];
  }
}

// Decode with K = 8: widen stream pairs (2j, 2j+1) into 16-bit lanes holding
// both bytes of each value, then interleave the four 16-bit streams.
void DecodeStreams8(const uint8_t* HWY_RESTRICT in, size_t stride, size_t n,
                    uint8_t* HWY_RESTRICT out) {
  const hn::ScalableTag<uint16_t> d16;
  const hn::Rebind<uint8_t, decltype(d16)> d8;
  const size_t lanes = hn::Lanes(d16);
  size_t i = 0;
  // out comes from a float/double/int array, so 16-bit stores are aligned.
  uint16_t* out16 = reinterpret_cast<uint16_t*>(out);
  auto pair = [&](size_t j, size_t pos) {
    const auto lo = hn::PromoteTo(d16, hn::LoadU(d8, in + (2 * j) * stride + pos));
    const auto hi = hn::PromoteTo(d16, hn::LoadU(d8, in + (2 * j + 1) * stride + pos));
    return hn::Or(lo, hn::ShiftLeft<8>(hi));
  };
  for (; i + lanes <= n; i += lanes) {
    hn::StoreInterleaved4(pair(0, i), pair(1, i), pair(2, i), pair(3, i), d16, out16 + 4 * i);
  }
  for (; i < n; ++i) {
    for (size_t j = 0; j < 8; ++j) out[8 * i + j] = in[j * stride + i];
  }
}

// Encode with K = 4: the inverse transpose.
void EncodeStreams4(const uint8_t* HWY_RESTRICT in, size_t n, uint8_t* HWY_RESTRICT out) {
  const hn::ScalableTag<uint8_t> d;
  const size_t lanes = hn::Lanes(d);
  size_t i = 0;
  for (; i + lanes <= n; i += lanes) {
    hn::Vec<decltype(d)> v0, v1, v2, v3;
    hn::LoadInterleaved4(d, in + 4 * i, v0, v1, v2, v3);
    hn::StoreU(v0, d, out + i);
    hn::StoreU(v1, d, out + n + i);
    hn::StoreU(v2, d, out + 2 * n + i);
    hn::StoreU(v3, d, out + 3 * n + i);
  }
  for (; i < n; ++i) {
    for (size_t j = 0; j < 4; ++j) out[j * n + i] = in[4 * i + j];
  }
}

void EncodeStreams8(const uint8_t* HWY_RESTRICT in, size_t n, uint8_t* HWY_RESTRICT out) {
  const hn::ScalableTag<uint16_t> d16;
  const hn::Rebind<uint8_t, decltype(d16)> d8;
  const size_t lanes = hn::Lanes(d16);
  const uint16_t* in16 = reinterpret_cast<const uint16_t*>(in);
  const hn::RebindToSigned<decltype(d16)> di16;
  const auto low_byte = hn::Set(d16, 0xFF);
  // Both halves are <= 255, so the saturating i16 -> u8 demotion is exact.
  auto narrow = [&](hn::Vec<decltype(d16)> v) { return hn::DemoteTo(d8, hn::BitCast(di16, v)); };
  size_t i = 0;
  for (; i + lanes <= n; i += lanes) {
    hn::Vec<decltype(d16)> p[4];
    hn::LoadInterleaved4(d16, in16 + 4 * i, p[0], p[1], p[2], p[3]);
    for (size_t j = 0; j < 4; ++j) {
      hn::StoreU(narrow(hn::And(p[j], low_byte)), d8, out + (2 * j) * n + i);
      hn::StoreU(narrow(hn::ShiftRight<8>(p[j])), d8, out + (2 * j + 1) * n + i);
    }
  }
  for (; i < n; ++i) {
    for (size_t j = 0; j < 8; ++j) out[j * n + i] = in[8 * i + j];
  }
}

}  // namespace edgepipe::parquet::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace edgepipe::parquet {

HWY_EXPORT(DecodeStreams4);
HWY_EXPORT(DecodeStreams8);
HWY_EXPORT(EncodeStreams4);
HWY_EXPORT(EncodeStreams8);

template <typename T>
void EncodeByteStreamSplit(const T* values, int64_t n, std::vector<uint8_t>* out) {
  static_assert(sizeof(T) == 4 || sizeof(T) == 8);
  if (n <= 0) return;
  const size_t start = out->size();
  out->resize(start + static_cast<size_t>(n) * sizeof(T));
  const uint8_t* in = reinterpret_cast<const uint8_t*>(values);
  if constexpr (sizeof(T) == 4) {
    HWY_DYNAMIC_DISPATCH(EncodeStreams4)(in, static_cast<size_t>(n), out->data() + start);
  } else {
    HWY_DYNAMIC_DISPATCH(EncodeStreams8)(in, static_cast<size_t>(n), out->data() + start);
  }
}

template <typename T>
Status DecodeByteStreamSplit(const uint8_t* data, size_t size, int64_t n, T* out) {
  static_assert(sizeof(T) == 4 || sizeof(T) == 8);
  if (n < 0) return Status::InvalidArgument("DecodeByteStreamSplit: negative count");
  if (size % sizeof(T) != 0) {
    return Status::Corruption("BYTE_STREAM_SPLIT section of " + std::to_string(size) +
                              " bytes is not a multiple of the " + std::to_string(sizeof(T)) +
                              "-byte value width");
  }
  const size_t stride = size / sizeof(T);
  if (static_cast<uint64_t>(n) > stride) {
    return Status::Corruption("BYTE_STREAM_SPLIT: " + std::to_string(n) +
                              " values requested, the section holds " + std::to_string(stride));
  }
  if (n == 0) return Status::OK();
  uint8_t* dst = reinterpret_cast<uint8_t*>(out);
  if constexpr (sizeof(T) == 4) {
    HWY_DYNAMIC_DISPATCH(DecodeStreams4)(data, stride, static_cast<size_t>(n), dst);
  } else {
    HWY_DYNAMIC_DISPATCH(DecodeStreams8)(data, stride, static_cast<size_t>(n), dst);
  }
  return Status::OK();
}

template void EncodeByteStreamSplit<float>(const float*, int64_t, std::vector<uint8_t>*);
template void EncodeByteStreamSplit<double>(const double*, int64_t, std::vector<uint8_t>*);
template void EncodeByteStreamSplit<int32_t>(const int32_t*, int64_t, std::vector<uint8_t>*);
template void EncodeByteStreamSplit<int64_t>(const int64_t*, int64_t, std::vector<uint8_t>*);
template Status DecodeByteStreamSplit<float>(const uint8_t*, size_t, int64_t, float*);
template Status DecodeByteStreamSplit<double>(const uint8_t*, size_t, int64_t, double*);
template Status DecodeByteStreamSplit<int32_t>(const uint8_t*, size_t, int64_t, int32_t*);
template Status DecodeByteStreamSplit<int64_t>(const uint8_t*, size_t, int64_t, int64_t*);

void EncodeByteStreamSplitWidth(const uint8_t* values, int width, int64_t n,
                                std::vector<uint8_t>* out) {
  if (n <= 0 || width <= 0) return;
  const size_t w = static_cast<size_t>(width);
  const size_t count = static_cast<size_t>(n);
  const size_t start = out->size();
  out->resize(start + w * count);
  uint8_t* dst = out->data() + start;
  for (size_t j = 0; j < w; ++j) {
    for (size_t i = 0; i < count; ++i) dst[j * count + i] = values[i * w + j];
  }
}

Status DecodeByteStreamSplitWidth(const uint8_t* data, size_t size, int width, int64_t n,
                                  uint8_t* out) {
  if (n < 0) return Status::InvalidArgument("DecodeByteStreamSplitWidth: negative count");
  if (width <= 0) {
    return Status::InvalidArgument("BYTE_STREAM_SPLIT value width " + std::to_string(width) +
                                   " must be positive");
  }
  const size_t w = static_cast<size_t>(width);
  if (size % w != 0) {
    return Status::Corruption("BYTE_STREAM_SPLIT section of " + std::to_string(size) +
                              " bytes is not a multiple of the " + std::to_string(w) +
                              "-byte value width");
  }
  const size_t stride = size / w;
  if (static_cast<uint64_t>(n) > stride) {
    return Status::Corruption("BYTE_STREAM_SPLIT: " + std::to_string(n) +
                              " values requested, the section holds " + std::to_string(stride));
  }
  const size_t count = static_cast<size_t>(n);
  for (size_t j = 0; j < w; ++j) {
    for (size_t i = 0; i < count; ++i) out[i * w + j] = data[j * stride + i];
  }
  return Status::OK();
}

}  // namespace edgepipe::parquet
#endif  // HWY_ONCE
