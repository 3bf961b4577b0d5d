// CompactReader / CompactWriter: hand-assembled bytes from the Thrift
// compact-protocol spec (so the reader is not only checked against our own
// writer), round trips across size boundaries, and malformed input.

#include "parquet/thrift/compact_protocol.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <string>
#include <vector>

namespace edgepipe::parquet::thrift {
namespace {

std::vector<uint8_t> Bytes(std::initializer_list<int> values) {
  std::vector<uint8_t> out;
  for (int v : values) out.push_back(static_cast<uint8_t>(v));
  return out;
}

CompactReader ReaderOf(const std::vector<uint8_t>& bytes) {
  return CompactReader(bytes.data(), bytes.size());
}

// --------------------------------------------------------------------------
// Hand-assembled values (numbers taken from the spec's examples and rules)

TEST(CompactReaderTest, VarintSpecExample) {
  // The spec encodes 50399 as DF 89 03.
  auto bytes = Bytes({0xDF, 0x89, 0x03});
  CompactReader r = ReaderOf(bytes);
  uint32_t v = 0;
  ASSERT_TRUE(r.ReadVarint32(&v).ok());
  EXPECT_EQ(v, 50399u);
  EXPECT_EQ(r.position(), 3u);
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(CompactReaderTest, ZigzagSpecTable) {
  // Wire 0,1,2,3,4,5 -> 0,-1,1,-2,2,-3.
  auto bytes = Bytes({0, 1, 2, 3, 4, 5});
  CompactReader r = ReaderOf(bytes);
  const int32_t expected[] = {0, -1, 1, -2, 2, -3};
  for (int32_t e : expected) {
    int32_t v = 99;
    ASSERT_TRUE(r.ReadI32(&v).ok());
    EXPECT_EQ(v, e);
  }
}

TEST(CompactReaderTest, ZigzagExtremes) {
  // INT32_MIN zigzags to 0xFFFFFFFF: FF FF FF FF 0F. INT32_MAX to 0xFFFFFFFE.
  auto bytes = Bytes({0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0xFE, 0xFF, 0xFF, 0xFF, 0x0F});
  CompactReader r = ReaderOf(bytes);
  int32_t v;
  ASSERT_TRUE(r.ReadI32(&v).ok());
  EXPECT_EQ(v, std::numeric_limits<int32_t>::min());
  ASSERT_TRUE(r.ReadI32(&v).ok());
  EXPECT_EQ(v, std::numeric_limits<int32_t>::max());

  // INT64_MIN: zigzag 0xFFFF...FF, 10 bytes ending in 0x01.
  auto bytes64 = Bytes({0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01});
  CompactReader r64 = ReaderOf(bytes64);
  int64_t v64;
  ASSERT_TRUE(r64.ReadI64(&v64).ok());
  EXPECT_EQ(v64, std::numeric_limits<int64_t>::min());
}

TEST(CompactReaderTest, DoubleIsLittleEndian) {
  // 1.5 = 0x3FF8000000000000, least significant byte first.
  auto bytes = Bytes({0, 0, 0, 0, 0, 0, 0xF8, 0x3F});
  CompactReader r = ReaderOf(bytes);
  double d = 0;
  ASSERT_TRUE(r.ReadDouble(&d).ok());
  EXPECT_EQ(d, 1.5);
}

TEST(CompactReaderTest, StructWithShortAndLongFieldHeaders) {
  auto bytes = Bytes({
      0x15, 0x54,        // id 1 (delta 1), i32, zigzag 84 -> 42
      0x11,              // id 2 (delta 1), bool true
      0x22,              // id 4 (delta 2), bool false
      0x05, 0x28, 0x03,  // long form: i32, id zigzag 40 -> 20, value -2
      0x08, 0x09, 0x02, 'h', 'i',  // long form: binary, id zigzag 9 -> -5, "hi"
      0xF6, 0x01,        // id 10 (delta 15 from -5), i64, value -1
      0x03, 0xC8, 0x01, 0x7F,  // long form: i8, id 100, value 127
      0x00,              // stop
  });
  CompactReader r = ReaderOf(bytes);
  ASSERT_TRUE(r.ReadStructBegin().ok());
  FieldHeader fh;
  int32_t i32;
  bool b;

  ASSERT_TRUE(r.ReadFieldHeader(&fh).ok());
  EXPECT_EQ(fh.type, CompactType::kI32);
  EXPECT_EQ(fh.id, 1);
  ASSERT_TRUE(r.ReadI32(&i32).ok());
  EXPECT_EQ(i32, 42);

  ASSERT_TRUE(r.ReadFieldHeader(&fh).ok());
  EXPECT_EQ(fh.type, CompactType::kBool);
  EXPECT_EQ(fh.id, 2);
  ASSERT_TRUE(r.ReadBool(&b).ok());
  EXPECT_TRUE(b);

  ASSERT_TRUE(r.ReadFieldHeader(&fh).ok());
  EXPECT_EQ(fh.type, CompactType::kBool);
  EXPECT_EQ(fh.id, 4);
  ASSERT_TRUE(r.ReadBool(&b).ok());
  EXPECT_FALSE(b);

  ASSERT_TRUE(r.ReadFieldHeader(&fh).ok());
  EXPECT_EQ(fh.type, CompactType::kI32);
  EXPECT_EQ(fh.id, 20);
  ASSERT_TRUE(r.ReadI32(&i32).ok());
  EXPECT_EQ(i32, -2);

  ASSERT_TRUE(r.ReadFieldHeader(&fh).ok());
  EXPECT_EQ(fh.type, CompactType::kBinary);
  EXPECT_EQ(fh.id, -5);
  std::string_view sv;
  ASSERT_TRUE(r.ReadBinary(&sv).ok());
  EXPECT_EQ(sv, "hi");

  ASSERT_TRUE(r.ReadFieldHeader(&fh).ok());
  EXPECT_EQ(fh.type, CompactType::kI64);
  EXPECT_EQ(fh.id, 10);
  int64_t i64;
  ASSERT_TRUE(r.ReadI64(&i64).ok());
  EXPECT_EQ(i64, -1);

  ASSERT_TRUE(r.ReadFieldHeader(&fh).ok());
  EXPECT_EQ(fh.type, CompactType::kI8);
  EXPECT_EQ(fh.id, 100);
  int8_t i8;
  ASSERT_TRUE(r.ReadI8(&i8).ok());
  EXPECT_EQ(i8, 127);

  ASSERT_TRUE(r.ReadFieldHeader(&fh).ok());
  EXPECT_EQ(fh.type, CompactType::kStop);
  r.ReadStructEnd();
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(CompactReaderTest, NestedStructRestoresFieldIdContext) {
  auto bytes = Bytes({
      0x3C,        // id 3, struct
      0x15, 0x02,  //   id 1, i32 1
      0x00,        //   stop
      0x15, 0x04,  // id 4 (delta 1 from 3, not from the inner 1), i32 2
      0x00,
  });
  CompactReader r = ReaderOf(bytes);
  ASSERT_TRUE(r.ReadStructBegin().ok());
  FieldHeader fh;
  ASSERT_TRUE(r.ReadFieldHeader(&fh).ok());
  EXPECT_EQ(fh.id, 3);
  ASSERT_TRUE(r.Skip(fh.type).ok());
  ASSERT_TRUE(r.ReadFieldHeader(&fh).ok());
  EXPECT_EQ(fh.id, 4);
  int32_t v;
  ASSERT_TRUE(r.ReadI32(&v).ok());
  EXPECT_EQ(v, 2);
  ASSERT_TRUE(r.ReadFieldHeader(&fh).ok());
  EXPECT_EQ(fh.type, CompactType::kStop);
  r.ReadStructEnd();
}

TEST(CompactReaderTest, ListHeadersShortAndLong) {
  auto bytes = Bytes({
      0x35, 0x02, 0x04, 0x06,  // list<i32> size 3: 1, 2, 3
      0xF8, 0x0F,              // list<binary> long form size 15
  });
  for (int i = 0; i < 15; ++i) {
    bytes.push_back(1);
    bytes.push_back(static_cast<uint8_t>('a' + i));
  }
  CompactReader r = ReaderOf(bytes);
  ListHeader lh;
  ASSERT_TRUE(r.ReadListHeader(&lh).ok());
  EXPECT_EQ(lh.elem_type, CompactType::kI32);
  EXPECT_EQ(lh.size, 3u);
  for (int32_t e = 1; e <= 3; ++e) {
    int32_t v;
    ASSERT_TRUE(r.ReadI32(&v).ok());
    EXPECT_EQ(v, e);
  }
  ASSERT_TRUE(r.ReadListHeader(&lh).ok());
  EXPECT_EQ(lh.elem_type, CompactType::kBinary);
  EXPECT_EQ(lh.size, 15u);
  for (int i = 0; i < 15; ++i) {
    std::string s;
    ASSERT_TRUE(r.ReadString(&s).ok());
    EXPECT_EQ(s, std::string(1, static_cast<char>('a' + i)));
  }
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(CompactReaderTest, BoolListsAllWireForms) {
  // Element type 2 (spec) with values 1/0, and element type 1 (reference
  // runtimes) with values 1/2.
  auto bytes = Bytes({0x32, 0x01, 0x00, 0x01, 0x31, 0x02, 0x01, 0x02});
  CompactReader r = ReaderOf(bytes);
  const bool expected[2][3] = {{true, false, true}, {false, true, false}};
  for (const auto& list : expected) {
    ListHeader lh;
    ASSERT_TRUE(r.ReadListHeader(&lh).ok());
    EXPECT_EQ(lh.elem_type, CompactType::kBool);
    ASSERT_EQ(lh.size, 3u);
    for (bool e : list) {
      bool b;
      ASSERT_TRUE(r.ReadBool(&b).ok());
      EXPECT_EQ(b, e);
    }
  }
  EXPECT_EQ(r.remaining(), 0u);

  auto bad = Bytes({0x11, 0x03});  // bool element 3 is not a bool
  CompactReader rb = ReaderOf(bad);
  ListHeader lh;
  ASSERT_TRUE(rb.ReadListHeader(&lh).ok());
  bool b;
  Status st = rb.ReadBool(&b);
  EXPECT_TRUE(st.IsCorruption()) << st.ToString();
}

TEST(CompactReaderTest, BoolFieldThenBoolListElements) {
  // A bool field's value lives in its header; the list after it must read
  // its element bytes, not the pending field value.
  auto bytes = Bytes({0x11, 0x19, 0x21, 0x01, 0x02, 0x00});
  CompactReader r = ReaderOf(bytes);
  ASSERT_TRUE(r.ReadStructBegin().ok());
  FieldHeader fh;
  ASSERT_TRUE(r.ReadFieldHeader(&fh).ok());
  ASSERT_EQ(fh.type, CompactType::kBool);
  bool b = false;
  ASSERT_TRUE(r.ReadBool(&b).ok());
  EXPECT_TRUE(b);
  ASSERT_TRUE(r.ReadFieldHeader(&fh).ok());
  ASSERT_EQ(fh.type, CompactType::kList);
  EXPECT_EQ(fh.id, 2);
  ListHeader lh;
  ASSERT_TRUE(r.ReadListHeader(&lh).ok());
  ASSERT_EQ(lh.size, 2u);
  ASSERT_TRUE(r.ReadBool(&b).ok());
  EXPECT_TRUE(b);
  ASSERT_TRUE(r.ReadBool(&b).ok());
  EXPECT_FALSE(b);
  ASSERT_TRUE(r.ReadFieldHeader(&fh).ok());
  EXPECT_EQ(fh.type, CompactType::kStop);
}

TEST(CompactReaderTest, MapHeaders) {
  auto bytes = Bytes({
      0x00,                    // empty map
      0x02, 0x58, 0x02, 0x01, 'a', 0x04, 0x01, 'b',  // map<i32, binary> {1:"a", 2:"b"}
  });
  CompactReader r = ReaderOf(bytes);
  MapHeader mh;
  ASSERT_TRUE(r.ReadMapHeader(&mh).ok());
  EXPECT_EQ(mh.size, 0u);
  ASSERT_TRUE(r.ReadMapHeader(&mh).ok());
  EXPECT_EQ(mh.size, 2u);
  EXPECT_EQ(mh.key_type, CompactType::kI32);
  EXPECT_EQ(mh.value_type, CompactType::kBinary);
  for (int i = 1; i <= 2; ++i) {
    int32_t k;
    std::string v;
    ASSERT_TRUE(r.ReadI32(&k).ok());
    ASSERT_TRUE(r.ReadString(&v).ok());
    EXPECT_EQ(k, i);
    EXPECT_EQ(v, std::string(1, static_cast<char>('a' + i - 1)));
  }
  EXPECT_EQ(r.remaining(), 0u);
}

// --------------------------------------------------------------------------
// Writer -> reader round trips

TEST(CompactRoundTripTest, VarintBoundaries) {
  std::vector<uint64_t> values;
  for (int bits = 0; bits <= 64; ++bits) {
    const uint64_t p = bits == 64 ? 0 : uint64_t{1} << bits;
    for (int64_t d : {-1, 0, 1}) values.push_back(p + static_cast<uint64_t>(d));
  }
  std::string buf;
  CompactWriter w(&buf);
  for (uint64_t v : values) w.WriteVarint64(v);
  CompactReader r(reinterpret_cast<const uint8_t*>(buf.data()), buf.size());
  for (uint64_t v : values) {
    const size_t before = r.position();
    uint64_t got;
    ASSERT_TRUE(r.ReadVarint64(&got).ok()) << v;
    EXPECT_EQ(got, v);
    // Length: ceil(significant bits / 7), at least 1.
    int sig = 0;
    for (uint64_t t = v; t; t >>= 1) ++sig;
    EXPECT_EQ(r.position() - before, static_cast<size_t>(sig == 0 ? 1 : (sig + 6) / 7)) << v;
  }
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(CompactRoundTripTest, SignedIntegersIncludingNegative) {
  const int64_t values64[] = {0, 1, -1, 2, -2, 63, -64, 64, -65, 127, 128, -129, 1023, -1024,
                              1 << 20, -(1 << 20), INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN,
                              -1234567890123LL};
  std::string buf;
  CompactWriter w(&buf);
  for (int64_t v : values64) w.WriteI64(v);
  for (int64_t v : values64) {
    if (v >= INT32_MIN && v <= INT32_MAX) w.WriteI32(static_cast<int32_t>(v));
  }
  for (int16_t v : {int16_t{0}, int16_t{-1}, int16_t{INT16_MIN}, int16_t{INT16_MAX}}) w.WriteI16(v);
  for (int8_t v : {int8_t{0}, int8_t{-1}, int8_t{INT8_MIN}, int8_t{INT8_MAX}}) w.WriteI8(v);
  for (double d : {0.0, -0.0, 1.5, -3.25e300, std::numeric_limits<double>::infinity()}) w.WriteDouble(d);

  CompactReader r(reinterpret_cast<const uint8_t*>(buf.data()), buf.size());
  for (int64_t v : values64) {
    int64_t got;
    ASSERT_TRUE(r.ReadI64(&got).ok());
    EXPECT_EQ(got, v);
  }
  for (int64_t v : values64) {
    if (v < INT32_MIN || v > INT32_MAX) continue;
    int32_t got;
    ASSERT_TRUE(r.ReadI32(&got).ok());
    EXPECT_EQ(got, v);
  }
  for (int16_t v : {int16_t{0}, int16_t{-1}, int16_t{INT16_MIN}, int16_t{INT16_MAX}}) {
    int16_t got;
    ASSERT_TRUE(r.ReadI16(&got).ok());
    EXPECT_EQ(got, v);
  }
  for (int8_t v : {int8_t{0}, int8_t{-1}, int8_t{INT8_MIN}, int8_t{INT8_MAX}}) {
    int8_t got;
    ASSERT_TRUE(r.ReadI8(&got).ok());
    EXPECT_EQ(got, v);
  }
  for (double d : {0.0, -0.0, 1.5, -3.25e300, std::numeric_limits<double>::infinity()}) {
    double got;
    ASSERT_TRUE(r.ReadDouble(&got).ok());
    EXPECT_EQ(got, d);
    EXPECT_EQ(std::signbit(got), std::signbit(d));
  }
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(CompactRoundTripTest, FieldIdsAcrossDeltaBoundaries) {
  // Deltas 1..15 use the short form; 16+, zero, negative and backwards use the long form.
  const int16_t ids[] = {1, 2, 16, 17, 32, 47, 48, 300, 315, 316, 10, -3, -2, INT16_MAX, INT16_MIN, 0};
  std::string buf;
  CompactWriter w(&buf);
  w.WriteStructBegin();
  for (int16_t id : ids) w.WriteFieldI32(id, id * 3);
  w.WriteStructEnd();
  CompactReader r(reinterpret_cast<const uint8_t*>(buf.data()), buf.size());
  ASSERT_TRUE(r.ReadStructBegin().ok());
  int32_t prev = 0;
  for (int16_t id : ids) {
    FieldHeader fh;
    const size_t before = r.position();
    ASSERT_TRUE(r.ReadFieldHeader(&fh).ok());
    EXPECT_EQ(fh.id, id);
    EXPECT_EQ(fh.type, CompactType::kI32);
    EXPECT_EQ(buf[before] & 0x0f, 5);
    const int32_t delta = id - prev;
    const int expected_nibble = delta >= 1 && delta <= 15 ? delta : 0;  // 0: long form
    EXPECT_EQ(static_cast<uint8_t>(buf[before]) >> 4, expected_nibble) << "id " << id;
    prev = id;
    int32_t v;
    ASSERT_TRUE(r.ReadI32(&v).ok());
    EXPECT_EQ(v, id * 3);
  }
  FieldHeader fh;
  ASSERT_TRUE(r.ReadFieldHeader(&fh).ok());
  EXPECT_EQ(fh.type, CompactType::kStop);
  EXPECT_EQ(r.remaining(), 0u);
  // First field id 1: short form 0x15.
  EXPECT_EQ(static_cast<uint8_t>(buf[0]), 0x15);
  // Field 16 follows 2 (delta 14): still short form 0xE5 (after 15 06 15 0C).
  EXPECT_EQ(static_cast<uint8_t>(buf[4]), 0xE5);
}

TEST(CompactRoundTripTest, ListSizesAcrossBoundaries) {
  for (uint32_t n : {0u, 1u, 7u, 8u, 14u, 15u, 16u, 31u, 32u, 127u, 128u, 129u, 1023u, 1024u, 1025u}) {
    SCOPED_TRACE(n);
    std::string buf;
    CompactWriter w(&buf);
    w.WriteListHeader(CompactType::kI64, n);
    for (uint32_t i = 0; i < n; ++i) w.WriteI64(-static_cast<int64_t>(i) * 1000003);
    w.WriteListHeader(CompactType::kBool, n);
    for (uint32_t i = 0; i < n; ++i) w.WriteBool(i % 3 == 0);
    w.WriteSetHeader(CompactType::kBinary, n);
    for (uint32_t i = 0; i < n; ++i) w.WriteBinary(std::string(i % 5, 'x'));
    w.WriteMapHeader(CompactType::kI16, CompactType::kDouble, n);
    for (uint32_t i = 0; i < n; ++i) {
      w.WriteI16(static_cast<int16_t>(i));
      w.WriteDouble(i * 0.5);
    }
    // Header form: short (1 byte) below 15.
    EXPECT_EQ((static_cast<uint8_t>(buf[0]) >> 4) == 15, n >= 15);

    CompactReader r(reinterpret_cast<const uint8_t*>(buf.data()), buf.size());
    ListHeader lh;
    ASSERT_TRUE(r.ReadListHeader(&lh).ok());
    EXPECT_EQ(lh.size, n);
    EXPECT_EQ(lh.elem_type, CompactType::kI64);
    for (uint32_t i = 0; i < n; ++i) {
      int64_t v;
      ASSERT_TRUE(r.ReadI64(&v).ok());
      ASSERT_EQ(v, -static_cast<int64_t>(i) * 1000003);
    }
    ASSERT_TRUE(r.ReadListHeader(&lh).ok());
    EXPECT_EQ(lh.size, n);
    EXPECT_EQ(lh.elem_type, CompactType::kBool);
    for (uint32_t i = 0; i < n; ++i) {
      bool b;
      ASSERT_TRUE(r.ReadBool(&b).ok());
      ASSERT_EQ(b, i % 3 == 0);
    }
    ASSERT_TRUE(r.ReadListHeader(&lh).ok());
    EXPECT_EQ(lh.size, n);
    for (uint32_t i = 0; i < n; ++i) {
      std::string s;
      ASSERT_TRUE(r.ReadString(&s).ok());
      ASSERT_EQ(s.size(), i % 5);
    }
    MapHeader mh;
    ASSERT_TRUE(r.ReadMapHeader(&mh).ok());
    EXPECT_EQ(mh.size, n);
    for (uint32_t i = 0; i < n; ++i) {
      int16_t k;
      double d;
      ASSERT_TRUE(r.ReadI16(&k).ok());
      ASSERT_TRUE(r.ReadDouble(&d).ok());
      ASSERT_EQ(k, static_cast<int16_t>(i));
      ASSERT_EQ(d, i * 0.5);
    }
    EXPECT_EQ(r.remaining(), 0u);
  }
}

// --------------------------------------------------------------------------
// Skip

// Writes one field of every type, containers nested inside containers.
void WriteEveryType(CompactWriter& w, int16_t first_id) {
  int16_t id = first_id;
  w.WriteFieldBool(id++, true);
  w.WriteFieldBool(id++, false);
  w.WriteFieldI8(id++, -7);
  w.WriteFieldI16(id++, -300);
  w.WriteFieldI32(id++, -70000);
  w.WriteFieldI64(id++, INT64_MIN);
  w.WriteFieldHeader(CompactType::kDouble, id++);
  w.WriteDouble(2.5);
  w.WriteFieldBinary(id++, std::string(200, 'b'));
  w.WriteFieldHeader(CompactType::kUuid, id++);
  const uint8_t uuid[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  w.WriteUuid(uuid);
  // list<bool> (20 elements, long form)
  w.WriteFieldHeader(CompactType::kList, id++);
  w.WriteListHeader(CompactType::kBool, 20);
  for (int i = 0; i < 20; ++i) w.WriteBool(i & 1);
  // set<binary>
  w.WriteFieldHeader(CompactType::kSet, id++);
  w.WriteSetHeader(CompactType::kBinary, 2);
  w.WriteBinary("x");
  w.WriteBinary("");
  // map<i32, struct{ list<list<struct{bool, double}>> }>
  w.WriteFieldHeader(CompactType::kMap, id++);
  w.WriteMapHeader(CompactType::kI32, CompactType::kStruct, 2);
  for (int k = 0; k < 2; ++k) {
    w.WriteI32(k);
    w.WriteStructBegin();
    w.WriteFieldHeader(CompactType::kList, 1);
    w.WriteListHeader(CompactType::kList, 2);
    for (int j = 0; j < 2; ++j) {
      w.WriteListHeader(CompactType::kStruct, 16);
      for (int m = 0; m < 16; ++m) {
        w.WriteStructBegin();
        w.WriteFieldBool(1, m % 2 == 0);
        w.WriteFieldHeader(CompactType::kDouble, 40);
        w.WriteDouble(m);
        w.WriteStructEnd();
      }
    }
    w.WriteStructEnd();
  }
  // map<binary, map<i8, list<i64>>> and an empty map
  w.WriteFieldHeader(CompactType::kMap, id++);
  w.WriteMapHeader(CompactType::kBinary, CompactType::kMap, 1);
  w.WriteBinary("outer");
  w.WriteMapHeader(CompactType::kI8, CompactType::kList, 1);
  w.WriteI8(3);
  w.WriteListHeader(CompactType::kI64, 3);
  for (int64_t v : {-1LL, 0LL, 1LL << 40}) w.WriteI64(v);
  w.WriteFieldHeader(CompactType::kMap, id++);
  w.WriteMapHeader(CompactType::kI32, CompactType::kI32, 0);
  // map<bool, bool>
  w.WriteFieldHeader(CompactType::kMap, id++);
  w.WriteMapHeader(CompactType::kBool, CompactType::kBool, 2);
  w.WriteBool(true);
  w.WriteBool(false);
  w.WriteBool(false);
  w.WriteBool(true);
  // nested struct with its own unknown fields, with a long-form id
  w.WriteFieldHeader(CompactType::kStruct, static_cast<int16_t>(id + 100));
  w.WriteStructBegin();
  w.WriteFieldI32(1, 5);
  w.WriteFieldHeader(CompactType::kStruct, 2);
  w.WriteStructBegin();
  w.WriteFieldBool(3, true);
  w.WriteStructEnd();
  w.WriteStructEnd();
}

TEST(CompactSkipTest, SkipsEveryTypeAndLandsOnNextField) {
  std::string buf;
  CompactWriter w(&buf);
  w.WriteStructBegin();
  WriteEveryType(w, 1);
  w.WriteFieldBinary(1000, "marker");
  w.WriteStructEnd();

  CompactReader r(reinterpret_cast<const uint8_t*>(buf.data()), buf.size());
  ASSERT_TRUE(r.ReadStructBegin().ok());
  int skipped = 0;
  while (true) {
    FieldHeader fh;
    ASSERT_TRUE(r.ReadFieldHeader(&fh).ok());
    ASSERT_NE(fh.type, CompactType::kStop) << "marker not found";
    if (fh.id == 1000) {
      std::string s;
      ASSERT_TRUE(r.ReadString(&s).ok());
      EXPECT_EQ(s, "marker");
      break;
    }
    Status st = r.Skip(fh.type);
    ASSERT_TRUE(st.ok()) << "field " << fh.id << ": " << st.ToString();
    ++skipped;
  }
  EXPECT_EQ(skipped, 16);
  FieldHeader fh;
  ASSERT_TRUE(r.ReadFieldHeader(&fh).ok());
  EXPECT_EQ(fh.type, CompactType::kStop);
  EXPECT_EQ(r.remaining(), 0u);

  // Skipping the whole thing as one struct consumes exactly every byte, and
  // every truncation of it fails cleanly.
  CompactReader whole(reinterpret_cast<const uint8_t*>(buf.data()), buf.size());
  ASSERT_TRUE(whole.Skip(CompactType::kStruct).ok());
  EXPECT_EQ(whole.remaining(), 0u);
  for (size_t len = 0; len < buf.size(); ++len) {
    CompactReader t(reinterpret_cast<const uint8_t*>(buf.data()), len);
    Status st = t.Skip(CompactType::kStruct);
    ASSERT_TRUE(st.IsCorruption()) << "len " << len << ": " << st.ToString();
  }
}

std::string Nested(int depth, uint8_t open_byte, const std::string& innermost, uint8_t close_byte) {
  std::string s;
  for (int i = 0; i < depth - 1; ++i) s.push_back(static_cast<char>(open_byte));
  s += innermost;
  for (int i = 0; i < depth - 1; ++i) {
    if (close_byte != 0xFF) s.push_back(static_cast<char>(close_byte));
  }
  return s;
}

TEST(CompactSkipTest, NestingDepthLimit) {
  // Structs: field id 1 of type struct (0x1C), closed by stop bytes.
  for (int depth : {1, 2, 63, 64, 65, 66, 1000, 100000}) {
    SCOPED_TRACE(depth);
    std::string s = Nested(depth, 0x1C, std::string(1, '\0'), 0x00);
    CompactReader r(reinterpret_cast<const uint8_t*>(s.data()), s.size());
    Status st = r.Skip(CompactType::kStruct);
    if (depth <= CompactReader::kMaxDepth) {
      EXPECT_TRUE(st.ok()) << st.ToString();
      EXPECT_EQ(r.remaining(), 0u);
    } else {
      EXPECT_TRUE(st.IsCorruption()) << st.ToString();
      EXPECT_NE(st.message().find("nesting deeper than 64"), std::string::npos) << st.ToString();
    }
  }
  // Lists of lists: 0x19 = one element of type list; innermost 0x09 = empty list.
  for (int depth : {64, 65, 5000}) {
    SCOPED_TRACE(depth);
    std::string s = Nested(depth, 0x19, std::string(1, '\x09'), 0xFF);
    CompactReader r(reinterpret_cast<const uint8_t*>(s.data()), s.size());
    Status st = r.Skip(CompactType::kList);
    if (depth <= CompactReader::kMaxDepth) {
      EXPECT_TRUE(st.ok()) << st.ToString();
    } else {
      EXPECT_TRUE(st.IsCorruption()) << st.ToString();
    }
  }
  // Maps of maps: size 1 (0x01), key i8 value map (0x3B), key byte 0x00; innermost empty map.
  for (int depth : {64, 65, 5000}) {
    SCOPED_TRACE(depth);
    std::string s;
    for (int i = 0; i < depth - 1; ++i) s += std::string("\x01\x3B\x00", 3);
    s.push_back('\0');
    CompactReader r(reinterpret_cast<const uint8_t*>(s.data()), s.size());
    Status st = r.Skip(CompactType::kMap);
    if (depth <= CompactReader::kMaxDepth) {
      EXPECT_TRUE(st.ok()) << st.ToString();
    } else {
      EXPECT_TRUE(st.IsCorruption()) << st.ToString();
    }
  }
}

// --------------------------------------------------------------------------
// Malformed input

TEST(CompactMalformedTest, VarintLongerThanTenBytes) {
  // Eleven bytes: ten continuation bytes then a terminator.
  std::vector<uint8_t> bytes(10, 0x80);
  bytes.push_back(0x00);
  CompactReader r = ReaderOf(bytes);
  uint64_t v;
  Status st = r.ReadVarint64(&v);
  EXPECT_TRUE(st.IsCorruption()) << st.ToString();
  EXPECT_NE(st.message().find("longer than 10 bytes"), std::string::npos) << st.ToString();
  EXPECT_NE(st.message().find("offset 0"), std::string::npos) << st.ToString();

  // Ten bytes, but the 10th carries bits beyond 64.
  std::vector<uint8_t> over(9, 0xFF);
  over.push_back(0x02);
  CompactReader r2 = ReaderOf(over);
  EXPECT_TRUE(r2.ReadVarint64(&v).IsCorruption());

  // A 6-byte varint where 32 bits are expected.
  auto six = Bytes({0x80, 0x80, 0x80, 0x80, 0x80, 0x00});
  CompactReader r3 = ReaderOf(six);
  uint32_t v32;
  EXPECT_TRUE(r3.ReadVarint32(&v32).IsCorruption());
  // 5 bytes but > UINT32_MAX.
  auto big = Bytes({0xFF, 0xFF, 0xFF, 0xFF, 0x1F});
  CompactReader r4 = ReaderOf(big);
  EXPECT_TRUE(r4.ReadVarint32(&v32).IsCorruption());
  // i16 out of range.
  auto wide = Bytes({0x80, 0x80, 0x04});  // zigzag 65536 -> 32768
  CompactReader r5 = ReaderOf(wide);
  int16_t v16;
  EXPECT_TRUE(r5.ReadI16(&v16).IsCorruption());
}

TEST(CompactMalformedTest, TruncatedValues) {
  uint64_t v64;
  double d;
  std::string_view sv;
  int8_t i8;
  auto cont = Bytes({0x80, 0x80});
  CompactReader r1 = ReaderOf(cont);
  EXPECT_TRUE(r1.ReadVarint64(&v64).IsCorruption());
  auto seven = Bytes({1, 2, 3, 4, 5, 6, 7});
  CompactReader r2 = ReaderOf(seven);
  EXPECT_TRUE(r2.ReadDouble(&d).IsCorruption());
  auto bin = Bytes({0x05, 'a', 'b'});
  CompactReader r3 = ReaderOf(bin);
  Status st = r3.ReadBinary(&sv);
  EXPECT_TRUE(st.IsCorruption()) << st.ToString();
  EXPECT_NE(st.message().find("binary length 5"), std::string::npos) << st.ToString();
  CompactReader r4(nullptr, 0);
  EXPECT_TRUE(r4.ReadI8(&i8).IsCorruption());
  FieldHeader fh;
  EXPECT_TRUE(r4.ReadFieldHeader(&fh).IsCorruption());
  EXPECT_TRUE(r4.Skip(CompactType::kUuid).IsCorruption());
}

TEST(CompactMalformedTest, HugeListClaimsFailBeforeAllocating) {
  // 20-byte buffer: list<i32> claiming 2^31 elements, then 2^31 - 1.
  std::vector<uint8_t> claim31 = Bytes({0xF5, 0x80, 0x80, 0x80, 0x80, 0x08});
  claim31.resize(20, 0);
  CompactReader r = ReaderOf(claim31);
  ListHeader lh;
  Status st = r.ReadListHeader(&lh);
  EXPECT_TRUE(st.IsCorruption()) << st.ToString();

  std::vector<uint8_t> claim_max = Bytes({0xF5, 0xFF, 0xFF, 0xFF, 0xFF, 0x07});
  claim_max.resize(20, 0);
  CompactReader r2 = ReaderOf(claim_max);
  st = r2.ReadListHeader(&lh);
  EXPECT_TRUE(st.IsCorruption()) << st.ToString();
  EXPECT_NE(st.message().find("cannot fit"), std::string::npos) << st.ToString();

  // Size exactly at the remaining bytes is fine; one more is not (doubles need 8 bytes each).
  std::vector<uint8_t> doubles = Bytes({0x27});
  doubles.resize(1 + 16, 0);
  CompactReader r3 = ReaderOf(doubles);
  EXPECT_TRUE(r3.ReadListHeader(&lh).ok());
  doubles.pop_back();
  CompactReader r4 = ReaderOf(doubles);
  EXPECT_TRUE(r4.ReadListHeader(&lh).IsCorruption());

  // Maps: 2^30 entries of (i32, i32) in a few bytes.
  std::vector<uint8_t> map = Bytes({0x80, 0x80, 0x80, 0x80, 0x04, 0x55});
  map.resize(20, 0);
  CompactReader r5 = ReaderOf(map);
  MapHeader mh;
  EXPECT_TRUE(r5.ReadMapHeader(&mh).IsCorruption());
}

TEST(CompactMalformedTest, InvalidTypes) {
  for (int type : {14, 15}) {
    std::vector<uint8_t> bytes = {static_cast<uint8_t>(0x10 | type), 0};
    CompactReader r = ReaderOf(bytes);
    FieldHeader fh;
    Status st = r.ReadFieldHeader(&fh);
    EXPECT_TRUE(st.IsCorruption()) << st.ToString();
    EXPECT_NE(st.message().find("invalid field type"), std::string::npos);
  }
  for (int elem : {0, 14, 15}) {
    std::vector<uint8_t> bytes = {static_cast<uint8_t>(0x10 | elem), 0, 0};
    CompactReader r = ReaderOf(bytes);
    ListHeader lh;
    EXPECT_TRUE(r.ReadListHeader(&lh).IsCorruption()) << elem;
  }
  // Map key type 0.
  auto map = Bytes({0x01, 0x05, 0x00, 0x00});
  CompactReader rm = ReaderOf(map);
  MapHeader mh;
  EXPECT_TRUE(rm.ReadMapHeader(&mh).IsCorruption());
  // Skip(kStop) is a caller error, reported, not crashed on.
  CompactReader rs = ReaderOf(map);
  EXPECT_TRUE(rs.Skip(CompactType::kStop).IsCorruption());
}

TEST(CompactMalformedTest, FieldIdOverflow) {
  // Long form id 32767, then a short delta of 1 would make 32768.
  auto bytes = Bytes({0x05, 0xFE, 0xFF, 0x03, 0x00, 0x15, 0x00});
  CompactReader r = ReaderOf(bytes);
  ASSERT_TRUE(r.ReadStructBegin().ok());
  FieldHeader fh;
  ASSERT_TRUE(r.ReadFieldHeader(&fh).ok());
  EXPECT_EQ(fh.id, INT16_MAX);
  int32_t v;
  ASSERT_TRUE(r.ReadI32(&v).ok());
  Status st = r.ReadFieldHeader(&fh);
  EXPECT_TRUE(st.IsCorruption()) << st.ToString();
  EXPECT_NE(st.message().find("offset 5"), std::string::npos) << st.ToString();
}

}  // namespace
}  // namespace edgepipe::parquet::thrift
