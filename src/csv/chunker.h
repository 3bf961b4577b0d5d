#pragma once
// Chunker: cuts the input into blocks that end on a row boundary, so that
// blocks can be parsed independently and in parallel (Arrow's csv/chunker).
//
// A block starts at a row start and ends just after the last line feed that
// lies before start + block_size and outside quotes; a row longer than the
// block extends it to its end. Quote tracking uses the parser's exact rules
// (a quote opens a quoted field only at the start of a field; "" inside is an
// escaped quote), so the cut agrees with how the parser reads the same bytes.
// The scan runs serially in the reader thread, but memchr-fast: a block
// without any quote character costs one memchr and one memrchr.

#include <cstddef>
#include <cstdint>

namespace edgepipe::csv {

class Chunker {
 public:
  Chunker(char delimiter, char quote) : delimiter_(delimiter), quote_(quote) {}

  // End (exclusive offset) of the block starting at row start `begin` in
  // data[0, size); `size` when the rest of the input is one block. An
  // unterminated quote runs the block to `size` (the parser reports it).
  size_t FindBlockEnd(const uint8_t* data, size_t size, size_t begin, size_t block_size) const;

 private:
  // Offset just past the quoted field whose opening quote is at `open`, or
  // `size` if it is never closed.
  size_t SkipQuoted(const uint8_t* data, size_t size, size_t open) const;
  bool AtFieldStart(const uint8_t* data, size_t begin, size_t pos) const {
    return pos == begin || data[pos - 1] == static_cast<uint8_t>(delimiter_) || data[pos - 1] == '\n';
  }

  char delimiter_;
  char quote_;
};

}  // namespace edgepipe::csv
