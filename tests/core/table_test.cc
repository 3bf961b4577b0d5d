#include "edgepipe/core/table.h"

#include <gtest/gtest.h>

namespace edgepipe {
namespace {

std::shared_ptr<const Schema> TwoCols() {
  return std::make_shared<Schema>(std::vector<Field>{{"id", Type::kString, true}, {"v", Type::kFloat32, true}});
}

RecordBatch MakeBatch(std::vector<std::string> ids, std::vector<float> vs, std::vector<bool> valid = {}) {
  auto a = ColumnFromVector(Type::kString, ids, valid);
  auto b = ColumnFromVector(Type::kFloat32, vs);
  EXPECT_TRUE(a.ok() && b.ok());
  auto batch = RecordBatch::Make(TwoCols(), {*a, *b});
  EXPECT_TRUE(batch.ok());
  return *batch;
}

TEST(RecordBatchTest, RejectsMismatchedColumns) {
  auto a = ColumnFromVector(Type::kString, std::vector<std::string>{"x"});
  auto b = ColumnFromVector(Type::kFloat32, std::vector<float>{1, 2});
  auto batch = RecordBatch::Make(TwoCols(), {*a, *b});
  EXPECT_TRUE(batch.status().IsInvalidArgument());
  auto c = ColumnFromVector(Type::kInt32, std::vector<int32_t>{1});
  EXPECT_TRUE(RecordBatch::Make(TwoCols(), {*a, *c}).status().IsInvalidArgument());
}

TEST(TableTest, ConcatenateAcrossBatchesAndSlices) {
  Table t(TwoCols());
  ASSERT_TRUE(t.Append(MakeBatch({"a", "bb"}, {1, 2})).ok());
  ASSERT_TRUE(t.Append(MakeBatch({"ccc", "d", "e"}, {3, 4, 5}, {true, false, true}).Slice(1, 2)).ok());
  EXPECT_EQ(t.num_rows(), 4);
  auto all = t.Concatenate();
  ASSERT_TRUE(all.ok());
  const Column& ids = all->column(0);
  EXPECT_EQ(ids.GetString(0), "a");
  EXPECT_EQ(ids.GetString(1), "bb");
  EXPECT_TRUE(ids.IsNull(2));
  EXPECT_EQ(ids.GetString(3), "e");
  EXPECT_EQ(ids.null_count(), 1);
  EXPECT_EQ(all->column(1).values<float>()[3], 5.0f);

  Table one(TwoCols());
  ASSERT_TRUE(one.Append(*all).ok());
  EXPECT_TRUE(one.Equals(t));
  Table other(TwoCols());
  ASSERT_TRUE(other.Append(MakeBatch({"a", "bb", "x", "e"}, {1, 2, 4, 5})).ok());
  EXPECT_FALSE(other.Equals(t));  // row 2 is a value, not a null
}

TEST(SchemaTest, LookupErrorsListColumns) {
  Schema s = *TwoCols();
  EXPECT_EQ(s.FieldIndex("v"), 1);
  auto r = s.GetFieldIndex("w");
  ASSERT_TRUE(r.status().IsNotFound());
  EXPECT_NE(r.status().message().find("columns are: id, v"), std::string::npos);
  EXPECT_TRUE(ParseType("f32").ok());
  EXPECT_TRUE(ParseType("float128").status().IsInvalidArgument());
}

}  // namespace
}  // namespace edgepipe
