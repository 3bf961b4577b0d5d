#include "edgepipe/core/buffer.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <new>
#include <string>

namespace edgepipe {
namespace {

// Above this size, align to 2 MiB and advise huge pages.
constexpr size_t kHugePageThreshold = size_t{4} << 20;
constexpr size_t kHugePageSize = size_t{2} << 20;

// Freed large blocks are kept and reused: glibc returns them to the kernel,
// and the next read of a file then pays page faults and kernel zeroing on
// every page again, which costs more than decoding on this class of machine.
// Bounded (kMaxCachedBytes); a block is reused only for a request of at least
// half its size. Never destroyed, so buffers freed during static destruction
// are safe.
class LargeBlockCache {
 public:
  static LargeBlockCache& Get() {
    static auto* cache = new LargeBlockCache();
    return *cache;
  }
  void* Take(size_t size, size_t* block_size) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = blocks_.lower_bound(size);
    if (it == blocks_.end() || it->first > 2 * size) return nullptr;
    void* p = it->second;
    *block_size = it->first;
    cached_bytes_ -= it->first;
    blocks_.erase(it);
    return p;
  }
  bool Give(void* p, size_t block_size) {
    std::lock_guard<std::mutex> lock(mu_);
    if (cached_bytes_ + block_size > kMaxCachedBytes) return false;
    blocks_.emplace(block_size, p);
    cached_bytes_ += block_size;
    return true;
  }

 private:
  static constexpr size_t kMaxCachedBytes = size_t{1} << 30;
  std::mutex mu_;
  std::multimap<size_t, void*> blocks_;  // guarded by mu_
  size_t cached_bytes_ = 0;              // guarded by mu_
};

// Returns a block of at least `capacity` bytes and its real size.
uint8_t* AlignedAlloc(size_t capacity, size_t* block_size) {
  if (capacity == 0) capacity = kBufferAlignment;
  const size_t align = capacity >= kHugePageThreshold ? kHugePageSize : kBufferAlignment;
  const size_t rounded = (capacity + align - 1) / align * align;
  if (align == kHugePageSize) {
    if (void* p = LargeBlockCache::Get().Take(rounded, block_size)) return static_cast<uint8_t*>(p);
  }
  void* p = std::aligned_alloc(align, rounded);
  if (p != nullptr && align == kHugePageSize) {
    madvise(p, rounded, MADV_HUGEPAGE);  // a hint: failure is harmless
  }
  *block_size = rounded;
  return static_cast<uint8_t*>(p);
}

void AlignedFree(uint8_t* p, size_t block_size) {
  if (p == nullptr) return;
  if (block_size >= kHugePageThreshold && LargeBlockCache::Get().Give(p, block_size)) return;
  std::free(p);
}

}  // namespace

Buffer::~Buffer() { AlignedFree(data_, capacity_); }

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
  size_t block_size = 0;
  uint8_t* p = AlignedAlloc(capacity, &block_size);
  if (p == nullptr) {
    return Status::OutOfMemory("cannot allocate " + std::to_string(capacity) + " bytes");
  }
  if (size_ > 0) std::memcpy(p, data_, size_);
  AlignedFree(data_, capacity_);
  data_ = p;
  capacity_ = block_size;
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
