#pragma once
// BYTE_STREAM_SPLIT (= 9): K byte streams of N bytes for N values of K bytes;
// stream j holds byte j of every value. The encoded size is exactly K * N,
// and the streams run to the end of the page.
//
// The typed functions use SIMD kernels chosen at run time (Highway); the
// width-generic ones are the scalar reference, also used for
// FIXED_LEN_BYTE_ARRAY.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "edgepipe/core/status.h"

namespace edgepipe::parquet {

// T is float, double, int32_t or int64_t. Appends n * sizeof(T) bytes.
template <typename T>
void EncodeByteStreamSplit(const T* values, int64_t n, std::vector<uint8_t>* out);

// `data` is a whole BYTE_STREAM_SPLIT section of size bytes, so it holds
// size / sizeof(T) values; decodes the first n of them. Corruption if size is
// not a multiple of sizeof(T) or n exceeds the values present.
template <typename T>
Status DecodeByteStreamSplit(const uint8_t* data, size_t size, int64_t n, T* out);

// Scalar versions for any value width >= 1 (values are width bytes each).
void EncodeByteStreamSplitWidth(const uint8_t* values, int width, int64_t n,
                                std::vector<uint8_t>* out);
Status DecodeByteStreamSplitWidth(const uint8_t* data, size_t size, int width, int64_t n,
                                  uint8_t* out);

}  // namespace edgepipe::parquet
