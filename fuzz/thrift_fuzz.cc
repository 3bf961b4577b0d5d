// libFuzzer target for the Thrift compact codec: the same bytes go to the
// footer decoder and the page-header decoder. Whatever decodes must
// re-encode and decode again to an equal value (kOther logical types are
// not written back, so they are normalized away first).

#include <cstddef>
#include <cstdint>
#include <string>

#include "parquet/thrift/parquet_types.h"

namespace {

using edgepipe::parquet::FileMetaData;
using edgepipe::parquet::LogicalType;
using edgepipe::parquet::PageHeader;
using edgepipe::parquet::SchemaElement;

void CheckFooterRoundTrip(const uint8_t* data, size_t size) {
  FileMetaData md;
  if (!edgepipe::parquet::DecodeFileMetaData(data, size, &md).ok()) return;
  for (SchemaElement& e : md.schema) {
    if (e.logical_type && e.logical_type->kind == LogicalType::Kind::kOther) e.logical_type.reset();
  }
  std::string bytes;
  edgepipe::parquet::EncodeFileMetaData(md, &bytes);
  FileMetaData again;
  if (!edgepipe::parquet::DecodeFileMetaData(reinterpret_cast<const uint8_t*>(bytes.data()),
                                             bytes.size(), &again)
           .ok()) {
    __builtin_trap();
  }
  if (!(again == md)) __builtin_trap();
}

void CheckPageHeaderRoundTrip(const uint8_t* data, size_t size) {
  PageHeader header;
  uint32_t header_size = 0;
  if (!edgepipe::parquet::DecodePageHeader(data, size, &header, &header_size).ok()) return;
  if (header_size > size) __builtin_trap();
  std::string bytes;
  edgepipe::parquet::EncodePageHeader(header, &bytes);
  PageHeader again;
  uint32_t again_size = 0;
  if (!edgepipe::parquet::DecodePageHeader(reinterpret_cast<const uint8_t*>(bytes.data()),
                                           bytes.size(), &again, &again_size)
           .ok()) {
    __builtin_trap();
  }
  if (again_size != bytes.size() || !(again == header)) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  CheckFooterRoundTrip(data, size);
  CheckPageHeaderRoundTrip(data, size);
  return 0;
}
