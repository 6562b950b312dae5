# Basin-sweep throughput (analysis/sweep.hpp): plain double loop, SIMD lanes, SIMD + 2 threads, in
# GD steps/s against the FMA-throughput bound. Included from bench/CMakeLists.txt after
# find_package(benchmark). Built for the host CPU (-march=native: AVX2 + FMA on the EPYC this was
# tuned on), so the lane packs use 4-wide registers and the maps contract to FMAs; run it from a
# Release (-O3) build.

include(CheckCXXCompilerFlag)
check_cxx_compiler_flag(-march=native GDCERT_BENCH_HAS_MARCH_NATIVE)

add_executable(sweep_bench ${CMAKE_CURRENT_LIST_DIR}/sweep.bench.cpp)
target_link_libraries(sweep_bench PRIVATE gdcert::gdcert gdcert_warnings
                      benchmark::benchmark_main)
if(GDCERT_BENCH_HAS_MARCH_NATIVE)
  target_compile_options(sweep_bench PRIVATE -march=native)
endif()
