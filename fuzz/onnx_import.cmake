# ONNX importer (protobuf decode, initializer checks, shape inference) and an
# export/re-import round trip of what it accepts, then the graph passes (constant folding
# runs kernels). Seed corpus: fuzz/corpus/onnx_import/ (the zoo models plus the
# coverage-minimized output of fuzz/onnx_seed_models.py).
edgepipe_add_fuzzer(onnx_import_fuzz ${CMAKE_CURRENT_SOURCE_DIR}/onnx_import_fuzz.cc edgepipe_nn)
