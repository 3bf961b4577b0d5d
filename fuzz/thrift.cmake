# Thrift compact codec: Parquet footer + page header decoders, with a
# decode -> encode -> decode equality check. Seed corpus: fuzz/corpus/thrift/.
edgepipe_add_fuzzer(thrift_fuzz ${CMAKE_CURRENT_SOURCE_DIR}/thrift_fuzz.cc edgepipe_parquet_thrift)
