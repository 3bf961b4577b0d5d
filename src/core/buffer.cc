#include "edgepipe/core/buffer.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

namespace edgepipe {
namespace {

// Above this size, align to 2 MiB and advise huge pages.
constexpr size_t kHugePageThreshold = size_t{4} << 20;
constexpr size_t kHugePageSize = size_t{2} << 20;

uint8_t* AlignedAlloc(size_t capacity) {
  if (capacity == 0) capacity = kBufferAlignment;
  const size_t align = capacity >= kHugePageThreshold ? kHugePageSize : kBufferAlignment;
  const size_t rounded = (capacity + align - 1) / align * align;
  void* p = std::aligned_alloc(align, rounded);
  if (p != nullptr && align == kHugePageSize) {
    madvise(p, rounded, MADV_HUGEPAGE);  // a hint: failure is harmless
  }
  return static_cast<uint8_t*>(p);
}

}  // namespace

Buffer::~Buffer() { std::free(data_); }

Result<std::shared_ptr<Buffer>> Buffer::Allocate(size_t size) {
  auto buf = std::make_shared<Buffer>();
  RETURN_NOT_OK(buf->Resize(size));
  return buf;
}

Result<std::shared_ptr<Buffer>> Buffer::AllocateZeroed(size_t size) {
  ASSIGN_OR_RETURN(auto buf, Allocate(size));
  std::memset(buf->mutable_data(), 0, size);
  return buf;
}

Status Buffer::Reserve(size_t capacity) {
  if (capacity <= capacity_ && data_ != nullptr) return Status::OK();
  uint8_t* p = AlignedAlloc(capacity);
  if (p == nullptr) {
    return Status::OutOfMemory("cannot allocate " + std::to_string(capacity) + " bytes");
  }
  if (size_ > 0) std::memcpy(p, data_, size_);
  std::free(data_);
  data_ = p;
  capacity_ = std::max<size_t>(capacity, kBufferAlignment);
  return Status::OK();
}

Status Buffer::Resize(size_t size) {
  if (size > capacity_ || data_ == nullptr) {
    size_t target = std::max(size, capacity_ + capacity_ / 2);
    RETURN_NOT_OK(Reserve(target));
  }
  size_ = size;
  return Status::OK();
}

}  // namespace edgepipe
