# ONNX importer (protobuf decode, initializer checks, shape inference) and an
# export/re-import round trip of what it accepts. Seed corpus: fuzz/corpus/onnx_import/.
edgepipe_add_fuzzer(onnx_import_fuzz ${CMAKE_CURRENT_SOURCE_DIR}/onnx_import_fuzz.cc edgepipe_nn)
