# The libFuzzer target over the C ABI (Tests/fuzz/fuzz_cabi.cpp), built only with -DWINBACKUP_FUZZ=ON
# and the toolchain's clang; scripts/fuzz.sh configures such a build (the library with ASan and
# libFuzzer's coverage instrumentation) and runs it.
add_executable(fuzz_cabi ${PROJECT_SOURCE_DIR}/Tests/fuzz/fuzz_cabi.cpp)
target_include_directories(fuzz_cabi PRIVATE ${PROJECT_SOURCE_DIR}/include)
target_compile_options(fuzz_cabi PRIVATE -fsanitize=fuzzer,address -Wall -Wextra)
target_link_options(fuzz_cabi PRIVATE -fsanitize=fuzzer,address)
target_link_libraries(fuzz_cabi PRIVATE winbackup)
