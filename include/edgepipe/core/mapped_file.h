#pragma once
// Read-only memory map of a whole file. Readers parse straight from the map:
// no read() copies, and the kernel pages in only what a projection touches.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "edgepipe/core/status.h"

namespace edgepipe {

class MappedFile {
 public:
  // NotFound if the path does not exist, IOError for other failures.
  static Result<std::shared_ptr<MappedFile>> Open(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  const std::string& path() const { return path_; }

  // Drops the pages of [begin, end) from this process's memory (whole pages
  // inside the range only). A streaming reader calls it on input it has
  // finished with, so a pass over a file larger than RAM keeps a small
  // resident set; the bytes stay readable (re-read from the page cache).
  void Release(size_t begin, size_t end) const;

 private:
  MappedFile() = default;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  std::string path_;
};

// "No such file or directory" etc. for errno, prefixed with the path.
Status ErrnoStatus(const std::string& path, std::string_view what, int err);

}  // namespace edgepipe
