// NumPy .npy writer (format 1.0, little-endian, C order) with a JSON provenance sidecar, and a header reader.
#pragma once

#include <gdcert/core/error.hpp>
#include <gdcert/io/provenance.hpp>

#include <Eigen/Core>

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <istream>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace gdcert {

/// The NumPy dtype string of an element type, little-endian as written by write_npy: '<f8' for
/// double, '<f4' float, '<i4'/'<i8' for 32/64-bit integers, '|u1' for uint8_t and byte-sized
/// enums such as gdcert::outcome ('|' marks a single byte: no byte order), '|b1' for bool.
template <class T>
[[nodiscard]] std::string npy_descr() {
  if constexpr (std::is_enum_v<T>)
    return npy_descr<std::underlying_type_t<T>>();
  else if constexpr (std::is_same_v<T, bool>) {
    static_assert(sizeof(bool) == 1, "numpy bool is one byte");
    return "|b1";
  } else if constexpr (std::is_integral_v<T>)
    return std::string(sizeof(T) == 1 ? "|" : "<") + (std::is_signed_v<T> ? "i" : "u") +
           std::to_string(sizeof(T));
  else {
    static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>,
                  "npy elements are integers, bool, enums, float or double (long double has no "
                  "portable dtype)");
    return "<f" + std::to_string(sizeof(T));
  }
}

/// What a .npy preamble says about the array that follows it.
struct npy_header {
  int major_version = 1;
  int minor_version = 0;
  std::string descr;              ///< dtype string, e.g. "<f8"
  bool fortran_order = false;     ///< false: C (row-major) order
  std::vector<std::size_t> shape; ///< empty for a 0-d array
  std::size_t data_offset = 0;    ///< bytes from the start of the file to the array data

  [[nodiscard]] std::size_t element_count() const {
    std::size_t count = 1;
    for (const auto extent : shape)
      count *= extent;
    return count;
  }
};

namespace detail::io {

/// Python's tuple spelling of a shape: "()", "(5,)", "(3, 4)".
inline std::string npy_shape_text(std::span<const std::size_t> shape) {
  std::string text = "(";
  for (std::size_t i = 0; i < shape.size(); ++i)
    text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + (shape.size() == 1 ? ",)" : ")");
}

inline void put_element_bytes(std::ostream& out, const void* data, std::size_t count,
                              std::size_t size) {
  const auto* bytes = static_cast<const char*>(data);
  if constexpr (std::endian::native == std::endian::little) {
    out.write(bytes, static_cast<std::streamsize>(count * size));
  } else {
    // The descr promises little-endian ('<'): reverse each element on big-endian hosts.
    std::vector<char> element(size);
    for (std::size_t i = 0; i < count; ++i) {
      std::reverse_copy(bytes + i * size, bytes + (i + 1) * size, element.begin());
      out.write(element.data(), static_cast<std::streamsize>(size));
    }
  }
}

} // namespace detail::io

/// The complete .npy preamble for an array: magic "\x93NUMPY", version 1.0, the header length as
/// a little-endian uint16, and the header dict padded with spaces and ended by '\n' so that the
/// data starts at a multiple of 64 bytes (NEP 1 / numpy.lib.format).
[[nodiscard]] inline std::string npy_preamble(std::string_view descr,
                                              std::span<const std::size_t> shape) {
  std::string dict = "{'descr': '" + std::string(descr) +
                     "', 'fortran_order': False, 'shape': " + detail::io::npy_shape_text(shape) +
                     ", }";
  constexpr std::size_t fixed = 10; // magic (6) + version (2) + header length (2)
  const std::size_t total = (fixed + dict.size() + 1 + 63) / 64 * 64;
  const std::size_t header_length = total - fixed;
  if (header_length > 0xFFFF)
    throw invalid_parameter("shape", std::to_string(shape.size()) + " dimensions",
                            "a shape whose header fits format 1.0 (65535 bytes)");
  dict.append(header_length - dict.size() - 1, ' ');
  dict += '\n';
  std::string preamble = "\x93NUMPY";
  preamble += '\x01';
  preamble += '\x00';
  preamble += static_cast<char>(header_length & 0xFF);
  preamble += static_cast<char>(header_length >> 8);
  return preamble + dict;
}

/// Writes `data` (C order) with the given `shape` as a .npy stream. The shape's product must be
/// data.size(); an empty shape is a 0-d array of one element.
template <class T>
void write_npy(std::ostream& out, std::span<const T> data, std::span<const std::size_t> shape) {
  std::size_t count = 1;
  for (const auto extent : shape)
    count *= extent;
  if (count != data.size())
    throw invalid_parameter("shape", detail::io::npy_shape_text(shape),
                            "extents whose product is the data size " +
                                std::to_string(data.size()));
  out << npy_preamble(npy_descr<std::remove_cv_t<T>>(), shape);
  detail::io::put_element_bytes(out, data.data(), data.size(), sizeof(T));
}

/// Writes `data` with `shape` to `file` and the provenance to `<file>.json` (.npy has no comment
/// field). Throws gdcert::io_error if either cannot be written.
template <class T>
void write_npy(const std::filesystem::path& file, std::span<const T> data,
               const std::vector<std::size_t>& shape, const provenance& origin) {
  std::ofstream out(file, std::ios::binary);
  write_npy(out, data, std::span<const std::size_t>(shape));
  out.close();
  if (!out)
    throw io_error("gdcert: could not write npy file " + file.string());
  origin.write_sidecar(file);
}

template <class T, class Allocator>
void write_npy(const std::filesystem::path& file, const std::vector<T, Allocator>& data,
               const std::vector<std::size_t>& shape, const provenance& origin) {
  write_npy(file, std::span<const T>(data), shape, origin);
}

/// A std::vector as a 1-d array.
template <class T, class Allocator>
void write_npy(const std::filesystem::path& file, const std::vector<T, Allocator>& data,
               const provenance& origin) {
  write_npy(file, std::span<const T>(data), {data.size()}, origin);
}

/// An Eigen vector as a 1-d array, any other Eigen matrix or array as a 2-d (rows, cols) array in
/// C order whatever its storage order, so that numpy's a[i, j] is Eigen's m(i, j).
template <class Derived>
void write_npy(const std::filesystem::path& file, const Eigen::DenseBase<Derived>& matrix,
               const provenance& origin) {
  using scalar = typename Derived::Scalar;
  const auto rows = static_cast<std::size_t>(matrix.rows());
  const auto cols = static_cast<std::size_t>(matrix.cols());
  std::vector<scalar> data(rows * cols);
  for (std::size_t i = 0; i < rows; ++i)
    for (std::size_t j = 0; j < cols; ++j)
      data[i * cols + j] =
          matrix.derived().coeff(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j));
  const bool vector = Derived::IsVectorAtCompileTime;
  write_npy(file, std::span<const scalar>(data),
            vector ? std::vector<std::size_t>{rows * cols} : std::vector<std::size_t>{rows, cols},
            origin);
}

/// Reads the preamble of a .npy stream (format versions 1.x, 2.x, 3.x); leaves the stream at the
/// start of the data. A minimal parser for the dict NumPy and write_npy emit, not general Python.
[[nodiscard]] inline npy_header read_npy_header(std::istream& in) {
  auto fail = [](const std::string& why) -> io_error {
    return io_error("gdcert: not a .npy stream: " + why);
  };
  char magic[8];
  if (!in.read(magic, 8) || std::memcmp(magic, "\x93NUMPY", 6) != 0)
    throw fail("missing magic \"\\x93NUMPY\"");
  npy_header header;
  header.major_version = static_cast<unsigned char>(magic[6]);
  header.minor_version = static_cast<unsigned char>(magic[7]);
  const int length_bytes = header.major_version == 1 ? 2 : 4;
  unsigned char length_field[4] = {0, 0, 0, 0};
  if (!in.read(reinterpret_cast<char*>(length_field), length_bytes))
    throw fail("truncated header length");
  std::size_t length = 0;
  for (int i = length_bytes - 1; i >= 0; --i)
    length = length * 256 + length_field[i];
  std::string dict(length, '\0');
  if (!in.read(dict.data(), static_cast<std::streamsize>(length)))
    throw fail("truncated header");
  header.data_offset = 8 + static_cast<std::size_t>(length_bytes) + length;

  auto value_of = [&](std::string_view key) {
    const auto at = dict.find("'" + std::string(key) + "'");
    if (at == std::string::npos)
      throw fail("no '" + std::string(key) + "' in header");
    const auto colon = dict.find(':', at);
    return dict.find_first_not_of(' ', colon + 1);
  };
  const auto descr = value_of("descr");
  const auto descr_end = dict.find('\'', descr + 1);
  if (dict[descr] != '\'' || descr_end == std::string::npos)
    throw fail("malformed 'descr'");
  header.descr = dict.substr(descr + 1, descr_end - descr - 1);
  header.fortran_order = dict.compare(value_of("fortran_order"), 4, "True") == 0;
  const auto shape = value_of("shape");
  const auto shape_end = dict.find(')', shape);
  if (dict[shape] != '(' || shape_end == std::string::npos)
    throw fail("malformed 'shape'");
  for (std::size_t i = shape + 1; i < shape_end;) {
    if (dict[i] >= '0' && dict[i] <= '9') {
      std::size_t extent = 0;
      for (; dict[i] >= '0' && dict[i] <= '9'; ++i)
        extent = extent * 10 + static_cast<std::size_t>(dict[i] - '0');
      header.shape.push_back(extent);
    } else {
      ++i;
    }
  }
  return header;
}

[[nodiscard]] inline npy_header read_npy_header(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in)
    throw io_error("gdcert: could not open " + file.string());
  return read_npy_header(in);
}

} // namespace gdcert
