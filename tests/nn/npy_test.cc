// The strict .npy reader/writer.

#include <gtest/gtest.h>

#include <cstring>

#include "edgepipe/nn/npy.h"

namespace edgepipe::nn {
namespace {

TEST(NpyTest, RoundTripShapes) {
  for (const Shape& shape : std::vector<Shape>{{}, {0}, {1}, {7}, {2, 3}, {1, 3, 4, 5}, {1023, 1}}) {
    Tensor t = *Tensor::Make(DType::kF32, shape);
    for (int64_t i = 0; i < t.num_elements(); ++i) t.mutable_data_as<float>()[i] = static_cast<float>(i) * 0.5f - 3;
    auto bytes = SerializeNpy(t);
    ASSERT_TRUE(bytes.ok());
    EXPECT_EQ((bytes->size() - t.nbytes()) % 64, 0u) << "data must start 64-byte aligned";
    auto back = ParseNpy(*bytes);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(back->shape(), shape);
    EXPECT_EQ(std::memcmp(back->data(), t.data(), t.nbytes()), 0);
  }
}

TEST(NpyTest, ParsesNumpyWrittenHeader) {
  // As numpy 1.24 writes np.zeros((2,3), np.float32) (header padded to 128 bytes).
  std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  dict.append(128 - 10 - dict.size() - 1, ' ');
  dict += '\n';
  std::string file = std::string("\x93NUMPY\x01\x00", 8) + static_cast<char>(dict.size()) + '\0' + dict + std::string(24, '\0');
  auto t = ParseNpy(file);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->shape(), (Shape{2, 3}));
}

TEST(NpyTest, Errors) {
  Tensor t = *Tensor::Make(DType::kF32, {4, 4});
  const std::string good = *SerializeNpy(t);
  EXPECT_TRUE(ParseNpy("hello").status().IsCorruption());
  // Truncation at every offset: a clean Corruption.
  for (size_t len = 0; len < good.size(); ++len) {
    auto r = ParseNpy(std::string_view(good).substr(0, len));
    ASSERT_TRUE(r.status().IsCorruption()) << "length " << len << ": " << r.status().ToString();
  }
  EXPECT_TRUE(ParseNpy(good + "x").status().IsCorruption());  // trailing bytes
  std::string f8 = good;
  f8.replace(f8.find("<f4"), 3, "<f8");
  EXPECT_TRUE(ParseNpy(f8).status().IsNotSupported());
  std::string fortran = good;
  fortran.replace(fortran.find("False"), 5, "True ");
  EXPECT_TRUE(ParseNpy(fortran).status().IsNotSupported());
  std::string huge = good;
  huge.replace(huge.find("(4, 4)"), 6, "(9999999999999, 9999999999999)");
  auto r = ParseNpy(huge);
  EXPECT_FALSE(r.ok());
  std::string bad_key = good;
  bad_key.replace(bad_key.find("descr"), 5, "desce");
  EXPECT_TRUE(ParseNpy(bad_key).status().IsCorruption());
  Tensor s8 = *Tensor::Make(DType::kS8, {2});
  EXPECT_TRUE(SerializeNpy(s8).status().IsInvalidArgument());
  EXPECT_TRUE(ReadNpy("/nonexistent.npy").status().IsIOError());
}

}  // namespace
}  // namespace edgepipe::nn
