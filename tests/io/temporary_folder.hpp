// A temporary folder for the writer tests: every special file they make (device nodes, FIFOs,
// links, sockets) lives in one of these, never in the machine's /dev.
#pragma once

#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>

namespace gdcert::testing {

/// A fresh folder under the system's temporary directory, removed with everything in it.
class temporary_folder {
public:
  temporary_folder() {
    std::random_device entropy;
    path_ = std::filesystem::temp_directory_path() /
            ("gdcert_io_test_" + std::to_string(entropy()) + std::to_string(entropy()));
    std::filesystem::create_directories(path_);
  }
  ~temporary_folder() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  temporary_folder(const temporary_folder&) = delete;
  temporary_folder& operator=(const temporary_folder&) = delete;
  [[nodiscard]] std::filesystem::path operator/(const std::string& name) const {
    return path_ / name;
  }
  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

private:
  std::filesystem::path path_;
};

/// The bytes of a file ("" when it cannot be read).
inline std::string read_text(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

} // namespace gdcert::testing
