# Boundary-inward scan benchmark (directions/s; full Figures 7-8 and 9-10 runs). Included from
# bench/CMakeLists.txt after find_package(benchmark).
include(CheckCXXCompilerFlag)
check_cxx_compiler_flag(-march=native GDCERT_COMPILER_HAS_MARCH_NATIVE)
option(GDCERT_BENCH_NATIVE "Build the boundary-scan benchmark for this machine (-march=native)"
       ${GDCERT_COMPILER_HAS_MARCH_NATIVE})

add_executable(boundary_scan_bench ${CMAKE_CURRENT_LIST_DIR}/boundary_scan.bench.cpp)
target_link_libraries(boundary_scan_bench PRIVATE gdcert::gdcert gdcert_warnings
                      benchmark::benchmark_main)
if(GDCERT_BENCH_NATIVE)
  # AVX2 + FMA lanes for the scan kernel: W = 4 doubles per instruction instead of 2 (SSE2).
  target_compile_options(boundary_scan_bench PRIVATE -march=native)
endif()
