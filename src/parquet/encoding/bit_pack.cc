#include "parquet/encoding/bit_pack.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <utility>

namespace edgepipe::parquet::bitpack {
namespace {

static_assert(std::endian::native == std::endian::little,
              "bit unpacking loads little-endian words directly");

inline uint64_t Load64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

template <int W>
constexpr uint64_t kMask = W >= 64 ? ~uint64_t{0} : (uint64_t{1} << W) - 1;

// Words of 64 bits covering one group of width W: ceil(8 * W / 64).
template <int W>
constexpr int kWords = (W + 7) / 8;

// Value I of a group, from the group's words. All offsets are compile-time
// constants, so this is one or two shifts, an or and a mask.
template <int W, int I>
inline uint64_t ExtractValue(const uint64_t* words) {
  constexpr int kBit = I * W;
  constexpr int kWord = kBit / 64;
  constexpr int kShift = kBit % 64;
  uint64_t v = words[kWord] >> kShift;
  if constexpr (kShift != 0 && kShift + W > 64) v |= words[kWord + 1] << (64 - kShift);
  return v & kMask<W>;
}

// Unpacks one group. Reads kWords<W> * 8 bytes, which is up to 7 bytes more
// than the group's W bytes: the caller guarantees they are readable.
template <typename Out, int W, size_t... I>
inline void UnpackGroupWide(const uint8_t* in, Out* out, std::index_sequence<I...>) {
  uint64_t words[kWords<W>];
  for (int k = 0; k < kWords<W>; ++k) words[k] = Load64(in + 8 * k);
  ((out[I] = static_cast<Out>(ExtractValue<W, static_cast<int>(I)>(words))), ...);
}

template <typename Out, int W>
void UnpackGroups(const uint8_t* in, Out* out, int64_t num_groups) {
  if constexpr (W == 0) {
    std::fill(out, out + num_groups * 8, Out{0});
  } else {
    // Group g may use the fast path while W + 8 bytes from its start are
    // inside the input: (num_groups - g) * W >= W + 8.
    constexpr int64_t kTailGroups = 1 + (8 + W - 1) / W;
    const int64_t fast_groups = std::max<int64_t>(0, num_groups - kTailGroups);
    constexpr auto kSeq = std::make_index_sequence<8>{};
    int64_t g = 0;
    for (; g < fast_groups; ++g) {
      UnpackGroupWide<Out, W>(in + g * W, out + g * 8, kSeq);
    }
    // The last few groups go through a zero-padded copy.
    const int64_t tail = num_groups - g;
    if (tail > 0) {
      uint8_t buf[kTailGroups * W + 8] = {};
      std::memcpy(buf, in + g * W, static_cast<size_t>(tail * W));
      for (int64_t t = 0; t < tail; ++t) {
        UnpackGroupWide<Out, W>(buf + t * W, out + (g + t) * 8, kSeq);
      }
    }
  }
}

template <typename Out>
using UnpackFn = void (*)(const uint8_t*, Out*, int64_t);

template <typename Out, size_t... W>
constexpr auto MakeUnpackTable(std::index_sequence<W...>) {
  return std::array<UnpackFn<Out>, sizeof...(W)>{&UnpackGroups<Out, static_cast<int>(W)>...};
}

template <typename Out>
constexpr auto kUnpackTable = MakeUnpackTable<Out>(std::make_index_sequence<sizeof(Out) * 8 + 1>{});

// ---------------------------------------------------------------- packing

template <typename In, int W, size_t... I>
inline void PackGroup(const In* in, uint8_t* out, std::index_sequence<I...>) {
  uint64_t words[kWords<W> + 1] = {};
  auto put = [&words](uint64_t v, int bit) {
    v &= kMask<W>;
    const int word = bit / 64;
    const int shift = bit % 64;
    words[word] |= v << shift;
    if (shift != 0 && shift + W > 64) words[word + 1] |= v >> (64 - shift);
  };
  (put(static_cast<uint64_t>(in[I]), static_cast<int>(I) * W), ...);
  std::memcpy(out, words, W);
}

template <typename In, int W>
void PackGroups(const In* in, uint8_t* out, int64_t num_groups) {
  if constexpr (W > 0) {
    for (int64_t g = 0; g < num_groups; ++g) {
      PackGroup<In, W>(in + g * 8, out + g * W, std::make_index_sequence<8>{});
    }
  }
}

template <typename In>
using PackFn = void (*)(const In*, uint8_t*, int64_t);

template <typename In, size_t... W>
constexpr auto MakePackTable(std::index_sequence<W...>) {
  return std::array<PackFn<In>, sizeof...(W)>{&PackGroups<In, static_cast<int>(W)>...};
}

template <typename In>
constexpr auto kPackTable = MakePackTable<In>(std::make_index_sequence<sizeof(In) * 8 + 1>{});

}  // namespace

template <typename Out>
void Unpack(const uint8_t* in, Out* out, int bit_width, int64_t num_groups) {
  if (num_groups <= 0) return;
  if (bit_width < 0 || bit_width > static_cast<int>(sizeof(Out) * 8)) {
    std::fill(out, out + num_groups * 8, Out{0});
    return;
  }
  kUnpackTable<Out>[static_cast<size_t>(bit_width)](in, out, num_groups);
}

template <typename In>
void Pack(const In* in, uint8_t* out, int bit_width, int64_t num_groups) {
  if (num_groups <= 0 || bit_width <= 0 || bit_width > static_cast<int>(sizeof(In) * 8)) return;
  kPackTable<In>[static_cast<size_t>(bit_width)](in, out, num_groups);
}

template void Unpack<uint8_t>(const uint8_t*, uint8_t*, int, int64_t);
template void Unpack<uint16_t>(const uint8_t*, uint16_t*, int, int64_t);
template void Unpack<uint32_t>(const uint8_t*, uint32_t*, int, int64_t);
template void Unpack<uint64_t>(const uint8_t*, uint64_t*, int, int64_t);
template void Pack<uint32_t>(const uint32_t*, uint8_t*, int, int64_t);
template void Pack<uint64_t>(const uint64_t*, uint8_t*, int, int64_t);

}  // namespace edgepipe::parquet::bitpack
