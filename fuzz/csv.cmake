# CSV reader and writer: arbitrary text under four dialects, tiny block
# sizes, inference and forced types. Seed corpus: fuzz/corpus/csv/.
edgepipe_add_fuzzer(csv_fuzz ${CMAKE_CURRENT_SOURCE_DIR}/csv_fuzz.cc edgepipe_csv)
