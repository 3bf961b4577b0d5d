# edgepipe_add_test(NAME SOURCES a.cc b.cc LIBS lib... LABELS unit|interop|e2e|fuzz)
# One GoogleTest executable per call, registered with ctest under its labels.
include(GoogleTest)
function(edgepipe_add_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} edgepipe_warnings GTest::gtest GTest::gtest_main)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests)
  # Where the sources (test data, peer scripts) and the built binaries are.
  target_compile_definitions(${name} PRIVATE EDGEPIPE_TEST_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
                                             EDGEPIPE_TEST_BINARY_DIR="${PROJECT_BINARY_DIR}")
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  gtest_discover_tests(${name} PROPERTIES LABELS "${ARG_LABELS}"
    ENVIRONMENT "EDGEPIPE_SOURCE_DIR=${PROJECT_SOURCE_DIR}"
    DISCOVERY_TIMEOUT 60)
endfunction()
