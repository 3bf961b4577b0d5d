#include "parquet/reader/column_chunk_reader.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "edgepipe/core/bit_util.h"
#include "parquet/compression/codec.h"
#include "parquet/encoding/delta_byte_array.h"
#include "parquet/encoding/dictionary.h"
#include "parquet/reader/error_context.h"
#include "parquet/reader/page_decoder.h"

namespace edgepipe::parquet {
namespace {

// Per-thread scratch: tasks run on the pool's workers, one at a time per
// thread, so each worker reuses its buffers across pages and chunks.
PageScratch& ThreadScratch() {
  thread_local PageScratch scratch;
  return scratch;
}
// Scratch kept between chunks; a larger page's buffers are released after
// its chunk so one odd file does not pin memory in every worker.
constexpr size_t kScratchKeepBytes = size_t{64} << 20;

Result<Codec> MapCodec(CompressionCodec codec) {
  switch (codec) {
    case CompressionCodec::kUncompressed: return Codec::kUncompressed;
    case CompressionCodec::kSnappy: return Codec::kSnappy;
    case CompressionCodec::kGzip: return Codec::kGzip;
    case CompressionCodec::kLzo: return Codec::kLzo;
    case CompressionCodec::kBrotli: return Codec::kBrotli;
    case CompressionCodec::kLz4: return Codec::kLz4Hadoop;
    case CompressionCodec::kZstd: return Codec::kZstd;
    case CompressionCodec::kLz4Raw: return Codec::kLz4Raw;
  }
  return Status::NotSupported("unknown compression codec " + std::to_string(static_cast<int32_t>(codec)));
}

// Fixed-width physical bytes per value, to bound a page's uncompressed size
// by its value count (0: variable width, only the global caps apply).
int PhysicalWidth(PhysicalType type) {
  switch (type) {
    case PhysicalType::kBoolean: return 1;
    case PhysicalType::kInt32:
    case PhysicalType::kFloat: return 4;
    case PhysicalType::kInt64:
    case PhysicalType::kDouble: return 8;
    case PhysicalType::kInt96: return 12;
    default: return 0;
  }
}

// A decoded page: definition levels (nullptr when the column is required)
// and the value bytes after them.
struct PageValues {
  Encoding encoding = Encoding::kPlain;
  int64_t num_values = 0;  // levels, i.e. rows for flat columns
  int64_t non_null = 0;
  const uint8_t* levels = nullptr;
  const uint8_t* data = nullptr;
  size_t size = 0;
  // The values were decompressed straight into the sink's output (PLAIN,
  // no nulls, same storage): only conversions are left to do.
  bool in_place = false;
};

// ---------------------------------------------------------------------------
// Validity bitmap of one chunk, created at its first null.

class ValidityBuilder {
 public:
  explicit ValidityBuilder(int64_t num_rows) : num_rows_(num_rows) {}

  Status AddPage(int64_t row, const PageValues& page) {
    const int64_t n = page.num_values;
    if (page.levels == nullptr || page.non_null == n) {
      if (bits_) SetRange(row, n);
      return Status::OK();
    }
    if (!bits_) {
      ASSIGN_OR_RETURN(bits_, Buffer::AllocateZeroed(static_cast<size_t>(bit_util::BytesForBits(num_rows_))));
      SetRange(0, row);
    }
    uint8_t* bits = bits_->mutable_data();
    const uint8_t* levels = page.levels;
    int64_t i = 0;
    // Leading bits up to a byte boundary, then 8 levels per byte.
    for (; i < n && ((row + i) & 7) != 0; ++i) {
      if (levels[i]) bit_util::SetBit(bits, row + i);
    }
    uint8_t* dst = bits + ((row + i) >> 3);
    for (; i + 8 <= n; i += 8) {
      const uint8_t* l = levels + i;
      *dst++ = static_cast<uint8_t>(l[0] | l[1] << 1 | l[2] << 2 | l[3] << 3 | l[4] << 4 | l[5] << 5 | l[6] << 6 |
                                    l[7] << 7);
    }
    for (; i < n; ++i) {
      if (levels[i]) bit_util::SetBit(bits, row + i);
    }
    null_count_ += n - page.non_null;
    return Status::OK();
  }

  void Finish(ColumnChunkResult* result) {
    result->validity = std::move(bits_);
    result->null_count = null_count_;
  }

 private:
  void SetRange(int64_t start, int64_t length) {
    uint8_t* bits = bits_->mutable_data();
    int64_t i = start;
    const int64_t end = start + length;
    for (; i < end && (i & 7) != 0; ++i) bit_util::SetBit(bits, i);
    if (i + 8 <= end) {
      const int64_t bytes = (end - i) >> 3;
      std::memset(bits + (i >> 3), 0xff, static_cast<size_t>(bytes));
      i += bytes * 8;
    }
    for (; i < end; ++i) bit_util::SetBit(bits, i);
  }

  int64_t num_rows_;
  int64_t null_count_ = 0;
  std::shared_ptr<Buffer> bits_;
};

// Moves the dense values out[0, non_null) to their rows in out[0, n), zero
// for null rows. Backwards, so it works in place (dense index <= row index).
template <typename T>
void SpreadByLevels(T* out, const uint8_t* levels, int64_t n, int64_t non_null) {
  int64_t k = non_null - 1;
  for (int64_t i = n - 1; i >= 0; --i) {
    const T v = out[k < 0 ? 0 : k];
    out[i] = levels[i] ? v : T{};
    k -= levels[i];
  }
}

// ---------------------------------------------------------------------------
// Sinks: one per output representation. The page loop is a template over the
// sink, so the per-page dispatch is static and there are no per-value calls.

// Timestamp and date scaling with an exact range check: valid Parquet values
// outside the ns range (about 1677..2262) are NotSupported, not wrapped.
template <typename T>
Status ScaleToNanos(const T* in, int64_t n, int64_t factor, int64_t* out) {
  if (n == 0) return Status::OK();
  T lo = in[0], hi = in[0];
  for (int64_t i = 0; i < n; ++i) {
    lo = std::min(lo, in[i]);
    hi = std::max(hi, in[i]);
  }
  const int64_t max_ok = std::numeric_limits<int64_t>::max() / factor;
  const int64_t min_ok = std::numeric_limits<int64_t>::min() / factor;
  if (static_cast<int64_t>(hi) > max_ok || static_cast<int64_t>(lo) < min_ok) {
    const int64_t bad = static_cast<int64_t>(hi) > max_ok ? static_cast<int64_t>(hi) : static_cast<int64_t>(lo);
    return Status::NotSupported("value " + std::to_string(bad) + " (x " + std::to_string(factor) +
                                " ns) is outside the range of ns timestamps (years 1677..2262)");
  }
  for (int64_t i = 0; i < n; ++i) out[i] = static_cast<int64_t>(in[i]) * factor;
  return Status::OK();
}

// Phys: the decoded physical storage (INT96 decodes to int64 ns). Out: the
// column's storage.
template <typename Phys, typename Out, bool kInt96 = false>
class FixedSink {
 public:
  FixedSink(const ColumnChunkTask& task, PageScratch* scratch)
      : out_(reinterpret_cast<Out*>(task.values)), conversion_(task.column->conversion), scratch_(scratch) {}

  Status SetDictionary(const uint8_t* data, size_t size, int64_t num_values) {
    has_dict_ = true;
    if constexpr (kInt96) {
      return DecodeInt96Dictionary(data, size, num_values, &dict_);
    } else {
      return DecodeFixedDictionary<Phys>(data, size, num_values, &dict_);
    }
  }

  Status AddPage(int64_t row, const PageValues& page) {
    Out* out = out_ + row;
    const int64_t m = page.non_null;
    constexpr bool kSameStorage = std::is_same_v<Phys, Out>;
    Phys* dense;
    if constexpr (kSameStorage) {
      dense = out;
    } else {
      ASSIGN_OR_RETURN(dense, scratch_->values.GetAs<Phys>(m));
    }
    const std::vector<Phys>* dict = has_dict_ ? &dict_ : nullptr;
    if (page.in_place) {
      // Already in `out` (PlainTarget): nothing to decode.
    } else if constexpr (kInt96) {
      RETURN_NOT_OK(DecodeInt96Values(page.encoding, page.data, page.size, m, dict, dense, scratch_));
    } else {
      RETURN_NOT_OK(DecodeFixedValues<Phys>(page.encoding, page.data, page.size, m, dict, dense, scratch_));
    }
    if constexpr (std::is_same_v<Out, int64_t> && std::is_integral_v<Phys>) {
      switch (conversion_) {
        case ValueConversion::kUint32ToInt64:
          for (int64_t i = 0; i < m; ++i) out[i] = static_cast<int64_t>(static_cast<uint32_t>(dense[i]));
          break;
        case ValueConversion::kDaysToNanos:
          RETURN_NOT_OK(ScaleToNanos(dense, m, int64_t{86400} * 1000000000, out));
          break;
        case ValueConversion::kMillisToNanos:
          RETURN_NOT_OK(ScaleToNanos(dense, m, 1000000, out));
          break;
        case ValueConversion::kMicrosToNanos:
          RETURN_NOT_OK(ScaleToNanos(dense, m, 1000, out));
          break;
        default:
          if constexpr (!kSameStorage) {
            for (int64_t i = 0; i < m; ++i) out[i] = static_cast<Out>(dense[i]);
          }
          break;
      }
    }
    if (page.levels != nullptr && m < page.num_values) SpreadByLevels(out, page.levels, page.num_values, m);
    return Status::OK();
  }

  Status Finish(ColumnChunkResult*) { return Status::OK(); }

  // Where a PLAIN page of n values without nulls may be decompressed
  // directly (saving a copy of every value), or nullptr.
  uint8_t* PlainTarget(int64_t row, int64_t n, int64_t bytes) {
    if constexpr (!kInt96 && std::is_same_v<Phys, Out>) {
      if (bytes == n * static_cast<int64_t>(sizeof(Phys))) return reinterpret_cast<uint8_t*>(out_ + row);
    }
    return nullptr;
  }

 private:
  Out* out_;
  ValueConversion conversion_;
  PageScratch* scratch_;
  bool has_dict_ = false;
  std::vector<Phys> dict_;
};

class BoolSink {
 public:
  BoolSink(const ColumnChunkTask& task, PageScratch* scratch) : num_rows_(task.num_rows), scratch_(scratch) {}

  Status Init() {
    ASSIGN_OR_RETURN(bits_, Buffer::AllocateZeroed(static_cast<size_t>(bit_util::BytesForBits(num_rows_))));
    return Status::OK();
  }

  Status SetDictionary(const uint8_t*, size_t, int64_t) {
    return Status::Corruption("dictionary page in a BOOLEAN column");
  }

  Status AddPage(int64_t row, const PageValues& page) {
    ASSIGN_OR_RETURN(uint8_t* dense, scratch_->values.GetAs<uint8_t>(page.non_null));
    RETURN_NOT_OK(DecodeBoolValues(page.encoding, page.data, page.size, page.non_null, dense));
    uint8_t* bits = bits_->mutable_data();
    if (page.levels == nullptr || page.non_null == page.num_values) {
      for (int64_t i = 0; i < page.num_values; ++i) {
        if (dense[i]) bit_util::SetBit(bits, row + i);
      }
    } else {
      int64_t k = 0;
      for (int64_t i = 0; i < page.num_values; ++i) {
        if (page.levels[i] && dense[k++]) bit_util::SetBit(bits, row + i);
      }
    }
    return Status::OK();
  }

  Status Finish(ColumnChunkResult* result) {
    result->values = std::move(bits_);
    return Status::OK();
  }
  uint8_t* PlainTarget(int64_t, int64_t, int64_t) { return nullptr; }

 private:
  int64_t num_rows_;
  PageScratch* scratch_;
  std::shared_ptr<Buffer> bits_;
};

// BYTE_ARRAY output in one of two modes, decided by the chunk's pages:
//  - dictionary mode (ColumnChunkTask::read_dictionary and a dictionary
//    page): the dictionary is decoded once into a plain string column and
//    each dictionary-encoded page's indices become int32 codes, no string
//    bytes copied per row;
//  - plain mode: offsets and bytes. A chunk without a dictionary page starts
//    here; a dictionary chunk switches here at its first non-dictionary data
//    page (the writers' fallback), turning the codes so far into strings.
class StringSink {
 public:
  StringSink(const ColumnChunkTask& task, PageScratch* scratch)
      : num_rows_(task.num_rows),
        read_dictionary_(task.read_dictionary),
        budget_(task.byte_budget),
        scratch_(scratch) {}

  Status Init(int64_t expected_bytes) {
    expected_bytes_ = expected_bytes;
    return Status::OK();
  }

  Status SetDictionary(const uint8_t* data, size_t size, int64_t num_values) {
    has_dict_ = true;
    RETURN_NOT_OK(DecodeByteArrayDictionary(data, size, num_values, &dict_));
    // Run() rejects a dictionary page after data pages, so no row is decoded
    // yet and the chunk may still be returned dictionary-encoded.
    if (read_dictionary_ && !plain_) return BuildDictionaryColumn();
    return Status::OK();
  }

  uint8_t* PlainTarget(int64_t, int64_t, int64_t) { return nullptr; }

  Status AddPage(int64_t row, const PageValues& page) {
    const bool dict_page = page.encoding == Encoding::kRleDictionary || page.encoding == Encoding::kPlainDictionary;
    if (dictionary_ != nullptr) {
      if (dict_page) return AddCodes(row, page);
      RETURN_NOT_OK(FallBackToPlain(row));
    }
    RETURN_NOT_OK(EnsurePlain());
    if (has_dict_ && dict_page) return AddDictionaryPage(row, page);
    const int64_t m = page.non_null;
    ASSIGN_OR_RETURN(std::string_view* views, scratch_->views.GetAs<std::string_view>(m));
    const int64_t budget_left = budget_ ? budget_->load(std::memory_order_relaxed) : kMaxChunkBytes;
    RETURN_NOT_OK(DecodeByteArrayValues(page.encoding, page.data, page.size, m, has_dict_ ? &dict_ : nullptr,
                                        views, scratch_, &dba_, std::max<int64_t>(budget_left, 0)));
    int64_t page_bytes = 0;
    for (int64_t i = 0; i < m; ++i) page_bytes += static_cast<int64_t>(views[i].size());
    RETURN_NOT_OK(ReserveBytes(page_bytes));
    uint8_t* dst = data_->mutable_data();
    int32_t* offsets = offsets_->mutable_data_as<int32_t>() + row;
    int64_t pos = size_;
    if (page.levels == nullptr || m == page.num_values) {
      for (int64_t i = 0; i < m; ++i) {
        const size_t len = views[i].size();
        std::memcpy(dst + pos, views[i].data(), len);
        pos += static_cast<int64_t>(len);
        offsets[i + 1] = static_cast<int32_t>(pos);
      }
    } else {
      int64_t k = 0;
      for (int64_t i = 0; i < page.num_values; ++i) {
        if (page.levels[i]) {
          const size_t len = views[k].size();
          std::memcpy(dst + pos, views[k].data(), len);
          pos += static_cast<int64_t>(len);
          ++k;
        }
        offsets[i + 1] = static_cast<int32_t>(pos);
      }
    }
    size_ = pos;
    return Status::OK();
  }

  Status Finish(ColumnChunkResult* result) {
    if (dictionary_ != nullptr) {
      if (codes_have_nulls_) {
        // Null rows carry kNullCode while decoding (the plain fallback must
        // tell them apart); the column contract wants an in-range code or 0.
        int32_t* codes = codes_->mutable_data_as<int32_t>();
        for (int64_t i = 0; i < num_rows_; ++i) codes[i] = std::max(codes[i], 0);
      }
      result->values = std::move(codes_);
      result->dictionary = std::move(dictionary_);
      return Status::OK();
    }
    RETURN_NOT_OK(EnsurePlain());
    RETURN_NOT_OK(data_->Resize(static_cast<size_t>(size_)));  // drop the copy padding
    result->values = std::move(offsets_);
    result->data = std::move(data_);
    return Status::OK();
  }

 private:
  static constexpr int64_t kMaxChunkBytes = std::numeric_limits<int32_t>::max();
  static constexpr size_t kCopyPad = 16;
  static constexpr int32_t kNullCode = -1;

  // Plain-mode buffers, allocated at the first plain page (a dictionary
  // chunk never needs them).
  Status EnsurePlain() {
    if (plain_) return Status::OK();
    plain_ = true;
    ASSIGN_OR_RETURN(offsets_, Buffer::Allocate(static_cast<size_t>(num_rows_ + 1) * sizeof(int32_t)));
    offsets_->mutable_data_as<int32_t>()[0] = 0;
    // A first guess for the bytes: the chunk's uncompressed size, close for
    // PLAIN pages; dictionary pages may need more and grow it. The guess
    // comes from the footer, so it is capped.
    ASSIGN_OR_RETURN(data_, Buffer::Allocate(0));
    return data_->Reserve(static_cast<size_t>(std::clamp<int64_t>(expected_bytes_, 64, int64_t{64} << 20)));
  }

  Status ReserveBytes(int64_t page_bytes) {
    if (page_bytes > kMaxChunkBytes - size_) {
      return Status::NotSupported("string column chunk holds more than 2 GiB (" +
                                  std::to_string(size_ + page_bytes) + " bytes); int32 offsets cannot address it");
    }
    RETURN_NOT_OK(Charge(page_bytes));
    // Resize keeps the bytes so far and grows capacity geometrically.
    return data_->Resize(static_cast<size_t>(size_ + page_bytes) + kCopyPad);
  }

  Status Charge(int64_t bytes) {
    if (budget_ != nullptr && budget_->fetch_sub(bytes, std::memory_order_relaxed) < bytes) {
      return Status::OutOfMemory("decoded strings exceed ParquetReadOptions::max_decoded_bytes");
    }
    return Status::OK();
  }

  // The dictionary page as a plain string column (its own buffers: the page
  // bytes live in per-thread scratch) and the chunk's code buffer. The
  // entries' bytes are at most the page's, which is bounded.
  Status BuildDictionaryColumn() {
    const int64_t n = static_cast<int64_t>(dict_.size());
    int64_t total = 0;
    for (std::string_view v : dict_) total += static_cast<int64_t>(v.size());
    if (total > kMaxChunkBytes) {
      return Status::NotSupported("dictionary page holds more than 2 GiB of strings");
    }
    RETURN_NOT_OK(Charge(total));
    ASSIGN_OR_RETURN(auto offsets, Buffer::Allocate(static_cast<size_t>(n + 1) * sizeof(int32_t)));
    ASSIGN_OR_RETURN(auto bytes, Buffer::Allocate(static_cast<size_t>(total)));
    int32_t* offs = offsets->mutable_data_as<int32_t>();
    uint8_t* dst = bytes->mutable_data();
    int32_t pos = 0;
    offs[0] = 0;
    for (int64_t i = 0; i < n; ++i) {
      const std::string_view v = dict_[static_cast<size_t>(i)];
      if (!v.empty()) std::memcpy(dst + pos, v.data(), v.size());
      pos += static_cast<int32_t>(v.size());
      offs[i + 1] = pos;
    }
    dictionary_ = std::make_shared<const Column>(Column::MakeString(n, std::move(offsets), std::move(bytes)));
    ASSIGN_OR_RETURN(codes_, Buffer::Allocate(static_cast<size_t>(std::max<int64_t>(num_rows_, 1)) * sizeof(int32_t)));
    return Status::OK();
  }

  // A dictionary-encoded page in dictionary mode: the indices, checked
  // against the dictionary, become the rows' codes (kNullCode for nulls).
  Status AddCodes(int64_t row, const PageValues& page) {
    const int64_t m = page.non_null;
    int32_t* codes = codes_->mutable_data_as<int32_t>() + row;
    if (m > 0) {
      // uint32 and int32 may alias; indices land densely at the page's rows.
      uint32_t* idx = reinterpret_cast<uint32_t*>(codes);
      RETURN_NOT_OK(DecodeDictionaryIndices(page.data, page.size, m, idx));
      const uint32_t dict_size = static_cast<uint32_t>(dictionary_->length());
      uint32_t max_index = 0;
      for (int64_t i = 0; i < m; ++i) max_index = std::max(max_index, idx[i]);
      if (max_index >= dict_size) {
        int64_t bad = 0;
        while (idx[bad] < dict_size) ++bad;
        return Status::Corruption("dictionary index " + std::to_string(idx[bad]) + " (value " + std::to_string(bad) +
                                  " of the page) is out of range for a dictionary of " + std::to_string(dict_size) +
                                  " entries");
      }
    }
    if (page.levels != nullptr && m < page.num_values) {
      // Backwards in place, as SpreadByLevels, but nulls get kNullCode.
      int64_t k = m - 1;
      for (int64_t i = page.num_values - 1; i >= 0; --i) {
        const int32_t v = codes[k < 0 ? 0 : k];
        codes[i] = page.levels[i] ? v : kNullCode;
        k -= page.levels[i];
      }
      codes_have_nulls_ = true;
    }
    return Status::OK();
  }

  // The first non-dictionary data page of a dictionary chunk: rows
  // [0, rows) become offsets and bytes, and the chunk continues plain.
  Status FallBackToPlain(int64_t rows) {
    RETURN_NOT_OK(EnsurePlain());
    const int32_t* codes = codes_->data_as<int32_t>();
    const int32_t* dict_offs = dictionary_->string_offsets();
    const uint8_t* dict_data = dictionary_->string_data();
    int64_t bytes = 0;
    for (int64_t i = 0; i < rows; ++i) {
      const int32_t c = codes[i];
      if (c != kNullCode) bytes += dict_offs[c + 1] - dict_offs[c];
    }
    RETURN_NOT_OK(ReserveBytes(bytes));
    uint8_t* dst = data_->mutable_data();
    int32_t* offsets = offsets_->mutable_data_as<int32_t>();
    int64_t pos = size_;
    for (int64_t i = 0; i < rows; ++i) {
      const int32_t c = codes[i];
      if (c != kNullCode) {
        const int32_t len = dict_offs[c + 1] - dict_offs[c];
        if (len > 0) std::memcpy(dst + pos, dict_data + dict_offs[c], static_cast<size_t>(len));
        pos += len;
      }
      offsets[i + 1] = static_cast<int32_t>(pos);
    }
    size_ = pos;
    codes_.reset();
    dictionary_.reset();
    return Status::OK();
  }

  // A private copy of the dictionary entries with kCopyPad bytes of
  // padding, so short values are copied with one fixed-size move instead of
  // a memcpy call per value. Built on first use in plain mode.
  void EnsureArena() {
    if (arena_ready_) return;
    arena_ready_ = true;
    size_t total = 0;
    for (std::string_view v : dict_) total += v.size();
    dict_arena_.resize(total + kCopyPad);
    dict_offsets_.resize(dict_.size());
    dict_lengths_.resize(dict_.size());
    size_t pos = 0;
    for (size_t i = 0; i < dict_.size(); ++i) {
      if (!dict_[i].empty()) std::memcpy(dict_arena_.data() + pos, dict_[i].data(), dict_[i].size());
      dict_offsets_[i] = pos;
      dict_lengths_[i] = static_cast<uint32_t>(dict_[i].size());
      pos += dict_[i].size();
    }
  }

  // Plain mode, dictionary indices straight to bytes: lengths summed first
  // (one reservation), then one fixed 16-byte move per short value.
  Status AddDictionaryPage(int64_t row, const PageValues& page) {
    EnsureArena();
    const int64_t m = page.non_null;
    if (m == 0) {
      int32_t* offsets = offsets_->mutable_data_as<int32_t>() + row;
      for (int64_t i = 0; i < page.num_values; ++i) offsets[i + 1] = static_cast<int32_t>(size_);
      return Status::OK();
    }
    ASSIGN_OR_RETURN(uint32_t* idx, scratch_->indices.GetAs<uint32_t>(m));
    RETURN_NOT_OK(DecodeDictionaryIndices(page.data, page.size, m, idx));
    const uint32_t dict_size = static_cast<uint32_t>(dict_lengths_.size());
    uint32_t max_index = 0;
    for (int64_t i = 0; i < m; ++i) max_index = std::max(max_index, idx[i]);
    if (max_index >= dict_size) {
      return Status::Corruption("dictionary index " + std::to_string(max_index) +
                                " is out of range for a dictionary of " + std::to_string(dict_size) + " entries");
    }
    const uint32_t* lengths = dict_lengths_.data();
    int64_t page_bytes = 0;
    for (int64_t i = 0; i < m; ++i) page_bytes += lengths[idx[i]];
    RETURN_NOT_OK(ReserveBytes(page_bytes));
    uint8_t* dst = data_->mutable_data();
    const uint8_t* arena = dict_arena_.data();
    const size_t* starts = dict_offsets_.data();
    int32_t* offsets = offsets_->mutable_data_as<int32_t>() + row;
    int64_t pos = size_;
    auto copy_one = [&](uint32_t k) {
      const uint32_t len = lengths[k];
      if (len <= kCopyPad) {
        std::memcpy(dst + pos, arena + starts[k], kCopyPad);
      } else {
        std::memcpy(dst + pos, arena + starts[k], len);
      }
      pos += len;
    };
    if (page.levels == nullptr || m == page.num_values) {
      for (int64_t i = 0; i < m; ++i) {
        copy_one(idx[i]);
        offsets[i + 1] = static_cast<int32_t>(pos);
      }
    } else {
      int64_t k = 0;
      for (int64_t i = 0; i < page.num_values; ++i) {
        if (page.levels[i]) copy_one(idx[k++]);
        offsets[i + 1] = static_cast<int32_t>(pos);
      }
    }
    size_ = pos;
    return Status::OK();
  }

  int64_t num_rows_;
  bool read_dictionary_;
  std::atomic<int64_t>* budget_;
  PageScratch* scratch_;
  int64_t expected_bytes_ = 0;
  // Plain mode.
  bool plain_ = false;
  std::shared_ptr<Buffer> offsets_;
  std::shared_ptr<Buffer> data_;
  int64_t size_ = 0;
  // Dictionary mode (both null otherwise).
  std::shared_ptr<const Column> dictionary_;
  std::shared_ptr<Buffer> codes_;
  bool codes_have_nulls_ = false;
  // The dictionary page's entries (views into scratch_->dictionary).
  bool has_dict_ = false;
  std::vector<std::string_view> dict_;
  bool arena_ready_ = false;
  std::vector<uint8_t> dict_arena_;   // entries back to back + kCopyPad
  std::vector<size_t> dict_offsets_;
  std::vector<uint32_t> dict_lengths_;
  DeltaByteArrayDecoder dba_;
};

// ---------------------------------------------------------------------------
// The page loop.

class ChunkReader {
 public:
  ChunkReader(const ColumnChunkTask& task, PageScratch* scratch) : task_(task), scratch_(scratch) {}

  template <typename Sink>
  Status Run(Sink* sink) {
    const ColumnMetaData& meta = *task_.meta;
    Result<Codec> codec = MapCodec(meta.codec);
    if (!codec.ok()) return Error(task_.chunk_start, codec.status());
    codec_ = *codec;
    const int64_t expected = task_.num_rows;
    const int64_t end = task_.chunk_end;
    int64_t pos = task_.chunk_start;
    int64_t rows_done = 0;
    bool seen_dictionary = false;
    bool seen_data = false;
    while (rows_done < expected) {
      if (pos >= end) {
        return Error(pos, Status::Corruption("the column chunk ends (byte " + std::to_string(end) + ") after " +
                                             std::to_string(rows_done) + " of its " + std::to_string(expected) +
                                             " values"));
      }
      PageHeader header;
      uint32_t header_size = 0;
      Status st = DecodePageHeader(task_.file_data + pos, static_cast<size_t>(end - pos), &header, &header_size);
      if (!st.ok()) return Error(pos, Status(st.code(), "page header: " + RebaseOffsets(st.message(), pos)));
      const int64_t body = pos + header_size;
      if (header.compressed_page_size < 0 || header.uncompressed_page_size < 0) {
        return Error(pos, Status::Corruption("negative page size (compressed " +
                                             std::to_string(header.compressed_page_size) + ", uncompressed " +
                                             std::to_string(header.uncompressed_page_size) + ")"));
      }
      if (header.compressed_page_size > end - body) {
        return Error(pos, Status::Corruption("compressed_page_size " + std::to_string(header.compressed_page_size) +
                                             " runs past the column chunk end (byte " + std::to_string(end) + ")"));
      }
      page_start_ = pos;
      switch (header.type) {
        case PageType::kDictionaryPage: {
          if (seen_dictionary) return Error(pos, Status::Corruption("a second dictionary page"));
          if (seen_data) return Error(pos, Status::Corruption("a dictionary page after data pages"));
          seen_dictionary = true;
          st = ReadDictionaryPage(header, body, sink);
          break;
        }
        case PageType::kDataPage:
        case PageType::kDataPageV2: {
          seen_data = true;
          int64_t page_rows = 0;
          st = ReadDataPage(header, body, expected - rows_done, rows_done, sink, &page_rows);
          rows_done += page_rows;
          break;
        }
        default:
          break;  // index pages and page types from the future carry no values
      }
      if (!st.ok()) return Error(pos, st);
      pos = body + header.compressed_page_size;
    }
    return Status::OK();
  }

  void set_validity(ValidityBuilder* validity) { validity_ = validity; }

  Status Error(int64_t byte, const Status& st) const {
    return Status(st.code(), *task_.path + ": row group " + std::to_string(task_.row_group) + ", column '" +
                                 task_.column->path + "': page at byte " + std::to_string(byte) + ": " +
                                 st.message());
  }

 private:
  // The page body as uncompressed bytes: the mapped file itself when stored
  // uncompressed, else decompressed into `dst`. The size has been bounded.
  Result<const uint8_t*> PageBytes(const uint8_t* src, int64_t compressed, int64_t uncompressed, bool is_compressed,
                                   ScratchBuffer* dst) {
    if (codec_ == Codec::kUncompressed || !is_compressed) {
      if (compressed != uncompressed) {
        return Status::Corruption("uncompressed page has compressed_page_size " + std::to_string(compressed) +
                                  " but uncompressed_page_size " + std::to_string(uncompressed));
      }
      return src;
    }
    ASSIGN_OR_RETURN(uint8_t* out, dst->Get(static_cast<size_t>(uncompressed)));
    RETURN_NOT_OK(Decompress(codec_, src, static_cast<size_t>(compressed), out, static_cast<size_t>(uncompressed)));
    return static_cast<const uint8_t*>(out);
  }

  // Bounds the bytes a page may make us allocate before decompressing it:
  // 1 GiB always; fixed-width values need at most ~(width + 10) bytes per
  // value even in the most wasteful legal encoding (RLE runs of one, padded
  // delta miniblocks), plus a little for headers.
  Status CheckUncompressedSize(int64_t uncompressed, int64_t num_values) const {
    if (uncompressed > kMaxPageBytes) {
      return Status::Corruption("uncompressed_page_size " + std::to_string(uncompressed) + " exceeds the 1 GiB page limit");
    }
    const int width = PhysicalWidth(task_.column->physical_type);
    if (width > 0) {
      const int64_t bound = num_values * (width + 10) + (int64_t{64} << 10);
      if (uncompressed > bound) {
        return Status::Corruption("uncompressed_page_size " + std::to_string(uncompressed) + " is implausible for " +
                                  std::to_string(num_values) + " values of " + std::to_string(width) +
                                  " bytes (at most " + std::to_string(bound) + ")");
      }
    }
    return Status::OK();
  }

  template <typename Sink>
  Status ReadDictionaryPage(const PageHeader& header, int64_t body, Sink* sink) {
    if (!header.dictionary_page_header) return Status::Corruption("dictionary page without dictionary_page_header");
    const DictionaryPageHeader& dh = *header.dictionary_page_header;
    if (dh.encoding != Encoding::kPlain && dh.encoding != Encoding::kPlainDictionary) {
      return Status::NotSupported("dictionary page encoding " + std::string(EncodingName(dh.encoding)));
    }
    if (dh.num_values < 0) return Status::Corruption("dictionary page num_values " + std::to_string(dh.num_values));
    RETURN_NOT_OK(CheckUncompressedSize(header.uncompressed_page_size, dh.num_values));
    // Into its own scratch: string dictionaries are views that must outlive
    // the data pages' decompression buffer.
    ASSIGN_OR_RETURN(const uint8_t* bytes, PageBytes(task_.file_data + body, header.compressed_page_size,
                                                     header.uncompressed_page_size, true, &scratch_->dictionary));
    Status st = sink->SetDictionary(bytes, static_cast<size_t>(header.uncompressed_page_size), dh.num_values);
    if (!st.ok()) return st.WithContext("dictionary page");
    return Status::OK();
  }

  template <typename Sink>
  Status ReadDataPage(const PageHeader& header, int64_t body, int64_t rows_left, int64_t row, Sink* sink,
                      int64_t* page_rows) {
    const bool nullable = task_.column->max_def_level > 0;
    const uint8_t* raw = task_.file_data + body;
    const int64_t compressed = header.compressed_page_size;
    const int64_t uncompressed = header.uncompressed_page_size;
    PageValues page;
    if (header.type == PageType::kDataPage) {
      if (!header.data_page_header) return Status::Corruption("data page without data_page_header");
      const DataPageHeader& dh = *header.data_page_header;
      RETURN_NOT_OK(CheckPageValues(dh.num_values, rows_left));
      RETURN_NOT_OK(CheckUncompressedSize(uncompressed, dh.num_values));
      page.encoding = dh.encoding;
      page.num_values = dh.num_values;
      if (!nullable && TryDecompressInPlace(raw, compressed, uncompressed, true, row, sink, &page)) {
        RETURN_NOT_OK(page_status_);
        RETURN_NOT_OK(sink->AddPage(row, page));
        *page_rows = page.num_values;
        return Status::OK();
      }
      ASSIGN_OR_RETURN(const uint8_t* bytes, PageBytes(raw, compressed, uncompressed, true, &scratch_->decompressed));
      size_t consumed = 0;
      if (nullable) {
        ASSIGN_OR_RETURN(uint8_t* levels, scratch_->levels.GetAs<uint8_t>(page.num_values));
        RETURN_NOT_OK(DecodeDefinitionLevelsV1(dh.definition_level_encoding, bytes, static_cast<size_t>(uncompressed),
                                               page.num_values, levels, &consumed));
        page.levels = levels;
        page.non_null = CountNonNull(levels, page.num_values);
      } else {
        page.non_null = page.num_values;
      }
      page.data = bytes + consumed;
      page.size = static_cast<size_t>(uncompressed) - consumed;
    } else {
      if (!header.data_page_header_v2) return Status::Corruption("data page v2 without data_page_header_v2");
      const DataPageHeaderV2& dh = *header.data_page_header_v2;
      RETURN_NOT_OK(CheckPageValues(dh.num_values, rows_left));
      RETURN_NOT_OK(CheckUncompressedSize(uncompressed, dh.num_values));
      const int64_t rep_len = dh.repetition_levels_byte_length;
      const int64_t def_len = dh.definition_levels_byte_length;
      if (rep_len < 0 || def_len < 0 || rep_len + def_len > compressed || rep_len + def_len > uncompressed) {
        return Status::Corruption("level byte lengths (repetition " + std::to_string(rep_len) + ", definition " +
                                  std::to_string(def_len) + ") exceed the page (" + std::to_string(compressed) +
                                  " bytes compressed, " + std::to_string(uncompressed) + " uncompressed)");
      }
      if (dh.num_nulls < 0 || dh.num_nulls > dh.num_values) {
        return Status::Corruption("num_nulls " + std::to_string(dh.num_nulls) + " of " +
                                  std::to_string(dh.num_values) + " values");
      }
      page.encoding = dh.encoding;
      page.num_values = dh.num_values;
      if (nullable) {
        ASSIGN_OR_RETURN(uint8_t* levels, scratch_->levels.GetAs<uint8_t>(page.num_values));
        RETURN_NOT_OK(DecodeDefinitionLevelsV2(raw + rep_len, static_cast<size_t>(def_len), page.num_values, levels));
        page.levels = levels;
        page.non_null = CountNonNull(levels, page.num_values);
      } else {
        page.non_null = page.num_values;
      }
      if (page.num_values - page.non_null != dh.num_nulls) {
        return Status::Corruption("num_nulls is " + std::to_string(dh.num_nulls) + " but the definition levels hold " +
                                  std::to_string(page.num_values - page.non_null) + " nulls");
      }
      const int64_t levels_len = rep_len + def_len;
      if (!nullable && TryDecompressInPlace(raw + levels_len, compressed - levels_len, uncompressed - levels_len,
                                            dh.is_compressed, row, sink, &page)) {
        RETURN_NOT_OK(page_status_);
        RETURN_NOT_OK(sink->AddPage(row, page));
        *page_rows = page.num_values;
        return Status::OK();
      }
      ASSIGN_OR_RETURN(const uint8_t* bytes, PageBytes(raw + levels_len, compressed - levels_len,
                                                       uncompressed - levels_len, dh.is_compressed,
                                                       &scratch_->decompressed));
      page.data = bytes;
      page.size = static_cast<size_t>(uncompressed - levels_len);
    }
    RETURN_NOT_OK(validity_->AddPage(row, page));
    RETURN_NOT_OK(sink->AddPage(row, page));
    *page_rows = page.num_values;
    return Status::OK();
  }

  // PLAIN pages without nulls whose values are exactly the output bytes are
  // decompressed straight into the output. Returns false when not
  // applicable; when it returns true, page_status_ holds the outcome.
  template <typename Sink>
  bool TryDecompressInPlace(const uint8_t* src, int64_t compressed, int64_t uncompressed, bool is_compressed,
                            int64_t row, Sink* sink, PageValues* page) {
    if (page->encoding != Encoding::kPlain || codec_ == Codec::kUncompressed || !is_compressed) return false;
    uint8_t* target = sink->PlainTarget(row, page->num_values, uncompressed);
    if (target == nullptr) return false;
    page_status_ = Decompress(codec_, src, static_cast<size_t>(compressed), target, static_cast<size_t>(uncompressed));
    page->non_null = page->num_values;
    page->in_place = true;
    return true;
  }

  Status CheckPageValues(int64_t num_values, int64_t rows_left) const {
    if (num_values < 0) return Status::Corruption("negative num_values " + std::to_string(num_values));
    if (num_values > rows_left) {
      return Status::Corruption("page has " + std::to_string(num_values) + " values, but only " +
                                std::to_string(rows_left) + " of the column chunk's num_values " +
                                std::to_string(task_.num_rows) + " remain");
    }
    return Status::OK();
  }

  const ColumnChunkTask& task_;
  PageScratch* scratch_;
  ValidityBuilder* validity_ = nullptr;
  Codec codec_ = Codec::kUncompressed;
  int64_t page_start_ = 0;
  Status page_status_;
};

template <typename Sink>
Status RunSink(const ColumnChunkTask& task, PageScratch* scratch, Sink* sink, ColumnChunkResult* result) {
  ValidityBuilder validity(task.num_rows);
  ChunkReader reader(task, scratch);
  reader.set_validity(&validity);
  RETURN_NOT_OK(reader.Run(sink));
  validity.Finish(result);
  Status st = sink->Finish(result);
  if (!st.ok()) return reader.Error(task.chunk_start, st);
  return Status::OK();
}

Status Dispatch(const ColumnChunkTask& task, PageScratch* scratch, ColumnChunkResult* result) {
  const ColumnDescriptor& col = *task.column;
  switch (col.physical_type) {
    case PhysicalType::kBoolean: {
      BoolSink sink(task, scratch);
      RETURN_NOT_OK(sink.Init());
      return RunSink(task, scratch, &sink, result);
    }
    case PhysicalType::kInt32:
      if (col.type == Type::kInt32) {
        FixedSink<int32_t, int32_t> sink(task, scratch);
        return RunSink(task, scratch, &sink, result);
      } else {
        FixedSink<int32_t, int64_t> sink(task, scratch);
        return RunSink(task, scratch, &sink, result);
      }
    case PhysicalType::kInt64: {
      FixedSink<int64_t, int64_t> sink(task, scratch);
      return RunSink(task, scratch, &sink, result);
    }
    case PhysicalType::kInt96: {
      FixedSink<int64_t, int64_t, true> sink(task, scratch);
      return RunSink(task, scratch, &sink, result);
    }
    case PhysicalType::kFloat: {
      FixedSink<float, float> sink(task, scratch);
      return RunSink(task, scratch, &sink, result);
    }
    case PhysicalType::kDouble: {
      FixedSink<double, double> sink(task, scratch);
      return RunSink(task, scratch, &sink, result);
    }
    case PhysicalType::kByteArray: {
      StringSink sink(task, scratch);
      const int64_t compressed = task.chunk_end - task.chunk_start;
      RETURN_NOT_OK(sink.Init(std::min(task.meta->total_uncompressed_size, compressed * 4 + 4096)));
      return RunSink(task, scratch, &sink, result);
    }
    default:
      return Status::Internal("column '" + col.path + "' of an unsupported type reached the chunk reader");
  }
}

}  // namespace

Status ReadColumnChunk(const ColumnChunkTask& task, ColumnChunkResult* result) {
  PageScratch& scratch = ThreadScratch();
  Status st = Dispatch(task, &scratch, result);
  scratch.Trim(kScratchKeepBytes);
  return st;
}

}  // namespace edgepipe::parquet
