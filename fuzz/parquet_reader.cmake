# Parquet file reader: footer, schema, pages, every encoding and codec.
edgepipe_add_fuzzer(parquet_reader_fuzz ${CMAKE_CURRENT_SOURCE_DIR}/parquet_reader_fuzz.cc edgepipe_parquet)
