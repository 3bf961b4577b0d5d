#pragma once
// LSB-first bit packing of groups of 8 values, as used by the Parquet
// RLE/bit-packing hybrid, PLAIN booleans and DELTA_BINARY_PACKED miniblocks.
//
// A group of 8 values of width w occupies exactly w bytes. Value i of a group
// starts at bit i*w, counting from the least significant bit of byte 0.
//
// The kernels are specialized per width (a template per w, selected once per
// call through a table), so the per-value work is a few shifts and masks with
// constants. Callers check bounds once per run: these functions trust that
// `in` holds num_groups * bit_width bytes and `out` room for num_groups * 8
// values. They never read past in + num_groups * bit_width.

#include <cstddef>
#include <cstdint>

namespace edgepipe::parquet::bitpack {

// Unpacks num_groups * 8 values of bit_width bits from `in` into `out`.
// Supported: uint8_t (width 0..8), uint16_t (0..16), uint32_t (0..32),
// uint64_t (0..64). A width outside that range is a programmer error
// (callers validate widths read from input first); it writes zeros.
template <typename Out>
void Unpack(const uint8_t* in, Out* out, int bit_width, int64_t num_groups);

// Packs num_groups * 8 values into num_groups * bit_width bytes at `out`.
// Bits of a value above bit_width are ignored. Supported: uint32_t (0..32),
// uint64_t (0..64).
template <typename In>
void Pack(const In* in, uint8_t* out, int bit_width, int64_t num_groups);

// Number of bits needed to represent v (0 for v == 0).
inline int BitWidthOf(uint64_t v) { return v == 0 ? 0 : 64 - __builtin_clzll(v); }

}  // namespace edgepipe::parquet::bitpack
