// libFuzzer target: read_npy_header on arbitrary bytes must parse or throw gdcert::io_error, and
// never read out of bounds, overflow or allocate more than its header-length limit (issue #14).
// Built with clang and -fsanitize=fuzzer,address,undefined by tests/fuzz/CMakeLists.txt; inputs
// that once failed are kept in tests/fuzz/regressions/npy_header and replayed by the Catch2 suite.
#include <gdcert/io/npy.hpp>

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  try {
    const gdcert::npy_header header = gdcert::read_npy_header(in);
    (void)header.element_count(); // the reader guarantees this does not overflow
  } catch (const gdcert::io_error&) {
  }
  return 0;
}
