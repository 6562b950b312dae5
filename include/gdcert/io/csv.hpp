// CSV writer: named columns of numbers or strings, exact number text, provenance as leading `# ` lines.
#pragma once

#include <gdcert/core/error.hpp>
#include <gdcert/io/atomic_file.hpp>
#include <gdcert/io/provenance.hpp>

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <ostream>
#include <ranges>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace gdcert {

/// A table of equally long named columns, written as RFC 4180 CSV.
///
/// Numbers are written in their shortest round-trip form (std::to_chars), so a double read back
/// with strtod, pandas or numpy is bit-identical; non-finite values are "inf", "-inf", "nan".
/// The provenance goes first as `# key: value` lines: pandas reads the file with
/// `pd.read_csv(path, comment="#")`, numpy with `np.genfromtxt(path, delimiter=",", names=True)`.
///
/// \code
/// csv_table table;
/// table.add_column("eta", etas).add_column("outcome", labels);
/// write_csv("sweep.csv", table, provenance("basin_sweep").parameter("d", 5));
/// \endcode
class csv_table {
public:
  using column_values = std::variant<std::vector<double>, std::vector<std::int64_t>,
                                     std::vector<std::uint64_t>, std::vector<std::string>>;

  /// Appends a column. Accepts any input range of floating-point, integer, bool, enum (written as
  /// its underlying integer) or string-like values. Every column must have the same length.
  template <std::ranges::input_range Range>
  csv_table& add_column(std::string name, const Range& values) {
    using value = std::ranges::range_value_t<Range>;
    column_values column = convert<value>(values);
    const auto size = std::visit([](const auto& v) { return v.size(); }, column);
    if (!columns_.empty())
      require_dimension("column \"" + name + "\" size", static_cast<long>(size),
                        static_cast<long>(rows_));
    rows_ = size;
    columns_.emplace_back(std::move(name), std::move(column));
    return *this;
  }

  [[nodiscard]] std::size_t column_count() const noexcept { return columns_.size(); }
  [[nodiscard]] std::size_t row_count() const noexcept { return rows_; }

  /// Writes provenance lines, the header row and the rows to `out` (LF line endings).
  void write(std::ostream& out, const provenance& origin) const {
    for (const auto& line : origin.to_lines("# "))
      out << line << '\n';
    for (std::size_t c = 0; c < columns_.size(); ++c)
      out << (c ? "," : "") << field(columns_[c].first);
    out << '\n';
    for (std::size_t r = 0; r < rows_; ++r) {
      for (std::size_t c = 0; c < columns_.size(); ++c) {
        if (c)
          out << ',';
        std::visit([&](const auto& values) { out << cell(values[r]); }, columns_[c].second);
      }
      out << '\n';
    }
  }

private:
  template <class Value, class Range>
  static column_values convert(const Range& values) {
    using plain = std::remove_cvref_t<Value>;
    if constexpr (std::is_same_v<plain, bool>)
      return collect<std::int64_t>(values);
    else if constexpr (std::is_enum_v<plain>)
      return collect_enum<plain>(values);
    else if constexpr (std::signed_integral<plain>)
      return collect<std::int64_t>(values);
    else if constexpr (std::unsigned_integral<plain>)
      return collect<std::uint64_t>(values);
    else if constexpr (std::floating_point<plain>)
      return collect<double>(values);
    else {
      static_assert(std::is_convertible_v<const plain&, std::string_view>,
                    "csv_table columns hold numbers, enums or strings");
      std::vector<std::string> out;
      for (const auto& value : values)
        out.emplace_back(std::string_view(value));
      return out;
    }
  }

  template <class Stored, class Range>
  static std::vector<Stored> collect(const Range& values) {
    std::vector<Stored> out;
    for (const auto& value : values)
      out.push_back(static_cast<Stored>(value));
    return out;
  }

  template <class Enum, class Range>
  static column_values collect_enum(const Range& values) {
    using underlying = std::underlying_type_t<Enum>;
    using stored = std::conditional_t<std::is_signed_v<underlying>, std::int64_t, std::uint64_t>;
    std::vector<stored> out;
    for (const auto& value : values)
      out.push_back(static_cast<stored>(static_cast<underlying>(value)));
    return out;
  }

  static std::string cell(double value) { return detail::io::number_text(value); }
  static std::string cell(std::int64_t value) { return detail::io::number_text(value); }
  static std::string cell(std::uint64_t value) { return detail::io::number_text(value); }
  static std::string cell(const std::string& value) { return field(value); }

  /// RFC 4180 quoting, extended to '#': readers that take '#' as a comment character (pandas
  /// with comment="#") would otherwise cut the line there.
  static std::string field(std::string_view text) {
    if (text.find_first_of(",\"\r\n#") == std::string_view::npos)
      return std::string(text);
    std::string quoted = "\"";
    for (const char c : text)
      quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    return quoted + "\"";
  }

  std::vector<std::pair<std::string, column_values>> columns_;
  std::size_t rows_ = 0;
};

/// Writes `table` to `file` as CSV with `origin` as leading `# ` lines, atomically
/// (io/atomic_file.hpp); throws gdcert::io_error if the file cannot be written, and then an
/// existing file of that name is unchanged.
inline void write_csv(const std::filesystem::path& file, const csv_table& table,
                      const provenance& origin) {
  write_atomically(file, [&](std::ostream& out) { table.write(out, origin); });
}

} // namespace gdcert
