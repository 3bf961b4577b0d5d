#pragma once
// AtomicFile: writes go to a temporary file beside the target, which is
// renamed over the target only by Commit(). A crash or an error leaves no
// half-written file under the target's name; the destructor removes the
// temporary unless committed. Not thread-safe.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "edgepipe/core/status.h"

namespace edgepipe {

class AtomicFile {
 public:
  struct Options {
    // fsync the data and the directory on Commit (the logger wants it; a
    // batch conversion usually does not).
    bool sync = false;
  };

  static Result<std::unique_ptr<AtomicFile>> Open(const std::string& path, Options options);
  static Result<std::unique_ptr<AtomicFile>> Open(const std::string& path) { return Open(path, Options{}); }
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  Status Write(const void* data, size_t size);
  Status Write(std::string_view data) { return Write(data.data(), data.size()); }
  // Bytes written so far (the current file offset).
  uint64_t position() const { return position_; }
  Status Commit();
  const std::string& path() const { return path_; }

 private:
  AtomicFile() = default;
  Status Flush();
  Status WriteFully(const uint8_t* data, size_t size);

  std::string path_;
  std::string tmp_path_;
  Options options_;
  int fd_ = -1;
  uint64_t position_ = 0;
  bool committed_ = false;
  std::vector<uint8_t> buffer_;  // coalesces small writes
};

}  // namespace edgepipe
