#include "edgepipe/compute/selection.h"

#include <bit>
#include <cstring>
#include <string>
#include <vector>

#include "compute/kernel_util_internal.h"

namespace edgepipe::compute {
namespace {

// 64 bits of `bits` starting at bit `pos` (any alignment); bits past
// `limit` read as 0. Reads only bytes that hold bits below `limit`.
uint64_t ReadWord(const uint8_t* bits, int64_t pos, int64_t limit) {
  const int64_t count = std::min<int64_t>(64, limit - pos);
  if (count <= 0) return 0;
  const int64_t first_byte = pos >> 3;
  const int shift = static_cast<int>(pos & 7);
  const int64_t last_byte = (pos + count - 1) >> 3;
  uint8_t tmp[16] = {};
  std::memcpy(tmp, bits + first_byte, static_cast<size_t>(last_byte - first_byte + 1));
  uint64_t lo;
  std::memcpy(&lo, tmp, 8);
  uint64_t word = lo >> shift;
  if (shift != 0) word |= static_cast<uint64_t>(tmp[8]) << (64 - shift);
  if (count < 64) word &= (uint64_t{1} << count) - 1;
  return word;
}

// Selected rows as a bitmap word source: selection values AND validity.
struct SelectionWords {
  const Column& sel;
  uint64_t Word(int64_t row) const {
    const int64_t limit = sel.offset() + sel.length();
    uint64_t w = ReadWord(sel.values_buffer()->data(), sel.offset() + row, limit);
    if (sel.null_count() > 0 && sel.validity_bits() != nullptr) {
      w &= ReadWord(sel.validity_bits(), sel.offset() + row, limit);
    }
    return w;
  }
};

// Output validity of a gather: out row j valid iff source row src_rows(j)
// valid. Returns nullptr when every output row is valid.
template <class SrcRow>
Result<std::shared_ptr<Buffer>> GatherValidity(const Column& values, int64_t out_len, const SrcRow& src_row,
                                               int64_t* null_count) {
  *null_count = 0;
  ASSIGN_OR_RETURN(auto buf, internal::AllocateValues(out_len, 0));
  uint8_t* bits = buf->mutable_data();
  std::memset(bits, 0, static_cast<size_t>(bit_util::BytesForBits(out_len)));
  for (int64_t j = 0; j < out_len; ++j) {
    const int64_t r = src_row(j);
    if (r >= 0 && values.IsValid(r)) {
      bit_util::SetBit(bits, j);
    } else {
      ++*null_count;
    }
  }
  if (*null_count == 0) return std::shared_ptr<Buffer>();
  return buf;
}

// The rows that a filter keeps, in order.
Result<std::vector<int64_t>> SelectedRows(const Column& selection, int64_t count) {
  std::vector<int64_t> rows;
  rows.reserve(static_cast<size_t>(count));
  SelectionWords words{selection};
  for (int64_t base = 0; base < selection.length(); base += 64) {
    uint64_t w = words.Word(base);
    while (w != 0) {
      rows.push_back(base + std::countr_zero(w));
      w &= w - 1;
    }
  }
  return rows;
}

// Fixed-width filter: whole 64-row words copied as one run, sparse words
// bit by bit.
template <int kWidth>
void FilterFixed(const uint8_t* src, const SelectionWords& words, int64_t n, uint8_t* dst) {
  int64_t out = 0;
  for (int64_t base = 0; base < n; base += 64) {
    uint64_t w = words.Word(base);
    if (w == ~uint64_t{0}) {
      std::memcpy(dst + out * kWidth, src + base * kWidth, 64 * kWidth);
      out += 64;
      continue;
    }
    while (w != 0) {
      const int64_t row = base + std::countr_zero(w);
      std::memcpy(dst + out * kWidth, src + row * kWidth, kWidth);
      ++out;
      w &= w - 1;
    }
  }
}

Result<Column> GatherStrings(const Column& values, int64_t out_len, const std::vector<int64_t>& rows) {
  ColumnBuilder builder(Type::kString);
  int64_t bytes = 0;
  for (int64_t r : rows) {
    if (r >= 0 && values.IsValid(r)) bytes += static_cast<int64_t>(values.GetString(r).size());
  }
  RETURN_NOT_OK(builder.Reserve(out_len, bytes));
  for (int64_t r : rows) {
    if (r < 0 || values.IsNull(r)) {
      RETURN_NOT_OK(builder.AppendNull());
    } else {
      RETURN_NOT_OK(builder.AppendString(values.GetString(r)));
    }
  }
  return builder.Finish();
}

Result<Column> GatherBools(const Column& values, int64_t out_len, const std::vector<int64_t>& rows) {
  ASSIGN_OR_RETURN(auto bits, internal::AllocateValues(out_len, 0));
  std::memset(bits->mutable_data(), 0, static_cast<size_t>(bit_util::BytesForBits(out_len)));
  for (int64_t j = 0; j < out_len; ++j) {
    if (rows[j] >= 0 && values.GetBool(rows[j])) bit_util::SetBit(bits->mutable_data(), j);
  }
  int64_t nulls = 0;
  ASSIGN_OR_RETURN(auto validity, GatherValidity(values, out_len, [&](int64_t j) { return rows[j]; }, &nulls));
  return Column(Type::kBool, out_len, std::move(bits), std::move(validity), nulls);
}

}  // namespace

Result<Column> Filter(const Column& values, const Column& selection) {
  if (selection.type() != Type::kBool) {
    return Status::InvalidArgument("filter: the selection must be a bool column, got " +
                                   std::string(TypeName(selection.type())));
  }
  if (selection.length() != values.length()) {
    return Status::InvalidArgument("filter: selection has " + std::to_string(selection.length()) +
                                   " rows, values have " + std::to_string(values.length()));
  }
  const int64_t n = values.length();
  SelectionWords words{selection};
  int64_t count = 0;
  for (int64_t base = 0; base < n; base += 64) count += std::popcount(words.Word(base));

  // Dictionary strings are filtered as their int32 codes and keep the
  // dictionary: no string bytes are touched.
  const bool dict = values.is_dictionary();
  const int width = dict ? 4 : TypeByteWidth(values.type());
  if (!dict && (values.type() == Type::kString || values.type() == Type::kBool)) {
    ASSIGN_OR_RETURN(auto rows, SelectedRows(selection, count));
    return values.type() == Type::kString ? GatherStrings(values, count, rows) : GatherBools(values, count, rows);
  }
  ASSIGN_OR_RETURN(auto out, internal::AllocateValues(count, width));
  if (n > 0) {
    const uint8_t* src = values.values_buffer()->data() + values.offset() * width;
    switch (width) {
      case 4: FilterFixed<4>(src, words, n, out->mutable_data()); break;
      default: FilterFixed<8>(src, words, n, out->mutable_data()); break;
    }
  }
  std::shared_ptr<Buffer> validity;
  int64_t nulls = 0;
  if (values.null_count() > 0 && values.validity_bits() != nullptr) {
    ASSIGN_OR_RETURN(auto rows, SelectedRows(selection, count));
    ASSIGN_OR_RETURN(validity, GatherValidity(values, count, [&](int64_t j) { return rows[j]; }, &nulls));
  }
  if (dict) return Column::MakeDictionary(count, std::move(out), values.dictionary(), std::move(validity), nulls);
  return Column(values.type(), count, std::move(out), std::move(validity), nulls);
}

Result<Column> Take(const Column& values, const Column& indices) {
  if (indices.type() != Type::kInt64) {
    return Status::InvalidArgument("take: indices must be an int64 column, got " +
                                   std::string(TypeName(indices.type())));
  }
  const int64_t out_len = indices.length();
  const int64_t n = values.length();
  const int64_t* idx = out_len > 0 ? indices.values<int64_t>() : nullptr;
  // Bounds first: nothing is returned for a bad index.
  for (int64_t j = 0; j < out_len; ++j) {
    if (indices.IsValid(j) && (idx[j] < 0 || idx[j] >= n)) {
      return Status::InvalidArgument("take: index " + std::to_string(idx[j]) + " at position " + std::to_string(j) +
                                     " is out of range [0, " + std::to_string(n) + ")");
    }
  }
  auto src_row = [&](int64_t j) -> int64_t { return indices.IsValid(j) ? idx[j] : -1; };
  // Dictionary strings: gather the int32 codes (a null index gets code 0,
  // which MakeDictionary accepts for null rows) and keep the dictionary.
  const bool dict = values.is_dictionary();
  if (!dict && (values.type() == Type::kString || values.type() == Type::kBool)) {
    std::vector<int64_t> rows(static_cast<size_t>(out_len));
    for (int64_t j = 0; j < out_len; ++j) rows[j] = src_row(j);
    return values.type() == Type::kString ? GatherStrings(values, out_len, rows) : GatherBools(values, out_len, rows);
  }
  const int width = dict ? 4 : TypeByteWidth(values.type());
  ASSIGN_OR_RETURN(auto out, internal::AllocateValues(out_len, width));
  if (out_len > 0) {
    const uint8_t* src = n > 0 ? values.values_buffer()->data() + values.offset() * width : nullptr;
    uint8_t* dst = out->mutable_data();
    const bool index_nulls = indices.null_count() > 0;
    internal::ForEachChunk(out_len, [&](int64_t begin, int64_t end) {
      for (int64_t j = begin; j < end; ++j) {
        if (index_nulls && indices.IsNull(j)) {
          std::memset(dst + j * width, 0, static_cast<size_t>(width));
        } else if (width == 8) {
          std::memcpy(dst + j * 8, src + idx[j] * 8, 8);
        } else {
          std::memcpy(dst + j * 4, src + idx[j] * 4, 4);
        }
      }
    });
  }
  std::shared_ptr<Buffer> validity;
  int64_t nulls = 0;
  if ((values.null_count() > 0 && values.validity_bits() != nullptr) || indices.null_count() > 0) {
    ASSIGN_OR_RETURN(validity, GatherValidity(values, out_len, src_row, &nulls));
  }
  if (dict) return Column::MakeDictionary(out_len, std::move(out), values.dictionary(), std::move(validity), nulls);
  return Column(values.type(), out_len, std::move(out), std::move(validity), nulls);
}

}  // namespace edgepipe::compute
