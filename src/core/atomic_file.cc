#include "edgepipe/core/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "edgepipe/core/mapped_file.h"

namespace edgepipe {
namespace {
constexpr size_t kBufferSize = size_t{1} << 20;

std::string DirName(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}
}  // namespace

Result<std::unique_ptr<AtomicFile>> AtomicFile::Open(const std::string& path, Options options) {
  std::unique_ptr<AtomicFile> file(new AtomicFile());
  file->path_ = path;
  file->options_ = options;
  std::string tmpl = path + ".tmp-XXXXXX";
  std::vector<char> name(tmpl.begin(), tmpl.end());
  name.push_back('\0');
  file->fd_ = ::mkostemp(name.data(), O_CLOEXEC);
  if (file->fd_ < 0) return ErrnoStatus(path, "cannot create output", errno);
  (void)::fchmod(file->fd_, 0644);  // mkostemp creates 0600; outputs are ordinary files
  file->tmp_path_ = name.data();
  file->buffer_.reserve(kBufferSize);
  return file;
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_ && !tmp_path_.empty()) ::unlink(tmp_path_.c_str());
}

Status AtomicFile::WriteFully(const uint8_t* data, size_t size) {
  size_t done = 0;
  while (done < size) {
    const ssize_t n = ::write(fd_, data + done, size - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(path_, "write failed", errno);
    }
    done += static_cast<size_t>(n);
  }
  return Status::OK();
}

Status AtomicFile::Flush() {
  RETURN_NOT_OK(WriteFully(buffer_.data(), buffer_.size()));
  buffer_.clear();
  return Status::OK();
}

Status AtomicFile::Write(const void* data, size_t size) {
  if (committed_ || fd_ < 0) return Status::Internal(path_ + ": write after commit");
  const auto* p = static_cast<const uint8_t*>(data);
  position_ += size;
  if (buffer_.size() + size > kBufferSize) RETURN_NOT_OK(Flush());
  if (size >= kBufferSize) {
    return WriteFully(p, size);  // large blocks skip the buffer
  }
  buffer_.insert(buffer_.end(), p, p + size);
  return Status::OK();
}

Status AtomicFile::Commit() {
  if (committed_) return Status::OK();
  RETURN_NOT_OK(Flush());
  if (options_.sync && ::fsync(fd_) != 0) return ErrnoStatus(path_, "fsync failed", errno);
  if (::close(fd_) != 0) {
    fd_ = -1;
    return ErrnoStatus(path_, "close failed", errno);
  }
  fd_ = -1;
  if (::rename(tmp_path_.c_str(), path_.c_str()) != 0) return ErrnoStatus(path_, "cannot rename into place", errno);
  committed_ = true;
  if (options_.sync) {
    const int dir = ::open(DirName(path_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
      ::fsync(dir);
      ::close(dir);
    }
  }
  return Status::OK();
}

}  // namespace edgepipe
