// Dictionary-encoded string columns: construction checks, logical equality
// with plain columns, slices, decoding and concatenation.

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "edgepipe/core/column.h"
#include "edgepipe/core/table.h"

namespace edgepipe {
namespace {

std::shared_ptr<Buffer> Codes(const std::vector<int32_t>& codes) {
  auto buf = Buffer::Allocate(codes.size() * sizeof(int32_t)).ValueOrDie();
  if (!codes.empty()) std::memcpy(buf->mutable_data(), codes.data(), codes.size() * sizeof(int32_t));
  return buf;
}

std::shared_ptr<Buffer> Validity(const std::vector<bool>& valid) {
  auto buf = Buffer::AllocateZeroed(static_cast<size_t>(bit_util::BytesForBits(static_cast<int64_t>(valid.size()))))
                 .ValueOrDie();
  for (size_t i = 0; i < valid.size(); ++i) {
    if (valid[i]) bit_util::SetBit(buf->mutable_data(), static_cast<int64_t>(i));
  }
  return buf;
}

std::shared_ptr<const Column> Dict(const std::vector<std::string>& entries) {
  return std::make_shared<const Column>(ColumnFromVector(Type::kString, entries).ValueOrDie());
}

// A random dictionary column and the plain column with the same strings.
struct Pair {
  Column dict;
  Column plain;
};

Pair RandomPair(int64_t n, int dict_size, uint64_t seed, bool with_nulls) {
  std::mt19937_64 rng(seed);
  std::vector<std::string> entries;
  for (int i = 0; i < dict_size; ++i) entries.push_back("s" + std::to_string(rng() % 1000) + std::string(i % 5, 'x'));
  auto dictionary = Dict(entries);
  std::vector<int32_t> codes(static_cast<size_t>(n));
  std::vector<bool> valid(static_cast<size_t>(n), true);
  std::vector<std::string> strings(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    codes[i] = dict_size > 0 ? static_cast<int32_t>(rng() % static_cast<uint64_t>(dict_size)) : 0;
    valid[i] = dict_size > 0 && !(with_nulls && rng() % 4 == 0);
    if (valid[i]) strings[i] = entries[codes[i]];
  }
  auto dict_col = Column::MakeDictionary(n, Codes(codes), dictionary, with_nulls || dict_size == 0 ? Validity(valid) : nullptr);
  EXPECT_TRUE(dict_col.ok()) << dict_col.status().ToString();
  auto plain = ColumnFromVector(Type::kString, strings, valid).ValueOrDie();
  return {*dict_col, plain};
}

TEST(DictionaryColumnTest, GetStringEqualsAndValueToString) {
  auto dictionary = Dict({"idle", "walk", "run", "walk"});  // duplicates and an unused entry are fine
  auto col = Column::MakeDictionary(5, Codes({1, 0, 3, 0, 2}), dictionary, Validity({true, true, true, false, true}));
  ASSERT_TRUE(col.ok()) << col.status().ToString();
  EXPECT_TRUE(col->is_dictionary());
  EXPECT_EQ(col->type(), Type::kString);
  EXPECT_EQ(col->null_count(), 1);
  EXPECT_EQ(col->dictionary().get(), dictionary.get());
  EXPECT_EQ(col->dictionary_codes()[2], 3);
  EXPECT_EQ(col->GetString(0), "walk");
  EXPECT_EQ(col->GetString(2), "walk");
  EXPECT_EQ(col->GetString(4), "run");
  EXPECT_EQ(col->ValueToString(1), "idle");
  EXPECT_EQ(col->ValueToString(3), "null");

  auto plain = ColumnFromVector<std::string>(Type::kString, {"walk", "idle", "walk", "", "run"},
                                             {true, true, true, false, true});
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->is_dictionary());
  EXPECT_EQ(plain->dictionary(), nullptr);
  EXPECT_TRUE(col->Equals(*plain));
  EXPECT_TRUE(plain->Equals(*col));
  auto other = ColumnFromVector<std::string>(Type::kString, {"walk", "idle", "walk", "", "walk"},
                                             {true, true, true, false, true});
  EXPECT_FALSE(col->Equals(*other));
  EXPECT_FALSE(other->Equals(*col));
}

TEST(DictionaryColumnTest, RejectsOutOfRangeCodes) {
  auto dictionary = Dict({"a", "b", "c"});
  for (int32_t bad : {3, 4, -1, INT32_MIN, INT32_MAX}) {
    for (int64_t n : {1, 7, 8, 31, 32, 127, 128, 129, 1025}) {
      for (int64_t pos : {int64_t{0}, n / 2, n - 1}) {
        std::vector<int32_t> codes(static_cast<size_t>(n), 1);
        codes[pos] = bad;
        auto col = Column::MakeDictionary(n, Codes(codes), dictionary);
        ASSERT_FALSE(col.ok()) << "bad=" << bad << " n=" << n << " pos=" << pos;
        EXPECT_TRUE(col.status().IsInvalidArgument());
        EXPECT_NE(col.status().ToString().find("row " + std::to_string(pos)), std::string::npos)
            << col.status().ToString();
        // The same code under a null is still rejected unless it is 0.
        std::vector<bool> valid(static_cast<size_t>(n), true);
        valid[pos] = false;
        auto null_col = Column::MakeDictionary(n, Codes(codes), dictionary, Validity(valid));
        EXPECT_TRUE(null_col.status().IsInvalidArgument()) << "bad=" << bad << " n=" << n;
      }
    }
  }
  // Out-of-range codes outside [offset, offset + length) are not looked at.
  auto sliced = Column::MakeDictionary(2, Codes({9, 0, 1, 9}), dictionary, nullptr, -1, 1);
  ASSERT_TRUE(sliced.ok()) << sliced.status().ToString();
  EXPECT_EQ(sliced->GetString(1), "b");
}

TEST(DictionaryColumnTest, RejectsBadArguments) {
  auto dictionary = Dict({"a"});
  // Codes buffer shorter than offset + length.
  EXPECT_TRUE(Column::MakeDictionary(3, Codes({0, 0}), dictionary).status().IsInvalidArgument());
  EXPECT_TRUE(Column::MakeDictionary(2, Codes({0, 0}), dictionary, nullptr, -1, 1).status().IsInvalidArgument());
  EXPECT_TRUE(Column::MakeDictionary(1, nullptr, dictionary).status().IsInvalidArgument());
  EXPECT_TRUE(Column::MakeDictionary(-1, Codes({}), dictionary).status().IsInvalidArgument());
  // No dictionary, a non-string one, a dictionary-encoded one.
  EXPECT_TRUE(Column::MakeDictionary(1, Codes({0}), nullptr).status().IsInvalidArgument());
  auto ints = std::make_shared<const Column>(ColumnFromVector<int32_t>(Type::kInt32, {1}).ValueOrDie());
  EXPECT_TRUE(Column::MakeDictionary(1, Codes({0}), ints).status().IsInvalidArgument());
  auto nested = std::make_shared<const Column>(Column::MakeDictionary(1, Codes({0}), dictionary).ValueOrDie());
  EXPECT_TRUE(Column::MakeDictionary(1, Codes({0}), nested).status().IsInvalidArgument());
}

TEST(DictionaryColumnTest, AllNullWithEmptyDictionary) {
  auto empty = Dict({});
  auto col = Column::MakeDictionary(3, Codes({0, 0, 0}), empty, Validity({false, false, false}));
  ASSERT_TRUE(col.ok()) << col.status().ToString();
  EXPECT_EQ(col->null_count(), 3);
  auto plain = col->DecodeDictionary();
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->is_dictionary());
  EXPECT_TRUE(plain->Equals(*Column::MakeNull(Type::kString, 3)));
  auto zero = Column::MakeDictionary(0, Codes({}), empty);
  ASSERT_TRUE(zero.ok());
  EXPECT_EQ(zero->length(), 0);
  EXPECT_EQ(zero->DecodeDictionary()->length(), 0);
}

TEST(DictionaryColumnTest, SlicesAndDecodeAcrossSizes) {
  for (bool with_nulls : {false, true}) {
    for (int64_t n : {0, 1, 7, 8, 31, 32, 127, 128, 129, 1023, 1024, 1025}) {
      const uint64_t seed = static_cast<uint64_t>(n) * 31 + with_nulls;
      Pair p = RandomPair(n, 1 + static_cast<int>(n % 17), seed, with_nulls);
      SCOPED_TRACE("n=" + std::to_string(n) + " nulls=" + std::to_string(with_nulls) + " seed=" + std::to_string(seed));
      ASSERT_TRUE(p.dict.Equals(p.plain));
      for (int64_t off : {int64_t{0}, int64_t{1}, int64_t{7}, n / 3}) {
        for (int64_t len : {int64_t{0}, int64_t{1}, n / 2, n}) {
          Column ds = p.dict.Slice(off, len);
          Column ps = p.plain.Slice(off, len);
          ASSERT_TRUE(ds.is_dictionary());
          EXPECT_EQ(ds.dictionary().get(), p.dict.dictionary().get());
          ASSERT_EQ(ds.length(), ps.length());
          EXPECT_EQ(ds.null_count(), ps.null_count());
          ASSERT_TRUE(ds.Equals(ps)) << "off=" << off << " len=" << len;
          for (int64_t i = 0; i < ds.length(); ++i) {
            if (ds.IsValid(i)) {
              ASSERT_EQ(ds.GetString(i), ps.GetString(i)) << i;
            }
          }
          auto decoded = ds.DecodeDictionary();
          ASSERT_TRUE(decoded.ok());
          EXPECT_FALSE(decoded->is_dictionary());
          EXPECT_EQ(decoded->offset(), 0);
          EXPECT_EQ(decoded->null_count(), ps.null_count());
          ASSERT_TRUE(decoded->Equals(ps)) << "off=" << off << " len=" << len;
          // Plain strings of null rows are empty.
          for (int64_t i = 0; i < decoded->length(); ++i) {
            if (decoded->IsNull(i)) {
              EXPECT_EQ(decoded->GetString(i), "");
            }
          }
        }
      }
    }
  }
}

TEST(DictionaryColumnTest, DecodeOfPlainSharesBuffers) {
  auto plain = ColumnFromVector<std::string>(Type::kString, {"a", "bc"}).ValueOrDie();
  auto same = plain.DecodeDictionary();
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->values_buffer().get(), plain.values_buffer().get());
  EXPECT_EQ(same->data_buffer().get(), plain.data_buffer().get());
}

TEST(DictionaryColumnTest, ConcatenateSharedDictionaryKeepsIt) {
  Pair p = RandomPair(1025, 13, 7, true);
  std::vector<Column> parts = {p.dict.Slice(0, 100), p.dict.Slice(100, 0), p.dict.Slice(100, 925)};
  auto cat = ConcatenateColumns(parts);
  ASSERT_TRUE(cat.ok()) << cat.status().ToString();
  ASSERT_TRUE(cat->is_dictionary());
  EXPECT_EQ(cat->dictionary().get(), p.dict.dictionary().get());
  EXPECT_TRUE(cat->Equals(p.plain));
}

TEST(DictionaryColumnTest, ConcatenateDistinctDictionariesRebasesCodes) {
  Pair a = RandomPair(129, 5, 1, true);
  Pair b = RandomPair(1024, 9, 2, false);
  Pair c = RandomPair(7, 0, 3, true);  // all null, empty dictionary
  Pair d = RandomPair(33, 3, 4, true);
  std::vector<Column> dict_parts = {a.dict, b.dict, c.dict, a.dict.Slice(3, 50), d.dict};
  std::vector<Column> plain_parts = {a.plain, b.plain, c.plain, a.plain.Slice(3, 50), d.plain};
  auto expect = ConcatenateColumns(plain_parts);
  ASSERT_TRUE(expect.ok());
  auto cat = ConcatenateColumns(dict_parts);
  ASSERT_TRUE(cat.ok()) << cat.status().ToString();
  ASSERT_TRUE(cat->is_dictionary());
  EXPECT_EQ(cat->dictionary()->length(), 5 + 9 + 0 + 3);  // a's dictionary is taken once
  EXPECT_EQ(cat->null_count(), expect->null_count());
  EXPECT_TRUE(cat->Equals(*expect));
  // Mixed plain and dictionary parts come out plain.
  std::vector<Column> mixed = {a.dict, b.plain, c.dict, d.plain};
  std::vector<Column> mixed_plain = {a.plain, b.plain, c.plain, d.plain};
  auto mcat = ConcatenateColumns(mixed);
  ASSERT_TRUE(mcat.ok()) << mcat.status().ToString();
  EXPECT_FALSE(mcat->is_dictionary());
  EXPECT_TRUE(mcat->Equals(*ConcatenateColumns(mixed_plain)));
}

}  // namespace
}  // namespace edgepipe
