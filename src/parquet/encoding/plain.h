#pragma once
// PLAIN encoding (PLAIN = 0): values back to back, little endian.
//   INT32/INT64/FLOAT/DOUBLE: 4 or 8 bytes each
//   BOOLEAN: bit-packed, LSB first
//   BYTE_ARRAY: 4-byte LE length, then the bytes
//   FIXED_LEN_BYTE_ARRAY: the bytes
//   INT96 (deprecated, Impala/Spark timestamps): 8-byte nanos of day, then
//   4-byte Julian day number
//
// Decoders read exactly n values and report the bytes they used in
// *consumed; they return Corruption when the input is shorter than that.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "edgepipe/core/status.h"

namespace edgepipe::parquet {

// T is int32_t, int64_t, float or double.
template <typename T>
Status DecodePlain(const uint8_t* data, size_t size, int64_t n, T* out, size_t* consumed);

// out receives 0 or 1 per value; reads ceil(n / 8) bytes.
Status DecodePlainBoolean(const uint8_t* data, size_t size, int64_t n, uint8_t* out,
                          size_t* consumed);

// The views point into `data`, which must outlive them. Each length prefix is
// checked against the bytes that remain.
Status DecodePlainByteArray(const uint8_t* data, size_t size, int64_t n, std::string_view* out,
                            size_t* consumed);

// Views of type_length bytes each into `data`. type_length must be >= 0.
Status DecodePlainFixedLenByteArray(const uint8_t* data, size_t size, int64_t n,
                                    int32_t type_length, std::string_view* out,
                                    size_t* consumed);

// INT96 to nanoseconds since the Unix epoch (UTC). Julian day 2440588 is
// 1970-01-01. Values outside the int64 range (about years 1677..2262) wrap
// around rather than fail, as other readers do; no input causes UB.
Status DecodePlainInt96(const uint8_t* data, size_t size, int64_t n, int64_t* out_nanos,
                        size_t* consumed);

// Encoders append to *out.
template <typename T>
void EncodePlain(const T* values, int64_t n, std::vector<uint8_t>* out);

// values01 holds one byte per value; any non-zero byte is true.
void EncodePlainBoolean(const uint8_t* values01, int64_t n, std::vector<uint8_t>* out);

// Each value must be shorter than 2^31 bytes.
void EncodePlainByteArray(const std::string_view* values, int64_t n, std::vector<uint8_t>* out);

// Nanoseconds since the epoch to INT96 (for tests and legacy interop).
void EncodePlainInt96(const int64_t* nanos, int64_t n, std::vector<uint8_t>* out);

}  // namespace edgepipe::parquet
