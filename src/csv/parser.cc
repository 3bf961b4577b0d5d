#include "csv/parser.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include "csv/scan_internal.h"

namespace edgepipe::csv {
namespace {

constexpr size_t kUnterminated = SIZE_MAX;
// Readable bytes after the scratch text, for word-wide value parsing.
constexpr size_t kScratchPadding = 32;

// Appends unescaped field bytes to a raw buffer sized by the caller.
struct RawSink {
  uint8_t* out;
  size_t size = 0;
  void Append(const uint8_t* p, size_t n) {
    if (n > 0) std::memcpy(out + size, p, n);
    size += n;
  }
  void Push(uint8_t c) { out[size++] = c; }
};

struct StringSink {
  std::string* out;
  void Append(const uint8_t* p, size_t n) { out->append(reinterpret_cast<const char*>(p), n); }
  void Push(uint8_t c) { out->push_back(static_cast<char>(c)); }
};

struct NullSink {
  void Append(const uint8_t*, size_t) {}
  void Push(uint8_t) {}
};

// Parses the field starting at src[i] (i <= len) with the dialect's rules
// and returns the offset of its terminator (a delimiter, a line feed, or
// len), or kUnterminated. This one function defines quoting for the slow
// path, the header and error messages; the Chunker mirrors it.
//  - A quote opens a quoted field only as the field's first byte.
//  - Inside, "" is one quote; a lone quote closes the quotes.
//  - Bytes after the closing quote, up to the terminator, are kept as is
//    (lenient, like Python's csv), as is any quote in an unquoted field.
//  - A CR right before the line feed (or the end) belongs to the line end.
template <typename Sink>
inline size_t ParseField(const uint8_t* src, size_t len, size_t i, uint8_t delimiter, uint8_t quote, Sink& sink,
                         bool* quoted) {
  *quoted = false;
  if (i < len && src[i] == quote) {
    *quoted = true;
    ++i;
    while (true) {
      const void* q = std::memchr(src + i, quote, len - i);
      if (q == nullptr) return kUnterminated;
      const auto qp = static_cast<size_t>(static_cast<const uint8_t*>(q) - src);
      sink.Append(src + i, qp - i);
      i = qp + 1;
      if (i < len && src[i] == quote) {
        sink.Push(quote);
        ++i;
        continue;
      }
      break;
    }
  }
  const size_t run_begin = i;
  while (i < len && src[i] != delimiter && src[i] != '\n') ++i;
  size_t run_end = i;
  if ((i == len || src[i] == '\n') && run_end > run_begin && src[run_end - 1] == '\r') --run_end;
  sink.Append(src + run_begin, run_end - run_begin);
  return i;
}

}  // namespace

RowScan ScanRow(const uint8_t* data, size_t size, size_t pos, char delimiter, char quote,
                std::vector<std::string>* fields) {
  RowScan scan;
  const auto d = static_cast<uint8_t>(delimiter);
  const auto q = static_cast<uint8_t>(quote);
  size_t i = pos;
  while (true) {
    bool quoted;
    size_t term;
    if (fields != nullptr) {
      fields->emplace_back();
      StringSink sink{&fields->back()};
      term = ParseField(data, size, i, d, q, sink, &quoted);
    } else {
      NullSink sink;
      term = ParseField(data, size, i, d, q, sink, &quoted);
    }
    ++scan.num_fields;
    if (term == kUnterminated) {
      scan.unterminated_quote = true;
      scan.next = size;
      return scan;
    }
    if (term == size) {
      scan.next = size;
      return scan;
    }
    if (data[term] == '\n') {
      scan.next = term + 1;
      return scan;
    }
    i = term + 1;
  }
}

// ---------------------------------------------------------------- FieldBatch

void FieldBatch::Reserve(int64_t max_rows, int num_cols) {
  num_cols_ = num_cols;
  const size_t ends_needed = static_cast<size_t>(max_rows) * static_cast<size_t>(num_cols) + 2;
  if (ends_needed > ends_capacity_) {
    ends_storage_.reset(new uint32_t[ends_needed]);
    ends_capacity_ = ends_needed;
  }
  ends_storage_[0] = 0;
  if (static_cast<size_t>(max_rows) > rows_capacity_) {
    row_offsets_.reset(new size_t[static_cast<size_t>(max_rows)]);
    rows_capacity_ = static_cast<size_t>(max_rows);
  }
}

uint8_t* FieldBatch::ReserveScratch(size_t bytes) {
  if (bytes > scratch_capacity_) {
    scratch_.reset(new uint8_t[bytes]);
    scratch_capacity_ = bytes;
  }
  return scratch_.get();
}

// ---------------------------------------------------------------- ChunkParser

ChunkParser::ChunkParser(const internal::Source* source, size_t begin, size_t end, int num_cols,
                         const CsvReadOptions& options)
    : source_(source),
      pos_(begin),
      end_(end),
      num_cols_(num_cols),
      delimiter_(options.delimiter),
      quote_(options.quote) {}

Status ChunkParser::FieldCountError(size_t row_offset) const {
  const RowScan scan = ScanRow(source_->data, source_->size, row_offset, delimiter_, quote_, nullptr);
  std::string what = "expected " + std::to_string(num_cols_) + " fields, got " + std::to_string(scan.num_fields) +
                     ": " + internal::LineSnippet(*source_, row_offset);
  if (scan.num_fields > num_cols_) {
    what += "; a field holding the delimiter must be quoted";
  }
  return internal::CorruptionAt(*source_, row_offset, what);
}

Status ChunkParser::Next(int64_t max_rows, FieldBatch* batch) {
  batch->num_rows_ = 0;
  if (pos_ >= end_) return Status::OK();
  const size_t len = end_ - pos_;
  if (len > FieldBatch::kMaxBytes) {
    return Status::NotSupported(source_->name + ":" + std::to_string(internal::LineAt(*source_, pos_)) +
                                ": a block of more than 1 GiB (a row that long?) is not supported");
  }
  // A row holds at least num_cols bytes (delimiters and its line feed), bar
  // the last one: no more rows than this can exist in the block.
  max_rows = std::min<int64_t>(max_rows, static_cast<int64_t>(len / static_cast<size_t>(num_cols_)) + 1);
  batch->Reserve(max_rows, num_cols_);
  Status status;
  if (ParseFast(max_rows, batch, &status)) return status;
  saw_quote_ = true;
  return ParseSlow(max_rows, batch);
}

bool ChunkParser::ParseFast(int64_t max_rows, FieldBatch* batch, Status* status) {
  using internal::WindowMasks;
  const uint8_t* const base = source_->data + pos_;
  const size_t len = end_ - pos_;
  const size_t readable = source_->size - pos_;  // bytes that may be loaded from base
  const int num_cols = num_cols_;
  uint32_t* const ends = batch->ends_storage_.get() + 1;
  size_t* const row_offsets = batch->row_offsets_.get();
  uint32_t* e = ends;
  uint32_t* row_limit = ends + num_cols;
  int64_t rows = 0;
  size_t row_start = 0;

  auto finish = [&](size_t next_pos) {
    pos_ += next_pos;
    batch->base_ = base;
    batch->limit_ = source_->data + source_->size;
    batch->num_rows_ = rows;
  };
  // A row with too few fields is a blank line to skip or an error; either
  // way the batch ends there.
  auto irregular = [&](uint32_t* row_begin, size_t next_row_start) -> bool {
    const std::string_view text = FieldBatch::FieldText(base, row_begin[-1], row_begin[0]);
    if (num_cols > 1 && e - row_begin == 1 && text.empty()) {
      // Blank line: end the batch before it and skip it, so that the field
      // offsets stay contiguous.
      e = row_begin;
      finish(next_row_start);
      *status = Status::OK();
      return true;
    }
    *status = FieldCountError(pos_ + row_start);
    return true;
  };

  alignas(64) uint8_t tail[64];
  for (size_t off = 0; off < len; off += 64) {
    WindowMasks m;
    if (len - off >= 64) [[likely]] {
      m = internal::ScanWindow(base + off, delimiter_, quote_);
    } else {
      // The block's last bytes: load what is readable, ignore what lies
      // past the block (it belongs to the next one).
      std::memset(tail, 0, sizeof(tail));
      std::memcpy(tail, base + off, std::min<size_t>(64, readable - off));
      m = internal::ScanWindow(tail, delimiter_, quote_);
      const uint64_t valid = (uint64_t{1} << (len - off)) - 1;
      m.delimiter &= valid;
      m.newline &= valid;
      m.quote &= valid;
    }
    if (m.quote != 0) return false;
    uint64_t bits = m.delimiter | m.newline;
    while (bits != 0) {
      const int i = std::countr_zero(bits);
      bits &= bits - 1;
      const auto at = static_cast<uint32_t>(off + static_cast<size_t>(i));
      if ((m.newline >> i) & 1) {
        const uint32_t field_start = e[-1] & FieldBatch::kPosMask;
        uint32_t v = at + 1;
        if (at > field_start && base[at - 1] == '\r') v |= FieldBatch::kCrBit;
        *e++ = v;
        if (e != row_limit) [[unlikely]] {
          if (irregular(row_limit - num_cols, at + 1)) return true;
        }
        row_offsets[rows++] = pos_ + row_start;
        row_start = at + 1;
        row_limit = e + num_cols;
        if (rows == max_rows) {
          finish(row_start);
          return true;
        }
      } else {
        *e++ = at + 1;
        if (e == row_limit) [[unlikely]] {
          *status = FieldCountError(pos_ + row_start);
          return true;
        }
      }
    }
  }
  if (row_start < len) {
    // The last row of the input has no line feed.
    const uint32_t field_start = e[-1] & FieldBatch::kPosMask;
    uint32_t v = static_cast<uint32_t>(len) + 1;
    if (len > field_start && base[len - 1] == '\r') v |= FieldBatch::kCrBit;
    *e++ = v;
    if (e != row_limit) {
      if (irregular(row_limit - num_cols, len)) return true;
    }
    row_offsets[rows++] = pos_ + row_start;
  }
  finish(len);
  *status = Status::OK();
  return true;
}

Status ChunkParser::ParseSlow(int64_t max_rows, FieldBatch* batch) {
  const uint8_t* const src = source_->data + pos_;
  const size_t len = end_ - pos_;
  const auto d = static_cast<uint8_t>(delimiter_);
  const auto q = static_cast<uint8_t>(quote_);
  const int num_cols = num_cols_;
  // Each field adds its text and one separator slot; its source holds the
  // same text plus at least a terminator (bar the last field): len + 1 bytes
  // suffice.
  uint8_t* const scratch = batch->ReserveScratch(len + 2 + kScratchPadding);
  uint32_t* const ends = batch->ends_storage_.get() + 1;
  size_t* const row_offsets = batch->row_offsets_.get();
  RawSink sink{scratch};
  uint32_t* e = ends;
  int64_t rows = 0;
  size_t i = 0;
  while (i < len && rows < max_rows) {
    const size_t row_start = i;
    uint32_t* const row_begin = e;
    bool blank_candidate = false;
    while (true) {
      bool quoted;
      const size_t field_begin = sink.size;
      const size_t term = ParseField(src, len, i, d, q, sink, &quoted);
      if (term == kUnterminated) {
        return internal::CorruptionAt(*source_, pos_ + row_start,
                                      "a quoted field is never closed (no matching " + std::string(1, quote_) +
                                          "): " + internal::LineSnippet(*source_, pos_ + row_start) +
                                          "; a quote inside a quoted field must be doubled");
      }
      blank_candidate = !quoted && sink.size == field_begin;
      *e++ = static_cast<uint32_t>(sink.size + 1) | (quoted ? FieldBatch::kQuotedBit : 0);
      ++sink.size;  // separator slot
      if (term == len || src[term] == '\n') {
        i = term == len ? len : term + 1;
        break;
      }
      i = term + 1;
      if (e - row_begin == num_cols) return FieldCountError(pos_ + row_start);
    }
    if (e - row_begin != num_cols) {
      if (num_cols > 1 && e - row_begin == 1 && blank_candidate) {
        e = row_begin;  // blank line
        sink.size = row_begin[-1] & FieldBatch::kPosMask;
        continue;
      }
      return FieldCountError(pos_ + row_start);
    }
    row_offsets[rows++] = pos_ + row_start;
  }
  pos_ += i;
  batch->base_ = scratch;
  batch->limit_ = scratch + batch->scratch_capacity_;
  batch->num_rows_ = rows;
  return Status::OK();
}

}  // namespace edgepipe::csv
