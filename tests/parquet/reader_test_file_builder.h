#pragma once
// Test-only: assembles Parquet files page by page from the thrift encoders,
// the encoding layer and the codecs, so the reader can be tested on every
// encoding x codec x page version x nullability combination (and on
// deliberately odd layouts) independently of edgepipe's writer.

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <unistd.h>
#include <string>
#include <string_view>
#include <vector>

#include "edgepipe/core/column.h"
#include "parquet/compression/codec.h"
#include "parquet/encoding/byte_stream_split.h"
#include "parquet/encoding/delta_binary_packed.h"
#include "parquet/encoding/delta_byte_array.h"
#include "parquet/encoding/delta_length_byte_array.h"
#include "parquet/encoding/plain.h"
#include "parquet/encoding/rle_bp.h"
#include "parquet/thrift/parquet_types.h"

namespace edgepipe::parquet::testing {

// One column: its values for the whole file (all rows; the entries of null
// rows are ignored) and how to write it.
struct TestColumn {
  std::string name;
  PhysicalType physical = PhysicalType::kInt64;
  bool optional = false;
  std::optional<LogicalType> logical;
  std::optional<ConvertedType> converted;

  std::vector<int32_t> i32;
  std::vector<int64_t> i64;  // INT64, and INT96 as ns since the epoch
  std::vector<float> f32;
  std::vector<double> f64;
  std::vector<uint8_t> b;    // BOOLEAN, 0/1
  std::vector<std::string> s;
  std::vector<bool> valid;   // empty: all valid

  Encoding encoding = Encoding::kPlain;  // data pages (not the dictionary ones)
  bool dictionary = false;               // dictionary page + RLE_DICTIONARY pages
  Encoding dictionary_page_encoding = Encoding::kRleDictionary;  // or kPlainDictionary
  int dictionary_pages = -1;  // >= 0: after that many data pages, fall back to `encoding`
  CompressionCodec codec = CompressionCodec::kUncompressed;
  bool v2 = false;
  int64_t page_rows = 1000;
  bool statistics = true;
  bool index_page_first = false;  // an (unknown to us) index page before the data pages
  std::optional<int32_t> first_page_uncompressed_size;  // to forge a page header
  int32_t type_length = 0;  // FIXED_LEN_BYTE_ARRAY (values in `s`, written raw)

  int64_t num_rows() const {
    switch (physical) {
      case PhysicalType::kInt32: return static_cast<int64_t>(i32.size());
      case PhysicalType::kInt64:
      case PhysicalType::kInt96: return static_cast<int64_t>(i64.size());
      case PhysicalType::kFloat: return static_cast<int64_t>(f32.size());
      case PhysicalType::kDouble: return static_cast<int64_t>(f64.size());
      case PhysicalType::kBoolean: return static_cast<int64_t>(b.size());
      default: return static_cast<int64_t>(s.size());
    }
  }
  bool IsValid(int64_t row) const { return valid.empty() || valid[static_cast<size_t>(row)]; }
};

struct TestFile {
  std::vector<TestColumn> columns;
  int64_t row_group_rows = 1 << 20;
  std::string created_by = "edgepipe reader test";
  std::vector<KeyValue> key_value_metadata;
};

inline Codec ToCodec(CompressionCodec c) {
  switch (c) {
    case CompressionCodec::kSnappy: return Codec::kSnappy;
    case CompressionCodec::kGzip: return Codec::kGzip;
    case CompressionCodec::kZstd: return Codec::kZstd;
    case CompressionCodec::kLz4: return Codec::kLz4Hadoop;
    case CompressionCodec::kLz4Raw: return Codec::kLz4Raw;
    case CompressionCodec::kBrotli: return Codec::kBrotli;
    default: return Codec::kUncompressed;
  }
}

class ParquetFileBuilder {
 public:
  explicit ParquetFileBuilder(const TestFile& file) : file_(file) {}

  std::string Build() {
    out_.assign("PAR1", 4);
    FileMetaData md;
    md.version = 2;
    md.created_by = file_.created_by;
    md.key_value_metadata = file_.key_value_metadata;
    SchemaElement root;
    root.name = "schema";
    root.num_children = static_cast<int32_t>(file_.columns.size());
    md.schema.push_back(root);
    for (const TestColumn& c : file_.columns) {
      SchemaElement el;
      el.name = c.name;
      el.type = c.physical;
      el.repetition_type = c.optional ? FieldRepetitionType::kOptional : FieldRepetitionType::kRequired;
      el.logical_type = c.logical;
      el.converted_type = c.converted;
      if (c.physical == PhysicalType::kFixedLenByteArray) el.type_length = c.type_length;
      md.schema.push_back(el);
    }
    const int64_t rows = file_.columns.empty() ? 0 : file_.columns[0].num_rows();
    md.num_rows = rows;
    md.num_column_orders = static_cast<int32_t>(file_.columns.size());
    for (int64_t start = 0; start < rows || (rows == 0 && start == 0); start += file_.row_group_rows) {
      const int64_t n = std::min(file_.row_group_rows, rows - start);
      RowGroup rg;
      rg.num_rows = n;
      for (const TestColumn& c : file_.columns) rg.columns.push_back(WriteChunk(c, start, n));
      for (const ColumnChunk& cc : rg.columns) rg.total_byte_size += cc.meta_data->total_uncompressed_size;
      md.row_groups.push_back(std::move(rg));
      if (rows == 0) break;
    }
    std::string footer;
    EncodeFileMetaData(md, &footer);
    out_ += footer;
    const uint32_t len = static_cast<uint32_t>(footer.size());
    out_.append(reinterpret_cast<const char*>(&len), 4);
    out_ += "PAR1";
    return out_;
  }

 private:
  // Non-null values of rows [start, start + n), PLAIN-encoded or in `enc`.
  void EncodeValues(const TestColumn& c, const std::vector<int64_t>& rows, Encoding enc,
                    std::vector<uint8_t>* out) const {
    const int64_t m = static_cast<int64_t>(rows.size());
    switch (c.physical) {
      case PhysicalType::kInt32: {
        std::vector<int32_t> v;
        for (int64_t r : rows) v.push_back(c.i32[r]);
        if (enc == Encoding::kDeltaBinaryPacked) EncodeDeltaBinaryPacked(v.data(), m, out);
        else if (enc == Encoding::kByteStreamSplit) EncodeByteStreamSplit(v.data(), m, out);
        else EncodePlain(v.data(), m, out);
        return;
      }
      case PhysicalType::kInt64: {
        std::vector<int64_t> v;
        for (int64_t r : rows) v.push_back(c.i64[r]);
        if (enc == Encoding::kDeltaBinaryPacked) EncodeDeltaBinaryPacked(v.data(), m, out);
        else if (enc == Encoding::kByteStreamSplit) EncodeByteStreamSplit(v.data(), m, out);
        else EncodePlain(v.data(), m, out);
        return;
      }
      case PhysicalType::kInt96: {
        std::vector<int64_t> v;
        for (int64_t r : rows) v.push_back(c.i64[r]);
        EncodePlainInt96(v.data(), m, out);
        return;
      }
      case PhysicalType::kFloat: {
        std::vector<float> v;
        for (int64_t r : rows) v.push_back(c.f32[r]);
        if (enc == Encoding::kByteStreamSplit) EncodeByteStreamSplit(v.data(), m, out);
        else EncodePlain(v.data(), m, out);
        return;
      }
      case PhysicalType::kDouble: {
        std::vector<double> v;
        for (int64_t r : rows) v.push_back(c.f64[r]);
        if (enc == Encoding::kByteStreamSplit) EncodeByteStreamSplit(v.data(), m, out);
        else EncodePlain(v.data(), m, out);
        return;
      }
      case PhysicalType::kBoolean: {
        std::vector<uint8_t> v;
        for (int64_t r : rows) v.push_back(c.b[r]);
        if (enc == Encoding::kRle) {
          std::vector<uint32_t> w(v.begin(), v.end());
          EncodeLengthPrefixedRle(w.data(), m, 1, out);
        } else {
          EncodePlainBoolean(v.data(), m, out);
        }
        return;
      }
      default: {
        std::vector<std::string_view> v;
        for (int64_t r : rows) v.push_back(c.s[r]);
        if (c.physical == PhysicalType::kFixedLenByteArray) {
          for (std::string_view x : v) out->insert(out->end(), x.begin(), x.end());
          return;
        }
        if (enc == Encoding::kDeltaLengthByteArray) EncodeDeltaLengthByteArray(v.data(), m, out);
        else if (enc == Encoding::kDeltaByteArray) EncodeDeltaByteArray(v.data(), m, out);
        else EncodePlainByteArray(v.data(), m, out);
        return;
      }
    }
  }

  // A key identifying a value for the dictionary (its PLAIN bytes).
  std::string ValueKey(const TestColumn& c, int64_t row) const {
    std::vector<uint8_t> bytes;
    EncodeValues(c, {row}, Encoding::kPlain, &bytes);
    return std::string(bytes.begin(), bytes.end());
  }

  std::vector<uint8_t> Compress(CompressionCodec codec, const std::vector<uint8_t>& in) const {
    if (codec == CompressionCodec::kUncompressed) return in;
    std::vector<uint8_t> out;
    Status st = parquet::Compress(ToCodec(codec), in.data(), in.size(), &out);
    if (!st.ok()) std::abort();
    return out;
  }

  // Returns the header's size.
  int64_t AppendPage(PageHeader header, const std::vector<uint8_t>& body) {
    header.compressed_page_size = static_cast<int32_t>(body.size());
    std::string h;
    EncodePageHeader(header, &h);
    out_ += h;
    out_.append(reinterpret_cast<const char*>(body.data()), body.size());
    return static_cast<int64_t>(h.size());
  }

  void AddStats(const TestColumn& c, int64_t start, int64_t n, ColumnMetaData* meta) const {
    Statistics st;
    int64_t nulls = 0;
    std::optional<int64_t> best_min, best_max;
    for (int64_t r = start; r < start + n; ++r) {
      if (!c.IsValid(r)) {
        ++nulls;
        continue;
      }
      auto less = [&](int64_t a, int64_t b) {
        switch (c.physical) {
          case PhysicalType::kInt32: return c.i32[a] < c.i32[b];
          case PhysicalType::kInt64: return c.i64[a] < c.i64[b];
          case PhysicalType::kFloat: return c.f32[a] < c.f32[b];
          case PhysicalType::kDouble: return c.f64[a] < c.f64[b];
          case PhysicalType::kBoolean: return c.b[a] < c.b[b];
          case PhysicalType::kByteArray: return c.s[a] < c.s[b];
          default: return false;
        }
      };
      if (!best_min || less(r, *best_min)) best_min = r;
      if (!best_max || less(*best_max, r)) best_max = r;
    }
    st.null_count = nulls;
    if (best_min && c.physical != PhysicalType::kInt96) {
      st.min_value = ValueKey(c, *best_min);
      st.max_value = ValueKey(c, *best_max);
      if (c.physical == PhysicalType::kByteArray) {
        st.min_value = st.min_value->substr(4);
        st.max_value = st.max_value->substr(4);
      }
    }
    meta->statistics = st;
  }

  ColumnChunk WriteChunk(const TestColumn& c, int64_t start, int64_t n) {
    ColumnChunk chunk;
    ColumnMetaData meta;
    meta.type = c.physical;
    meta.path_in_schema = {c.name};
    meta.codec = c.codec;
    meta.num_values = n;
    const int64_t chunk_start = static_cast<int64_t>(out_.size());
    int64_t uncompressed_total = 0;
    std::vector<Encoding> encodings;

    // Dictionary of the chunk's distinct non-null values, in first-seen order.
    std::map<std::string, uint32_t> dict_index;
    std::vector<int64_t> dict_rows;
    if (c.dictionary) {
      for (int64_t r = start; r < start + n; ++r) {
        if (!c.IsValid(r)) continue;
        if (dict_index.emplace(ValueKey(c, r), static_cast<uint32_t>(dict_rows.size())).second) dict_rows.push_back(r);
      }
      std::vector<uint8_t> plain;
      EncodeValues(c, dict_rows, Encoding::kPlain, &plain);
      PageHeader h;
      h.type = PageType::kDictionaryPage;
      h.uncompressed_page_size = static_cast<int32_t>(plain.size());
      DictionaryPageHeader dh;
      dh.num_values = static_cast<int32_t>(dict_rows.size());
      dh.encoding = c.dictionary_page_encoding == Encoding::kPlainDictionary ? Encoding::kPlainDictionary
                                                                              : Encoding::kPlain;
      h.dictionary_page_header = dh;
      meta.dictionary_page_offset = chunk_start;
      uncompressed_total += AppendPage(h, Compress(c.codec, plain)) + static_cast<int64_t>(plain.size());
      encodings.push_back(Encoding::kPlain);
    }
    if (c.index_page_first) {
      PageHeader h;
      h.type = PageType::kIndexPage;
      std::vector<uint8_t> junk(7, 0xAB);
      h.uncompressed_page_size = 7;
      AppendPage(h, junk);
    }
    // Index pages are not in a chunk's page sequence in real files; here the
    // chunk starts at it so the reader has to skip it.
    meta.data_page_offset = c.index_page_first && !c.dictionary ? chunk_start : static_cast<int64_t>(out_.size());
    int page_idx = 0;
    for (int64_t p = start; p < start + n; p += c.page_rows) {
      const int64_t rows = std::min(c.page_rows, start + n - p);
      std::vector<int64_t> present;
      std::vector<uint32_t> levels;
      for (int64_t r = p; r < p + rows; ++r) {
        levels.push_back(c.IsValid(r) ? 1 : 0);
        if (c.IsValid(r)) present.push_back(r);
      }
      const bool use_dict = c.dictionary && (c.dictionary_pages < 0 || page_idx < c.dictionary_pages);
      Encoding enc = use_dict ? c.dictionary_page_encoding : c.encoding;
      std::vector<uint8_t> values;
      if (use_dict) {
        std::vector<uint32_t> idx;
        for (int64_t r : present) idx.push_back(dict_index.at(ValueKey(c, r)));
        int width = 0;
        while ((uint64_t{1} << width) < dict_rows.size()) ++width;
        values.push_back(static_cast<uint8_t>(width));
        RleBpEncoder enc_idx(width);
        enc_idx.Put(idx.data(), static_cast<int64_t>(idx.size()));
        enc_idx.Flush(&values);
      } else {
        EncodeValues(c, present, enc, &values);
      }
      if (std::find(encodings.begin(), encodings.end(), enc) == encodings.end()) encodings.push_back(enc);
      PageHeader h;
      std::vector<uint8_t> body;
      int64_t uncompressed = 0;
      if (!c.v2) {
        std::vector<uint8_t> raw;
        if (c.optional) EncodeLengthPrefixedRle(levels.data(), rows, 1, &raw);
        raw.insert(raw.end(), values.begin(), values.end());
        h.type = PageType::kDataPage;
        DataPageHeader dh;
        dh.num_values = static_cast<int32_t>(rows);
        dh.encoding = enc;
        h.data_page_header = dh;
        uncompressed = static_cast<int64_t>(raw.size());
        body = Compress(c.codec, raw);
      } else {
        std::vector<uint8_t> lv;
        if (c.optional) {
          RleBpEncoder e(1);
          e.Put(levels.data(), rows);
          e.Flush(&lv);
        }
        h.type = PageType::kDataPageV2;
        DataPageHeaderV2 dh;
        dh.num_values = static_cast<int32_t>(rows);
        dh.num_rows = static_cast<int32_t>(rows);
        dh.num_nulls = static_cast<int32_t>(rows - static_cast<int64_t>(present.size()));
        dh.encoding = enc;
        dh.definition_levels_byte_length = static_cast<int32_t>(lv.size());
        dh.is_compressed = c.codec != CompressionCodec::kUncompressed;
        h.data_page_header_v2 = dh;
        body = lv;
        std::vector<uint8_t> cv = Compress(c.codec, values);
        body.insert(body.end(), cv.begin(), cv.end());
        uncompressed = static_cast<int64_t>(lv.size() + values.size());
      }
      h.uncompressed_page_size = static_cast<int32_t>(uncompressed);
      if (page_idx == 0 && c.first_page_uncompressed_size) h.uncompressed_page_size = *c.first_page_uncompressed_size;
      uncompressed_total += AppendPage(h, body) + uncompressed;
      ++page_idx;
    }
    meta.encodings = encodings;
    meta.total_compressed_size = static_cast<int64_t>(out_.size()) - chunk_start;
    meta.total_uncompressed_size = uncompressed_total;
    if (c.statistics) AddStats(c, start, n, &meta);
    chunk.file_offset = chunk_start;
    chunk.meta_data = meta;
    return chunk;
  }

  const TestFile& file_;
  std::string out_;
};

inline std::string BuildParquet(const TestFile& file) { return ParquetFileBuilder(file).Build(); }

// /dev/shm when writable: the corruption tests write thousands of small
// files, 25x faster on tmpfs than on the build disk.
inline std::string FastTempDir() {
  if (::access("/dev/shm", W_OK) == 0) return "/dev/shm";
  const char* tmp = ::getenv("TMPDIR");
  return tmp != nullptr ? tmp : "/tmp";
}

// A per-process file name in FastTempDir(): "<dir>/edgepipe_<tag>_<pid>_<name>.parquet".
inline std::string TempParquetPath(const std::string& tag, const std::string& name) {
  return FastTempDir() + "/edgepipe_" + tag + "_" + std::to_string(::getpid()) + "_" + name + ".parquet";
}

inline void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// The column the reader should produce for `c` (rows [start, start + n)).
inline Result<Column> ExpectedColumn(const TestColumn& c, Type type, int64_t start, int64_t n,
                                     int64_t ts_factor = 1) {
  std::vector<bool> valid;
  for (int64_t r = start; r < start + n; ++r) valid.push_back(c.IsValid(r));
  auto slice = [&](const auto& v) {
    using T = typename std::decay_t<decltype(v)>::value_type;
    std::vector<T> out(v.begin() + start, v.begin() + start + n);
    for (int64_t i = 0; i < n; ++i) {
      if (!valid[static_cast<size_t>(i)]) out[static_cast<size_t>(i)] = T{};
    }
    return out;
  };
  switch (c.physical) {
    case PhysicalType::kInt32:
      if (type == Type::kInt32) return ColumnFromVector(type, slice(c.i32), valid);
      {
        std::vector<int64_t> w;
        for (int32_t v : slice(c.i32)) {
          w.push_back(type == Type::kTimestamp ? int64_t{v} * ts_factor : static_cast<int64_t>(static_cast<uint32_t>(v)));
        }
        return ColumnFromVector(type, w, valid);
      }
    case PhysicalType::kInt64:
    case PhysicalType::kInt96: {
      std::vector<int64_t> w = slice(c.i64);
      for (auto& v : w) v *= ts_factor;
      return ColumnFromVector(type, w, valid);
    }
    case PhysicalType::kFloat: return ColumnFromVector(type, slice(c.f32), valid);
    case PhysicalType::kDouble: return ColumnFromVector(type, slice(c.f64), valid);
    case PhysicalType::kBoolean: {
      std::vector<bool> w;
      for (uint8_t v : slice(c.b)) w.push_back(v != 0);
      return ColumnFromVector(type, w, valid);
    }
    default: return ColumnFromVector(type, slice(c.s), valid);
  }
}

}  // namespace edgepipe::parquet::testing
