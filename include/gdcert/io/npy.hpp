// NumPy .npy writer (format 1.0, little-endian, C order) with a JSON provenance sidecar, and a header reader.
#pragma once

#include <gdcert/core/error.hpp>
#include <gdcert/io/atomic_file.hpp>
#include <gdcert/io/io_error.hpp>
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
#include <limits>
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

namespace detail::io {
/// Throws gdcert::invalid_parameter unless the extents' product is `size` (computed without
/// overflow: a shape whose product wraps around, e.g. {2³², 2³²}, is rejected).
inline void require_npy_shape(std::span<const std::size_t> shape, std::size_t size) {
  std::size_t count = 1;
  bool overflow = false;
  for (const auto extent : shape) {
    overflow =
        overflow || (extent != 0 && count > std::numeric_limits<std::size_t>::max() / extent);
    count *= extent;
  }
  if (overflow || count != size)
    throw invalid_parameter("shape", npy_shape_text(shape),
                            "extents whose product is the data size " + std::to_string(size));
}
} // namespace detail::io

/// Writes `data` (C order) with the given `shape` as a .npy stream. The shape's product must be
/// data.size(); an empty shape is a 0-d array of one element.
template <class T>
void write_npy(std::ostream& out, std::span<const T> data, std::span<const std::size_t> shape) {
  detail::io::require_npy_shape(shape, data.size());
  out << npy_preamble(npy_descr<std::remove_cv_t<T>>(), shape);
  detail::io::put_element_bytes(out, data.data(), data.size(), sizeof(T));
}

/// Writes `data` with `shape` to `file` and the provenance to `<file>.json` (.npy has no comment
/// field), both atomically (io/atomic_file.hpp). Throws gdcert::invalid_parameter for a shape
/// that does not match, gdcert::io_error if either file cannot be written; in both cases
/// existing files of those names are unchanged.
template <class T>
void write_npy(const std::filesystem::path& file, std::span<const T> data,
               const std::vector<std::size_t>& shape, const provenance& origin) {
  detail::io::require_npy_shape(shape, data.size());
  const std::string sidecar = origin.to_json();
  write_atomically(
      file, [&](std::ostream& out) { write_npy(out, data, std::span<const std::size_t>(shape)); },
      &sidecar);
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

/// The largest header read_npy_header accepts (NumPy's own default limit is 10,000 bytes; format
/// 1.0 cannot exceed 65,535): a length field beyond it is refused before anything is allocated.
inline constexpr std::size_t npy_max_header_length = 65536;

namespace detail::io {

/// A strict parser of the header dict NumPy and write_npy emit: `{'descr': '<f8',
/// 'fortran_order': False, 'shape': (3, 4), }` in any key order, spaces allowed between tokens,
/// then spaces and '\n' to the end. Anything else is an io_error (never an out-of-range read: every
/// access is checked against the end).
class npy_dict_parser {
public:
  explicit npy_dict_parser(std::string_view text) : text_(text) {}

  npy_header parse(npy_header header) {
    bool descr = false, order = false, shape = false;
    expect('{');
    for (skip(); peek() != '}';) {
      const std::string key = string_literal();
      expect(':');
      if (key == "descr" && !descr) {
        header.descr = string_literal();
        descr = true;
      } else if (key == "fortran_order" && !order) {
        header.fortran_order = boolean();
        order = true;
      } else if (key == "shape" && !shape) {
        header.shape = tuple();
        shape = true;
      } else {
        throw error("unexpected or repeated key '" + key + "'");
      }
      skip();
      if (peek() == ',') {
        ++at_;
        skip();
      } else if (peek() != '}') {
        throw error("expected ',' or '}' after '" + key + "'");
      }
    }
    ++at_;
    if (!descr || !order || !shape)
      throw error("the header needs 'descr', 'fortran_order' and 'shape'");
    while (at_ < text_.size() && text_[at_] == ' ')
      ++at_;
    if (at_ + 1 != text_.size() || text_[at_] != '\n')
      throw error("the header must end with spaces and one '\\n'");
    return header;
  }

private:
  [[nodiscard]] io_error error(const std::string& why) const {
    return io_error("gdcert: not a .npy stream: " + why + " (header byte " + std::to_string(at_) +
                    ")");
  }
  [[nodiscard]] char peek() const {
    if (at_ >= text_.size())
      throw error("the header ends early");
    return text_[at_];
  }
  void skip() {
    while (at_ < text_.size() && text_[at_] == ' ')
      ++at_;
  }
  void expect(char c) {
    skip();
    if (peek() != c)
      throw error(std::string("expected '") + c + "'");
    ++at_;
  }
  std::string string_literal() {
    skip();
    if (peek() != '\'')
      throw error("expected a quoted string");
    const std::size_t end = text_.find('\'', at_ + 1);
    if (end == std::string_view::npos)
      throw error("unterminated string");
    std::string value(text_.substr(at_ + 1, end - at_ - 1));
    at_ = end + 1;
    return value;
  }
  bool boolean() {
    skip();
    for (const std::string_view word : {std::string_view("True"), std::string_view("False")})
      if (text_.substr(at_, word.size()) == word) {
        at_ += word.size();
        return word == "True";
      }
    throw error("expected True or False");
  }
  std::vector<std::size_t> tuple() {
    expect('(');
    std::vector<std::size_t> extents;
    for (skip(); peek() != ')';) {
      if (peek() < '0' || peek() > '9')
        throw error("a shape extent must be a non-negative integer");
      std::size_t extent = 0;
      while (at_ < text_.size() && text_[at_] >= '0' && text_[at_] <= '9') {
        const auto digit = static_cast<std::size_t>(text_[at_] - '0');
        if (extent > (std::numeric_limits<std::size_t>::max() - digit) / 10)
          throw error("a shape extent overflows std::size_t");
        extent = extent * 10 + digit;
        ++at_;
      }
      extents.push_back(extent);
      skip();
      if (peek() == ',') {
        ++at_;
        skip();
      } else if (peek() != ')') {
        throw error("expected ',' or ')' in 'shape'");
      }
    }
    ++at_;
    return extents;
  }

  std::string_view text_;
  std::size_t at_ = 0;
};

/// Bytes per element of a dtype string such as '<f8', '|u1', '>i4' (byte order, kind, size).
inline std::size_t npy_item_size(const std::string& descr) {
  const bool valid =
      descr.size() >= 3 && descr.size() <= 4 &&
      (descr[0] == '<' || descr[0] == '>' || descr[0] == '|' || descr[0] == '=') &&
      std::string_view("fiubc").find(descr[1]) != std::string_view::npos &&
      std::all_of(descr.begin() + 2, descr.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!valid)
    throw io_error("gdcert: not a .npy stream: unsupported dtype '" + descr + "'");
  const std::size_t size = std::stoul(descr.substr(2));
  if (size == 0 || size > 16)
    throw io_error("gdcert: not a .npy stream: unsupported dtype '" + descr + "'");
  return size;
}

} // namespace detail::io

/// Reads the preamble of a .npy stream (format versions 1.0, 2.0, 3.0); leaves the stream at the
/// start of the data. Throws gdcert::io_error for a bad magic or version, a header length above
/// npy_max_header_length, a truncated or malformed header (strict grammar: detail::io::
/// npy_dict_parser), an unsupported dtype, or a shape whose element count or byte size overflows.
/// Where the stream's size can be determined (files), also when the data would run past its end.
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
  if (header.major_version < 1 || header.major_version > 3 || header.minor_version != 0)
    throw fail("unsupported format version " + std::to_string(header.major_version) + "." +
               std::to_string(header.minor_version) + " (1.0, 2.0 and 3.0 are known)");
  const int length_bytes = header.major_version == 1 ? 2 : 4;
  unsigned char length_field[4] = {0, 0, 0, 0};
  if (!in.read(reinterpret_cast<char*>(length_field), length_bytes))
    throw fail("truncated header length");
  std::size_t length = 0;
  for (int i = length_bytes - 1; i >= 0; --i)
    length = length * 256 + length_field[i];
  if (length > npy_max_header_length)
    throw fail("header length " + std::to_string(length) + " above the limit " +
               std::to_string(npy_max_header_length));
  std::string dict(length, '\0');
  if (!in.read(dict.data(), static_cast<std::streamsize>(length)))
    throw fail("truncated header");
  header.data_offset = 8 + static_cast<std::size_t>(length_bytes) + length;
  header = detail::io::npy_dict_parser(dict).parse(std::move(header));

  const std::size_t item = detail::io::npy_item_size(header.descr);
  std::size_t bytes = item;
  for (const auto extent : header.shape) {
    if (extent != 0 && bytes > std::numeric_limits<std::size_t>::max() / extent)
      throw fail("shape " + detail::io::npy_shape_text(header.shape) + " overflows the byte size");
    bytes *= extent;
  }
  // The data must fit in what is left of the stream (when its size can be known).
  const auto here = in.tellg();
  if (here != std::istream::pos_type(-1)) {
    in.seekg(0, std::ios::end);
    const auto end = in.tellg();
    in.seekg(here);
    if (end != std::istream::pos_type(-1) && bytes > static_cast<std::size_t>(end - here))
      throw fail("the data (" + std::to_string(bytes) + " bytes) runs past the end of the file (" +
                 std::to_string(static_cast<std::size_t>(end - here)) + " bytes after the header)");
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
