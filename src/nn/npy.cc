#include "edgepipe/nn/npy.h"

#include <cerrno>
#include <cstring>
#include <fstream>

#include "edgepipe/core/atomic_file.h"

namespace edgepipe::nn {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicLen = 6;

// Parser of the header's Python dict literal, e.g.
// {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
class HeaderParser {
 public:
  HeaderParser(std::string_view text, size_t base) : text_(text), base_(base) {}

  Status Parse(std::string* descr, bool* fortran, Shape* shape) {
    bool have_descr = false, have_order = false, have_shape = false;
    SkipSpace();
    RETURN_NOT_OK(Expect('{'));
    while (true) {
      SkipSpace();
      if (Peek() == '}') {
        ++pos_;
        break;
      }
      ASSIGN_OR_RETURN(std::string key, ParseString());
      SkipSpace();
      RETURN_NOT_OK(Expect(':'));
      SkipSpace();
      if (key == "descr") {
        ASSIGN_OR_RETURN(*descr, ParseString());
        have_descr = true;
      } else if (key == "fortran_order") {
        if (text_.substr(pos_, 4) == "True") {
          *fortran = true;
          pos_ += 4;
        } else if (text_.substr(pos_, 5) == "False") {
          *fortran = false;
          pos_ += 5;
        } else {
          return Error("expected True or False for 'fortran_order'");
        }
        have_order = true;
      } else if (key == "shape") {
        RETURN_NOT_OK(ParseShape(shape));
        have_shape = true;
      } else {
        return Error("unexpected key '" + key + "'");
      }
      SkipSpace();
      if (Peek() == ',') {
        ++pos_;
      } else if (Peek() != '}') {
        return Error("expected ',' or '}'");
      }
    }
    SkipSpace();
    if (pos_ != text_.size()) return Error("unexpected text after the header dict");
    if (!have_descr || !have_order || !have_shape) {
      return Status::Corruption("npy header lacks " + std::string(!have_descr ? "'descr'" : !have_order ? "'fortran_order'" : "'shape'"));
    }
    return Status::OK();
  }

 private:
  char Peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  void SkipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n' || text_[pos_] == '\t')) ++pos_;
  }
  Status Error(const std::string& what) const {
    return Status::Corruption("npy header at byte " + std::to_string(base_ + pos_) + ": " + what + " (header: " +
                              std::string(text_.substr(0, 120)) + ")");
  }
  Status Expect(char c) {
    if (Peek() != c) return Error(std::string("expected '") + c + "'");
    ++pos_;
    return Status::OK();
  }
  Result<std::string> ParseString() {
    const char quote = Peek();
    if (quote != '\'' && quote != '"') return Error("expected a quoted string");
    const size_t end = text_.find(quote, pos_ + 1);
    if (end == std::string_view::npos) return Error("unterminated string");
    std::string s(text_.substr(pos_ + 1, end - pos_ - 1));
    pos_ = end + 1;
    return s;
  }
  Status ParseShape(Shape* shape) {
    RETURN_NOT_OK(Expect('('));
    shape->clear();
    while (true) {
      SkipSpace();
      if (Peek() == ')') {
        ++pos_;
        return Status::OK();
      }
      if (Peek() < '0' || Peek() > '9') return Error("expected a dimension");
      int64_t d = 0;
      while (Peek() >= '0' && Peek() <= '9') {
        if (d > (int64_t{1} << 40)) return Error("dimension too large");
        d = d * 10 + (Peek() - '0');
        ++pos_;
      }
      if (shape->size() >= 32) return Error("more than 32 dimensions");
      shape->push_back(d);
      SkipSpace();
      if (Peek() == ',') {
        ++pos_;
      } else if (Peek() != ')') {
        return Error("expected ',' or ')' in shape");
      }
    }
  }

  std::string_view text_;
  size_t base_;
  size_t pos_ = 0;
};

}  // namespace

Result<Tensor> ParseNpy(std::string_view bytes) {
  if (bytes.size() < kMagicLen + 2 || std::memcmp(bytes.data(), kMagic, kMagicLen) != 0) {
    return Status::Corruption("not an .npy file: expected magic \\x93NUMPY at byte 0 (" + std::to_string(bytes.size()) +
                              " bytes)");
  }
  const auto major = static_cast<uint8_t>(bytes[6]);
  const auto minor = static_cast<uint8_t>(bytes[7]);
  if (major < 1 || major > 3 || minor != 0) {
    return Status::NotSupported("npy format version " + std::to_string(major) + "." + std::to_string(minor) +
                                " (1.0-3.0 are supported)");
  }
  const size_t len_bytes = major == 1 ? 2 : 4;
  const size_t header_start = 8 + len_bytes;
  if (bytes.size() < header_start) {
    return Status::Corruption("npy file truncated at byte " + std::to_string(bytes.size()) + " inside the header length");
  }
  uint64_t header_len = 0;
  for (size_t i = 0; i < len_bytes; ++i) header_len |= uint64_t{static_cast<uint8_t>(bytes[8 + i])} << (8 * i);
  if (header_len > bytes.size() - header_start) {
    return Status::Corruption("npy header claims " + std::to_string(header_len) + " bytes at byte " +
                              std::to_string(header_start) + ", only " + std::to_string(bytes.size() - header_start) +
                              " remain (truncated file?)");
  }
  std::string descr;
  bool fortran = false;
  Shape shape;
  HeaderParser parser(bytes.substr(header_start, header_len), header_start);
  RETURN_NOT_OK(parser.Parse(&descr, &fortran, &shape));
  if (descr != "<f4") {
    return Status::NotSupported("npy dtype '" + descr + "' is not supported; save float32 arrays (np.float32, '<f4')");
  }
  if (fortran) return Status::NotSupported("npy array is in Fortran order; save with np.ascontiguousarray");
  const int64_t n = NumElements(shape);
  const size_t data_start = header_start + header_len;
  const size_t available = bytes.size() - data_start;
  if (n < 0 || static_cast<uint64_t>(n) > available / 4 || static_cast<uint64_t>(n) * 4 != available) {
    return Status::Corruption("npy data of shape " + ShapeToString(shape) + " needs " +
                              (n < 0 ? std::string("too many") : std::to_string(static_cast<uint64_t>(n) * 4)) +
                              " bytes after byte " + std::to_string(data_start) + ", file has " +
                              std::to_string(available));
  }
  return Tensor::FromData(DType::kF32, shape, bytes.data() + data_start, available);
}

Result<Tensor> ReadNpy(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return Status::IOError("cannot open '" + path + "': " + std::strerror(errno));
  std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (f.bad()) return Status::IOError("cannot read '" + path + "'");
  Result<Tensor> t = ParseNpy(bytes);
  if (!t.ok()) return t.status().WithContext(path);
  return t;
}

Result<std::string> SerializeNpy(const Tensor& tensor) {
  if (tensor.dtype() != DType::kF32) {
    return Status::InvalidArgument("npy writer supports f32 tensors, got " + std::string(DTypeName(tensor.dtype())));
  }
  std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < tensor.shape().size(); ++i) {
    dict += std::to_string(tensor.shape()[i]);
    if (tensor.shape().size() == 1 || i + 1 < tensor.shape().size()) dict += ",";
    if (i + 1 < tensor.shape().size()) dict += " ";
  }
  dict += "), }";
  // Pad so the data starts at a multiple of 64 bytes, header ends in '\n'.
  const size_t unpadded = 10 + dict.size() + 1;
  dict.append((64 - unpadded % 64) % 64, ' ');
  dict += '\n';
  if (dict.size() > 65535) return Status::InvalidArgument("npy header too long (rank too high)");
  std::string out(kMagic, kMagicLen);
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(dict.size() & 0xff);
  out += static_cast<char>(dict.size() >> 8);
  out += dict;
  out.append(static_cast<const char*>(tensor.data()), tensor.nbytes());
  return out;
}

Status WriteNpy(const std::string& path, const Tensor& tensor) {
  ASSIGN_OR_RETURN(std::string bytes, SerializeNpy(tensor));
  ASSIGN_OR_RETURN(std::unique_ptr<AtomicFile> file, AtomicFile::Open(path));
  RETURN_NOT_OK(file->Write(bytes));
  return file->Commit();
}

}  // namespace edgepipe::nn
