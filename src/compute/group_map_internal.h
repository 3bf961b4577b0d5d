#pragma once
// Open-addressing maps from a key to a dense group id, assigned in order of
// first insertion. Used per morsel by the group-by (module-private).

#include <cstdint>
#include <cstring>
#include <vector>

namespace edgepipe::compute {

inline constexpr uint64_t kHashMul = 0x9E3779B97F4A7C15ULL;
inline constexpr uint32_t kNoGroup = 0xFFFFFFFFu;

inline uint64_t Mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

inline uint64_t Load64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
inline uint32_t Load32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

// Equality of two byte strings of length n; short keys (the common case)
// without a call to memcmp.
inline bool BytesEqual(const uint8_t* a, const uint8_t* b, uint32_t n) {
  if (n >= 8) {
    if (n > 16) return std::memcmp(a, b, n) == 0;
    return Load64(a) == Load64(b) && Load64(a + n - 8) == Load64(b + n - 8);
  }
  if (n >= 4) return Load32(a) == Load32(b) && Load32(a + n - 4) == Load32(b + n - 4);
  for (uint32_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

// 64x64 -> 128 multiply, folded: one multiply mixes both halves.
inline uint64_t MulFold(uint64_t a, uint64_t b) {
  const unsigned __int128 r = static_cast<unsigned __int128>(a) * b;
  return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}

// A fast, well-mixed hash of a byte string. Short strings (sensor ids are
// 6-10 bytes) take two overlapping loads and one multiply.
inline uint64_t HashBytes(const uint8_t* p, size_t n) {
  constexpr uint64_t k0 = 0xA0761D6478BD642FULL, k1 = 0xE7037ED1A0B428DBULL, k2 = 0x8EBC6AF09C88C6E3ULL;
  uint64_t a, b;
  if (n <= 16) {
    if (n >= 8) {
      a = Load64(p);
      b = Load64(p + n - 8);
    } else if (n >= 4) {
      a = Load32(p);
      b = Load32(p + n - 4);
    } else if (n > 0) {
      a = (uint64_t{p[0]} << 16) | (uint64_t{p[n >> 1]} << 8) | p[n - 1];
      b = 0;
    } else {
      a = b = 0;
    }
  } else {
    uint64_t h = k0 ^ n;
    size_t i = 0;
    for (; i + 16 < n; i += 16) h = MulFold(Load64(p + i) ^ k1, Load64(p + i + 8) ^ h);
    a = Load64(p + n - 16) ^ h;
    b = Load64(p + n - 8);
  }
  return MulFold(a ^ k1, b ^ k2 ^ (n * kHashMul)) ^ n;
}

// int64 key -> group id. Fibonacci hashing into a power-of-two table at most
// half full: sequential and random keys alike probe ~1 slot.
class IntGroupMap {
 public:
  explicit IntGroupMap(int64_t expected = 16) { Init(expected); }

  uint32_t size() const { return size_; }

  // The id of `key`; a new key is inserted with `new_id` (the caller owns
  // the id sequence, so a null group can share it).
  inline uint32_t FindOrInsert(int64_t key, uint32_t new_id) {
    uint64_t idx = Slot(key);
    for (;;) {
      Entry& e = slots_[idx];
      if (e.id == kNoGroup) {
        e.key = key;
        e.id = new_id;
        if (++size_ * 2 > slots_.size()) Grow();
        return new_id;
      }
      if (e.key == key) return e.id;
      idx = (idx + 1) & mask_;
    }
  }

 private:
  struct Entry {
    int64_t key;
    uint32_t id;
  };
  void Init(int64_t expected) {
    uint64_t cap = 16;
    while (cap < static_cast<uint64_t>(expected) * 2) cap <<= 1;
    slots_.assign(cap, Entry{0, kNoGroup});
    mask_ = cap - 1;
    shift_ = 64 - static_cast<int>(__builtin_ctzll(cap));
  }
  uint64_t Slot(int64_t key) const { return (static_cast<uint64_t>(key) * kHashMul) >> shift_; }
  void Grow() {
    std::vector<Entry> old;
    old.swap(slots_);
    const uint64_t cap = old.size() * 2;
    slots_.assign(cap, Entry{0, kNoGroup});
    mask_ = cap - 1;
    shift_ = 64 - static_cast<int>(__builtin_ctzll(cap));
    for (const Entry& e : old) {
      if (e.id == kNoGroup) continue;
      uint64_t idx = Slot(e.key);
      while (slots_[idx].id != kNoGroup) idx = (idx + 1) & mask_;
      slots_[idx] = e;
    }
  }

  std::vector<Entry> slots_;
  uint64_t mask_ = 0;
  int shift_ = 60;
  uint32_t size_ = 0;
};

// Byte-string key -> group id. Keys are not copied: the caller keeps the
// bytes alive (they point into the input column) for the map's lifetime.
class StringGroupMap {
 public:
  explicit StringGroupMap(int64_t expected = 16) { Init(expected); }

  uint32_t size() const { return size_; }

  // As IntGroupMap::FindOrInsert; `hash` is HashBytes(p, len).
  inline uint32_t FindOrInsert(const uint8_t* p, uint32_t len, uint64_t hash, uint32_t new_id) {
    uint64_t idx = hash & mask_;
    for (;;) {
      Entry& e = slots_[idx];
      if (e.id == kNoGroup) {
        e = Entry{hash, p, len, new_id};
        if (++size_ * 2 > slots_.size()) Grow();
        return new_id;
      }
      if (e.hash == hash && e.len == len && BytesEqual(e.ptr, p, len)) return e.id;
      idx = (idx + 1) & mask_;
    }
  }

 private:
  struct Entry {
    uint64_t hash;
    const uint8_t* ptr;
    uint32_t len;
    uint32_t id;
  };
  void Init(int64_t expected) {
    uint64_t cap = 16;
    while (cap < static_cast<uint64_t>(expected) * 2) cap <<= 1;
    slots_.assign(cap, Entry{0, nullptr, 0, kNoGroup});
    mask_ = cap - 1;
  }
  void Grow() {
    std::vector<Entry> old;
    old.swap(slots_);
    const uint64_t cap = old.size() * 2;
    slots_.assign(cap, Entry{0, nullptr, 0, kNoGroup});
    mask_ = cap - 1;
    for (const Entry& e : old) {
      if (e.id == kNoGroup) continue;
      uint64_t idx = e.hash & mask_;
      while (slots_[idx].id != kNoGroup) idx = (idx + 1) & mask_;
      slots_[idx] = e;
    }
  }

  std::vector<Entry> slots_;
  uint64_t mask_ = 0;
  uint32_t size_ = 0;
};

}  // namespace edgepipe::compute
