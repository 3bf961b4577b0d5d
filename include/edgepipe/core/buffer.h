#pragma once
// Buffer: a contiguous, 64-byte aligned, owned byte region. Columns share
// buffers through shared_ptr so slices are zero-copy. A Buffer may grow
// (Reserve/Resize) while it has a single owner; once shared it is treated as
// immutable by convention.

#include <cstddef>
#include <cstdint>
#include <memory>

#include "edgepipe/core/status.h"

namespace edgepipe {

inline constexpr size_t kBufferAlignment = 64;

class Buffer {
 public:
  Buffer() = default;
  ~Buffer();
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  // Allocates `size` bytes (contents uninitialized). Large allocations ask the
  // kernel for transparent huge pages: page faults dominate the first touch of
  // fresh multi-hundred-MB outputs on 4 KiB pages.
  static Result<std::shared_ptr<Buffer>> Allocate(size_t size);
  // As Allocate, zero-filled.
  static Result<std::shared_ptr<Buffer>> AllocateZeroed(size_t size);

  // Grows capacity to at least `capacity`, keeping contents.
  Status Reserve(size_t capacity);
  // Sets size, growing capacity geometrically if needed (amortized appends).
  Status Resize(size_t size);

  uint8_t* mutable_data() { return data_; }
  const uint8_t* data() const { return data_; }
  template <typename T>
  T* mutable_data_as() { return reinterpret_cast<T*>(data_); }
  template <typename T>
  const T* data_as() const { return reinterpret_cast<const T*>(data_); }
  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }

 private:
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

}  // namespace edgepipe
