#include "parquet/writer/column_chunk_writer.h"

#include <algorithm>
#include <map>
#include <memory>
#include <cstring>
#include <string_view>
#include <type_traits>

#include "parquet/encoding/bit_pack.h"
#include "parquet/encoding/byte_stream_split.h"
#include "parquet/encoding/delta_binary_packed.h"
#include "parquet/encoding/delta_byte_array.h"
#include "parquet/encoding/delta_length_byte_array.h"
#include "parquet/encoding/dictionary.h"
#include "parquet/encoding/plain.h"
#include "parquet/encoding/rle_bp.h"
#include "parquet/writer/statistics.h"

namespace edgepipe::parquet {

PhysicalType PhysicalTypeOf(Type type) {
  switch (type) {
    case Type::kBool: return PhysicalType::kBoolean;
    case Type::kInt32: return PhysicalType::kInt32;
    case Type::kInt64:
    case Type::kTimestamp: return PhysicalType::kInt64;
    case Type::kFloat32: return PhysicalType::kFloat;
    case Type::kFloat64: return PhysicalType::kDouble;
    case Type::kString: return PhysicalType::kByteArray;
  }
  return PhysicalType::kByteArray;
}

bool EncodingFits(ColumnEncoding encoding, Type type) {
  switch (encoding) {
    case ColumnEncoding::kAuto:
    case ColumnEncoding::kPlain: return true;
    case ColumnEncoding::kDictionary: return type != Type::kBool;
    case ColumnEncoding::kDeltaBinaryPacked: return IsInteger(type) || type == Type::kTimestamp;
    case ColumnEncoding::kDeltaLengthByteArray:
    case ColumnEncoding::kDeltaByteArray: return type == Type::kString;
    case ColumnEncoding::kByteStreamSplit: return type != Type::kBool && type != Type::kString;
    case ColumnEncoding::kRle: return type == Type::kBool;
  }
  return false;
}

Codec CodecOf(Compression compression) {
  switch (compression) {
    case Compression::kUncompressed: return Codec::kUncompressed;
    case Compression::kSnappy: return Codec::kSnappy;
    case Compression::kGzip: return Codec::kGzip;
    case Compression::kZstd: return Codec::kZstd;
    case Compression::kLz4Raw: return Codec::kLz4Raw;
  }
  return Codec::kUncompressed;
}

CompressionCodec ThriftCodecOf(Compression compression) {
  switch (compression) {
    case Compression::kUncompressed: return CompressionCodec::kUncompressed;
    case Compression::kSnappy: return CompressionCodec::kSnappy;
    case Compression::kGzip: return CompressionCodec::kGzip;
    case Compression::kZstd: return CompressionCodec::kZstd;
    case Compression::kLz4Raw: return CompressionCodec::kLz4Raw;
  }
  return CompressionCodec::kUncompressed;
}

namespace {

Encoding ThriftEncodingOf(ColumnEncoding e) {
  switch (e) {
    case ColumnEncoding::kAuto:
    case ColumnEncoding::kPlain: return Encoding::kPlain;
    case ColumnEncoding::kDictionary: return Encoding::kRleDictionary;
    case ColumnEncoding::kDeltaBinaryPacked: return Encoding::kDeltaBinaryPacked;
    case ColumnEncoding::kDeltaLengthByteArray: return Encoding::kDeltaLengthByteArray;
    case ColumnEncoding::kDeltaByteArray: return Encoding::kDeltaByteArray;
    case ColumnEncoding::kByteStreamSplit: return Encoding::kByteStreamSplit;
    case ColumnEncoding::kRle: return Encoding::kRle;
  }
  return Encoding::kPlain;
}

// The encoding used when the user leaves it to us, before float trials and
// dictionary fallback.
ColumnEncoding DefaultEncoding(Type type) {
  switch (type) {
    case Type::kBool: return ColumnEncoding::kPlain;
    case Type::kInt32:
    case Type::kInt64:
    case Type::kTimestamp: return ColumnEncoding::kDeltaBinaryPacked;
    case Type::kString: return ColumnEncoding::kDictionary;
    case Type::kFloat32:
    case Type::kFloat64: return ColumnEncoding::kAuto;  // PLAIN or BSS, by trial
  }
  return ColumnEncoding::kPlain;
}

// Storage type of the values: what the encoders take.
template <Type kType>
struct Storage;
template <> struct Storage<Type::kBool> { using T = uint8_t; };
template <> struct Storage<Type::kInt32> { using T = int32_t; };
template <> struct Storage<Type::kInt64> { using T = int64_t; };
template <> struct Storage<Type::kTimestamp> { using T = int64_t; };
template <> struct Storage<Type::kFloat32> { using T = float; };
template <> struct Storage<Type::kFloat64> { using T = double; };
template <> struct Storage<Type::kString> { using T = std::string_view; };

// Thrown away and redone with the fallback encoding when a dictionary
// outgrows its limit: the whole chunk is in memory, so restarting is simpler
// and no slower than a mid-chunk switch.
struct DictionaryOverflow {};

template <Type kType>
class ChunkEncoder {
  using T = typename Storage<kType>::T;
  // Booleans have no dictionary encoding; the member's type is a placeholder.
  using DictT = std::conditional_t<kType == Type::kBool, int32_t, T>;

 public:
  ChunkEncoder(const std::vector<Column>& pieces, const ChunkWriteConfig& config)
      : pieces_(pieces), config_(config) {}

  // False when the dictionary outgrew its limit (out is then unspecified).
  Result<bool> Encode(ColumnEncoding encoding, EncodedChunk* out) {
    encoding_ = encoding;
    data_pages_.clear();
    page_stats_.clear();
    uncompressed_total_ = 0;
    code_dict_ = false;
    if constexpr (kType == Type::kString) {
      if (encoding_ == ColumnEncoding::kDictionary) code_dict_ = PrepareCodeDictionary();
    }
    if constexpr (kType != Type::kBool) {
      if (encoding_ == ColumnEncoding::kDictionary && !code_dict_) dict_ = std::make_unique<DictionaryEncoder<T>>();
    }
    bool overflow = false;
    // Pages never span pieces, so the pieces are encoded where they are.
    for (size_t piece_idx = 0; piece_idx < pieces_.size(); ++piece_idx) {
      const Column& piece = pieces_[piece_idx];
      col_ = &piece;
      piece_idx_ = piece_idx;
      const int64_t n = piece.length();
      const int64_t rows_per_page = RowsPerPage();
      for (int64_t r0 = 0; r0 < n; r0 += rows_per_page) {
        const int64_t r1 = std::min(n, r0 + rows_per_page);
        RETURN_NOT_OK(WritePage(r0, r1, &overflow));
        if (overflow) return false;
      }
    }
    RETURN_NOT_OK(Assemble(out));
    return true;
  }

 private:
  int64_t RowsPerPage() const {
    int64_t width = TypeByteWidth(kType);
    if constexpr (kType == Type::kBool) width = 1;
    if constexpr (kType == Type::kString) {
      if (col_->is_dictionary()) {
        // The dictionary's mean entry size stands in for the rows'.
        const Column& dict = *col_->dictionary();
        const int64_t bytes = dict.length() > 0 ? dict.string_offsets()[dict.length()] - dict.string_offsets()[0] : 0;
        width = bytes / std::max<int64_t>(dict.length(), 1) + 4;
      } else {
        const int64_t n = std::max<int64_t>(col_->length(), 1);
        const int64_t bytes =
            col_->length() > 0 ? col_->string_offsets()[col_->length()] - col_->string_offsets()[0] : 0;
        width = bytes / n + 4;
      }
    }
    return std::max<int64_t>(1024, config_.page_bytes / std::max<int64_t>(width, 1));
  }

  // String pieces that are all dictionary columns are written as
  // RLE_DICTIONARY straight from their codes: the chunk's dictionary is the
  // entries the rows use, in (piece dictionary, code) order, and each row's
  // index is a table lookup. No string is hashed or compared; duplicate
  // entries (across piece dictionaries, or within one) are valid Parquet.
  // False, for the hashing encoder, when a piece is plain or the entries
  // pass dictionary_bytes_limit (deduplicating may still bring them under).
  bool PrepareCodeDictionary() {
    std::vector<const Column*> dicts;
    std::vector<int64_t> dict_start;  // first combined index of each distinct dictionary
    piece_base_.assign(pieces_.size(), 0);
    int64_t total = 0;
    for (size_t p = 0; p < pieces_.size(); ++p) {
      const Column& piece = pieces_[p];
      if (!piece.is_dictionary()) return false;
      const Column* d = piece.dictionary().get();
      size_t k = 0;
      while (k < dicts.size() && dicts[k] != d) ++k;
      if (k == dicts.size()) {
        dicts.push_back(d);
        dict_start.push_back(total);
        total += d->length();
      }
      piece_base_[p] = dict_start[k];
    }
    std::vector<uint8_t> used(static_cast<size_t>(total), 0);
    for (size_t p = 0; p < pieces_.size(); ++p) {
      const Column& piece = pieces_[p];
      const int32_t* codes = piece.dictionary_codes();
      uint8_t* u = used.data() + piece_base_[p];
      if (piece.null_count() == 0) {
        for (int64_t i = 0; i < piece.length(); ++i) u[codes[i]] = 1;
      } else {
        for (int64_t i = 0; i < piece.length(); ++i) {
          if (piece.IsValid(i)) u[codes[i]] = 1;
        }
      }
    }
    remap_.assign(static_cast<size_t>(total), 0);
    code_entries_.clear();
    int64_t encoded_size = 0;
    for (size_t k = 0; k < dicts.size(); ++k) {
      const Column& d = *dicts[k];
      for (int64_t e = 0; e < d.length(); ++e) {
        if (!used[static_cast<size_t>(dict_start[k] + e)]) continue;
        remap_[static_cast<size_t>(dict_start[k] + e)] = static_cast<uint32_t>(code_entries_.size());
        code_entries_.push_back(d.GetString(e));
        encoded_size += 4 + static_cast<int64_t>(code_entries_.back().size());
      }
    }
    return encoded_size <= config_.dictionary_bytes_limit;
  }

  // Chunk dictionary indices of the non-null rows [r0, r1) of the current
  // (dictionary) piece.
  int64_t GatherCodes(int64_t r0, int64_t r1) {
    const int32_t* codes = col_->dictionary_codes();
    const uint32_t* remap = remap_.data() + piece_base_[piece_idx_];
    code_indices_.resize(static_cast<size_t>(r1 - r0));
    uint32_t* out = code_indices_.data();
    int64_t count = 0;
    if (col_->null_count() == 0) {
      for (int64_t i = r0; i < r1; ++i) out[count++] = remap[codes[i]];
    } else {
      for (int64_t i = r0; i < r1; ++i) {
        if (col_->IsValid(i)) out[count++] = remap[codes[i]];
      }
    }
    code_indices_.resize(static_cast<size_t>(count));
    return count;
  }

  void WriteCodeIndices(std::vector<uint8_t>* out) const {
    const int bit_width =
        code_entries_.empty() ? 0 : bitpack::BitWidthOf(static_cast<uint64_t>(code_entries_.size() - 1));
    out->push_back(static_cast<uint8_t>(bit_width));
    RleBpEncoder encoder(bit_width);
    encoder.Put(code_indices_.data(), static_cast<int64_t>(code_indices_.size()));
    encoder.Flush(out);
  }

  // Non-null values of rows [r0, r1) as a contiguous array.
  const T* Gather(int64_t r0, int64_t r1, int64_t* count) {
    const bool has_nulls = col_->null_count() > 0;
    if constexpr (kType == Type::kString) {
      views_.clear();
      for (int64_t i = r0; i < r1; ++i) {
        if (!has_nulls || col_->IsValid(i)) views_.push_back(col_->GetString(i));
      }
      *count = static_cast<int64_t>(views_.size());
      return views_.data();
    } else if constexpr (kType == Type::kBool) {
      bools_.clear();
      for (int64_t i = r0; i < r1; ++i) {
        if (!has_nulls || col_->IsValid(i)) bools_.push_back(col_->GetBool(i) ? 1 : 0);
      }
      *count = static_cast<int64_t>(bools_.size());
      return bools_.data();
    } else {
      const T* values = col_->values<T>();
      if (!has_nulls) {
        *count = r1 - r0;
        return values + r0;
      }
      dense_.clear();
      for (int64_t i = r0; i < r1; ++i) {
        if (col_->IsValid(i)) dense_.push_back(values[i]);
      }
      *count = static_cast<int64_t>(dense_.size());
      return dense_.data();
    }
  }

  void EncodeValues(ColumnEncoding encoding, const T* values, int64_t count, std::vector<uint8_t>* out) {
    switch (encoding) {
      case ColumnEncoding::kAuto:
      case ColumnEncoding::kPlain:
        if constexpr (kType == Type::kBool) {
          EncodePlainBoolean(values, count, out);
        } else if constexpr (kType == Type::kString) {
          EncodePlainByteArray(values, count, out);
        } else {
          EncodePlain<T>(values, count, out);
        }
        break;
      case ColumnEncoding::kDeltaBinaryPacked:
        if constexpr (std::is_same_v<T, int32_t> || std::is_same_v<T, int64_t>) {
          EncodeDeltaBinaryPacked<T>(values, count, out);
        }
        break;
      case ColumnEncoding::kByteStreamSplit:
        if constexpr (!std::is_same_v<T, std::string_view> && !std::is_same_v<T, uint8_t>) {
          EncodeByteStreamSplit<T>(values, count, out);
        }
        break;
      case ColumnEncoding::kDeltaLengthByteArray:
        if constexpr (kType == Type::kString) EncodeDeltaLengthByteArray(values, count, out);
        break;
      case ColumnEncoding::kDeltaByteArray:
        if constexpr (kType == Type::kString) EncodeDeltaByteArray(values, count, out);
        break;
      case ColumnEncoding::kRle:
        if constexpr (kType == Type::kBool) {
          levels_.assign(values, values + count);
          EncodeLengthPrefixedRle(levels_.data(), count, 1, out);
        }
        break;
      case ColumnEncoding::kDictionary:
        if constexpr (kType != Type::kBool) {
          dict_->Put(values, count);
          dict_->WriteIndices(out);
        }
        break;
    }
  }

  Status Compress(const std::vector<uint8_t>& in, std::vector<uint8_t>* out) {
    out->clear();
    return parquet::Compress(CodecOf(config_.compression), in.data(), in.size(), out, config_.compression_level);
  }

  Status WritePage(int64_t r0, int64_t r1, bool* overflow) {
    const int64_t rows = r1 - r0;
    int64_t count = 0;
    const T* values = code_dict_ ? nullptr : Gather(r0, r1, &count);
    if (code_dict_) count = GatherCodes(r0, r1);

    // Definition levels (max level 1) for nullable columns.
    levels_buf_.clear();
    if (config_.nullable) {
      levels_.resize(static_cast<size_t>(rows));
      for (int64_t i = 0; i < rows; ++i) levels_[i] = col_->IsValid(r0 + i) ? 1 : 0;
      if (config_.data_page_v2) {
        RleBpEncoder enc(1);
        enc.Put(levels_.data(), rows);
        enc.Flush(&levels_buf_);
      } else {
        EncodeLengthPrefixedRle(levels_.data(), rows, 1, &levels_buf_);
      }
    }

    ColumnEncoding encoding = encoding_;
    values_buf_.clear();
    if (encoding == ColumnEncoding::kAuto) {
      // Floats: keep whichever of PLAIN and BYTE_STREAM_SPLIT compresses
      // smaller on the first page; the chunk's later pages follow it.
      if constexpr (kType == Type::kFloat32 || kType == Type::kFloat64) {
        std::vector<uint8_t> plain, split, plain_c, split_c;
        EncodeValues(ColumnEncoding::kPlain, values, count, &plain);
        EncodeValues(ColumnEncoding::kByteStreamSplit, values, count, &split);
        RETURN_NOT_OK(Compress(plain, &plain_c));
        RETURN_NOT_OK(Compress(split, &split_c));
        encoding = split_c.size() < plain_c.size() ? ColumnEncoding::kByteStreamSplit : ColumnEncoding::kPlain;
        encoding_ = encoding;
        values_buf_ = encoding == ColumnEncoding::kPlain ? std::move(plain) : std::move(split);
      } else {
        encoding = encoding_ = ColumnEncoding::kPlain;
        EncodeValues(encoding, values, count, &values_buf_);
      }
    } else if (code_dict_) {
      WriteCodeIndices(&values_buf_);
    } else {
      EncodeValues(encoding, values, count, &values_buf_);
    }
    if (encoding == ColumnEncoding::kDictionary && !code_dict_ &&
        dict_->dict_encoded_size() > config_.dictionary_bytes_limit) {
      *overflow = true;
      return Status::OK();
    }

    PageHeader header;
    const Encoding thrift_encoding = ThriftEncodingOf(encoding);
    std::vector<uint8_t>& page = page_buf_;
    page.clear();
    int64_t uncompressed = 0;
    if (config_.data_page_v2) {
      header.type = PageType::kDataPageV2;
      DataPageHeaderV2 v2;
      v2.num_values = static_cast<int32_t>(rows);
      v2.num_nulls = static_cast<int32_t>(rows - count);
      v2.num_rows = static_cast<int32_t>(rows);
      v2.encoding = thrift_encoding;
      v2.definition_levels_byte_length = static_cast<int32_t>(levels_buf_.size());
      v2.repetition_levels_byte_length = 0;
      v2.is_compressed = config_.compression != Compression::kUncompressed;
      header.data_page_header_v2 = v2;
      page.insert(page.end(), levels_buf_.begin(), levels_buf_.end());
      if (v2.is_compressed) {
        RETURN_NOT_OK(Compress(values_buf_, &compressed_));
        page.insert(page.end(), compressed_.begin(), compressed_.end());
      } else {
        page.insert(page.end(), values_buf_.begin(), values_buf_.end());
      }
      uncompressed = static_cast<int64_t>(levels_buf_.size() + values_buf_.size());
    } else {
      header.type = PageType::kDataPage;
      DataPageHeader v1;
      v1.num_values = static_cast<int32_t>(rows);
      v1.encoding = thrift_encoding;
      v1.definition_level_encoding = Encoding::kRle;
      v1.repetition_level_encoding = Encoding::kRle;
      header.data_page_header = v1;
      body_.clear();
      body_.insert(body_.end(), levels_buf_.begin(), levels_buf_.end());
      body_.insert(body_.end(), values_buf_.begin(), values_buf_.end());
      RETURN_NOT_OK(Compress(body_, &page));
      uncompressed = static_cast<int64_t>(body_.size());
    }
    if (uncompressed > INT32_MAX || page.size() > INT32_MAX) {
      return Status::InvalidArgument("column '" + config_.name + "': a page exceeds 2 GiB; lower page_bytes");
    }
    header.uncompressed_page_size = static_cast<int32_t>(uncompressed);
    header.compressed_page_size = static_cast<int32_t>(page.size());
    header_buf_.clear();
    EncodePageHeader(header, &header_buf_);
    uncompressed_total_ += static_cast<int64_t>(header_buf_.size()) + uncompressed;
    data_pages_.insert(data_pages_.end(), header_buf_.begin(), header_buf_.end());
    data_pages_.insert(data_pages_.end(), page.begin(), page.end());
    ++page_stats_[thrift_encoding];
    return Status::OK();
  }

  Status Assemble(EncodedChunk* out) {
    out->dictionary_page.clear();
    out->value_encoding = encoding_;
    ColumnMetaData& meta = out->meta;
    meta = ColumnMetaData{};
    meta.type = PhysicalTypeOf(kType);
    meta.path_in_schema = {config_.name};
    meta.codec = ThriftCodecOf(config_.compression);
    meta.num_values = 0;
    for (const Column& piece : pieces_) meta.num_values += piece.length();
    meta.encoding_stats.clear();
    int64_t uncompressed = 0;
    if (encoding_ == ColumnEncoding::kDictionary) {
      if constexpr (kType != Type::kBool) {
        std::vector<uint8_t> dict_values;
        int32_t num_entries = 0;
        if (code_dict_) {
          if constexpr (kType == Type::kString) {
            EncodePlainByteArray(code_entries_.data(), static_cast<int64_t>(code_entries_.size()), &dict_values);
          }
          num_entries = static_cast<int32_t>(code_entries_.size());
        } else {
          dict_->WriteDictPage(&dict_values);
          num_entries = dict_->num_entries();
        }
        RETURN_NOT_OK(Compress(dict_values, &compressed_));
        PageHeader header;
        header.type = PageType::kDictionaryPage;
        header.uncompressed_page_size = static_cast<int32_t>(dict_values.size());
        header.compressed_page_size = static_cast<int32_t>(compressed_.size());
        DictionaryPageHeader dph;
        dph.num_values = num_entries;
        dph.encoding = Encoding::kPlain;
        header.dictionary_page_header = dph;
        header_buf_.clear();
        EncodePageHeader(header, &header_buf_);
        meta.dictionary_page_offset = 0;
        out->dictionary_page.insert(out->dictionary_page.end(), header_buf_.begin(), header_buf_.end());
        out->dictionary_page.insert(out->dictionary_page.end(), compressed_.begin(), compressed_.end());
        uncompressed += static_cast<int64_t>(header_buf_.size() + dict_values.size());
        meta.encoding_stats.push_back({PageType::kDictionaryPage, Encoding::kPlain, 1});
      }
    }
    meta.data_page_offset = static_cast<int64_t>(out->dictionary_page.size());
    std::swap(out->data_pages, data_pages_);  // no copy; the old buffer is reused
    uncompressed += uncompressed_total_;
    meta.total_uncompressed_size = uncompressed;
    meta.total_compressed_size = static_cast<int64_t>(out->dictionary_page.size() + out->data_pages.size());
    // Encodings in use: the values', the dictionary page's, RLE for levels.
    meta.encodings.clear();
    auto add = [&](Encoding e) {
      if (std::find(meta.encodings.begin(), meta.encodings.end(), e) == meta.encodings.end()) meta.encodings.push_back(e);
    };
    if (encoding_ == ColumnEncoding::kDictionary) add(Encoding::kPlain);
    for (const auto& [enc, count] : page_stats_) {
      add(enc);
      meta.encoding_stats.push_back({config_.data_page_v2 ? PageType::kDataPageV2 : PageType::kDataPage, enc,
                                     static_cast<int32_t>(count)});
    }
    add(Encoding::kRle);
    if (config_.write_statistics) meta.statistics = ComputeStatistics(pieces_);
    return Status::OK();
  }

  const std::vector<Column>& pieces_;
  const Column* col_ = nullptr;  // the piece being encoded
  const ChunkWriteConfig& config_;
  ColumnEncoding encoding_ = ColumnEncoding::kPlain;
  std::unique_ptr<DictionaryEncoder<DictT>> dict_;
  size_t piece_idx_ = 0;
  // Strings written from dictionary pieces' codes (PrepareCodeDictionary).
  bool code_dict_ = false;
  std::vector<int64_t> piece_base_;            // per piece: its dictionary's first combined index
  std::vector<uint32_t> remap_;                // combined index -> chunk dictionary index
  std::vector<std::string_view> code_entries_; // the chunk dictionary (views into the pieces' dictionaries)
  std::vector<uint32_t> code_indices_;         // one page's indices
  // Reused between pages.
  std::vector<std::string_view> views_;
  std::vector<uint8_t> bools_;
  std::vector<T> dense_;
  std::vector<uint32_t> levels_;
  std::vector<uint8_t> levels_buf_, values_buf_, body_, page_buf_, compressed_, data_pages_;
  std::string header_buf_;
  std::map<Encoding, int64_t> page_stats_;
  int64_t uncompressed_total_ = 0;
};

template <Type kType>
Status EncodeTyped(const std::vector<Column>& pieces, const ChunkWriteConfig& config, EncodedChunk* out) {
  ChunkEncoder<kType> encoder(pieces, config);
  ColumnEncoding encoding = config.encoding == ColumnEncoding::kAuto ? DefaultEncoding(kType) : config.encoding;
  ASSIGN_OR_RETURN(bool complete, encoder.Encode(encoding, out));
  if (complete) return Status::OK();
  // Dictionary too large for this chunk: PLAIN, as other writers fall back.
  ChunkEncoder<kType> fallback(pieces, config);
  ASSIGN_OR_RETURN(complete, fallback.Encode(ColumnEncoding::kPlain, out));
  return complete ? Status::OK() : Status::Internal("plain encoding cannot overflow");
}

}  // namespace

Status EncodeColumnChunk(const std::vector<Column>& pieces, const ChunkWriteConfig& config, EncodedChunk* out) {
  if (pieces.empty()) return Status::Internal("empty column chunk");  // callers skip empty row groups
  switch (pieces[0].type()) {
    case Type::kBool: return EncodeTyped<Type::kBool>(pieces, config, out);
    case Type::kInt32: return EncodeTyped<Type::kInt32>(pieces, config, out);
    case Type::kInt64: return EncodeTyped<Type::kInt64>(pieces, config, out);
    case Type::kTimestamp: return EncodeTyped<Type::kTimestamp>(pieces, config, out);
    case Type::kFloat32: return EncodeTyped<Type::kFloat32>(pieces, config, out);
    case Type::kFloat64: return EncodeTyped<Type::kFloat64>(pieces, config, out);
    case Type::kString: return EncodeTyped<Type::kString>(pieces, config, out);
  }
  return Status::Internal("unknown column type");
}

}  // namespace edgepipe::parquet
