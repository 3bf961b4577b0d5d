#include "edgepipe/core/column.h"

#include <gtest/gtest.h>

#include <random>

namespace edgepipe {
namespace {

TEST(ColumnBuilderTest, NumericWithNullsAcrossGrowth) {
  for (int64_t n : {0, 1, 7, 8, 63, 64, 65, 1023, 1024, 1025, 10000}) {
    ColumnBuilder b(Type::kInt64);
    std::mt19937_64 rng(static_cast<uint64_t>(n));
    std::vector<int64_t> expect(static_cast<size_t>(n));
    std::vector<bool> valid(static_cast<size_t>(n));
    int64_t nulls = 0;
    for (int64_t i = 0; i < n; ++i) {
      valid[i] = rng() % 5 != 0;
      expect[i] = static_cast<int64_t>(rng());
      if (valid[i]) {
        ASSERT_TRUE(b.Append(expect[i]).ok());
      } else {
        ASSERT_TRUE(b.AppendNull().ok());
        ++nulls;
      }
    }
    auto col = b.Finish();
    ASSERT_TRUE(col.ok()) << n;
    EXPECT_EQ(col->length(), n);
    EXPECT_EQ(col->null_count(), nulls) << "n=" << n;
    for (int64_t i = 0; i < n; ++i) {
      ASSERT_EQ(col->IsValid(i), valid[i]) << "n=" << n << " i=" << i;
      if (valid[i]) {
        ASSERT_EQ(col->values<int64_t>()[i], expect[i]);
      }
    }
  }
}

TEST(ColumnBuilderTest, StringsAndSlices) {
  std::vector<std::string> values = {"imu-00", "", "λ-sensor", "a,b", "x"};
  auto col = ColumnFromVector(Type::kString, values, {true, true, false, true, true});
  ASSERT_TRUE(col.ok());
  EXPECT_EQ(col->null_count(), 1);
  EXPECT_EQ(col->GetString(0), "imu-00");
  EXPECT_EQ(col->GetString(1), "");
  EXPECT_TRUE(col->IsNull(2));
  EXPECT_EQ(col->GetString(3), "a,b");
  Column s = col->Slice(2, 2);
  EXPECT_EQ(s.length(), 2);
  EXPECT_EQ(s.null_count(), 1);
  EXPECT_TRUE(s.IsNull(0));
  EXPECT_EQ(s.GetString(1), "a,b");
  EXPECT_EQ(s.ValueToString(0), "null");
}

TEST(ColumnBuilderTest, BoolBits) {
  std::vector<bool> values;
  for (int i = 0; i < 77; ++i) values.push_back(i % 3 == 0);
  auto col = ColumnFromVector(Type::kBool, values);
  ASSERT_TRUE(col.ok());
  for (int i = 0; i < 77; ++i) EXPECT_EQ(col->GetBool(i), i % 3 == 0) << i;
  EXPECT_EQ(col->null_count(), 0);
  EXPECT_EQ(col->validity_bits(), nullptr);
}

TEST(ColumnTest, EqualsComparesFloatBitsAndNulls) {
  auto a = ColumnFromVector(Type::kFloat64, std::vector<double>{0.0, 1.5, 2.0}, {true, true, false});
  auto b = ColumnFromVector(Type::kFloat64, std::vector<double>{-0.0, 1.5, 7.0}, {true, true, false});
  auto c = ColumnFromVector(Type::kFloat64, std::vector<double>{0.0, 1.5, 7.0}, {true, true, false});
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_FALSE(a->Equals(*b));  // -0.0 differs bitwise
  EXPECT_TRUE(a->Equals(*c));   // value under a null is ignored
}

TEST(BitUtilTest, CountAndCopyAtOddOffsets) {
  std::vector<uint8_t> bits(40);
  std::mt19937 rng(7);
  for (auto& b : bits) b = static_cast<uint8_t>(rng());
  for (int64_t off : {0, 1, 5, 8, 13}) {
    for (int64_t len : {0, 1, 7, 64, 65, 200}) {
      int64_t naive = 0;
      for (int64_t i = 0; i < len; ++i) naive += bit_util::GetBit(bits.data(), off + i);
      EXPECT_EQ(bit_util::CountSetBits(bits.data(), off, len), naive) << off << " " << len;
      std::vector<uint8_t> dst(40, 0);
      bit_util::CopyBitmap(bits.data(), off, len, dst.data(), 3);
      for (int64_t i = 0; i < len; ++i) ASSERT_EQ(bit_util::GetBit(dst.data(), 3 + i), bit_util::GetBit(bits.data(), off + i));
    }
  }
}

}  // namespace
}  // namespace edgepipe

namespace edgepipe {
namespace {

TEST(BufferTest, LargeBlocksAreReusedAndZeroedOnRequest) {
  const uint8_t* first = nullptr;
  {
    auto a = Buffer::Allocate(size_t{8} << 20);
    ASSERT_TRUE(a.ok());
    first = (*a)->data();
    EXPECT_EQ(reinterpret_cast<uintptr_t>(first) % (size_t{2} << 20), 0u);  // huge-page aligned
    std::memset((*a)->mutable_data(), 0xab, (*a)->size());
  }
  auto b = Buffer::AllocateZeroed(size_t{6} << 20);  // fits the freed 8 MiB block
  ASSERT_TRUE(b.ok());
  EXPECT_EQ((*b)->data(), first);
  EXPECT_EQ((*b)->data()[12345], 0);
  auto c = Buffer::Allocate(100);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(reinterpret_cast<uintptr_t>((*c)->data()) % kBufferAlignment, 0u);
}

}  // namespace
}  // namespace edgepipe
