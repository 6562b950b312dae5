// Provenance of an output file: program, library version, parameters, tolerances, seed, UTC time, notes.
#pragma once

#include <gdcert/io/atomic_file.hpp>
#include <gdcert/io/io_error.hpp>
#include <gdcert/version.hpp>

#include <charconv>
#include <chrono>
#include <concepts>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace gdcert {

namespace detail::io {

/// A number as text: the shortest form that reads back to the same double (std::to_chars without
/// a precision), so files are exact yet readable ("0.1", not "0.10000000000000001").
inline std::string number_text(double value) {
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

template <std::integral Integer>
std::string number_text(Integer value) {
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

/// `text` as a JSON string literal, quotes included (RFC 8259 escapes; other bytes pass as UTF-8).
inline std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\r':
      out += "\\r";
      break;
    case '\t':
      out += "\\t";
      break;
    default:
      if (static_cast<unsigned char>(c) < 0x20) {
        char escape[8];
        std::snprintf(escape, sizeof escape, "\\u%04x", static_cast<unsigned>(c));
        out += escape;
      } else {
        out += c;
      }
    }
  }
  return out + "\"";
}

/// The current time in UTC as ISO 8601, e.g. "2024-05-17T09:30:00Z" (C++20 calendar, no gmtime).
inline std::string utc_timestamp() {
  using namespace std::chrono;
  const auto now = floor<seconds>(system_clock::now());
  const auto day = floor<days>(now);
  const year_month_day date{day};
  const hh_mm_ss<seconds> time{now - day};
  char text[32];
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                static_cast<int>(time.seconds().count()));
  return text;
}

} // namespace detail::io

/// Where an output file came from, so a figure or table can be traced to the run that made it
/// (docs/design.md: "Outputs carry provenance"). Writers emit it as `# ` comment lines (CSV) or as a
/// JSON sidecar `<file>.json` (npy, PNG: formats without a comment field).
///
/// Parameters and tolerances are ordered key/value strings: the order a program records them is
/// the order a reader sees them, and setting a key again replaces its value in place.
struct provenance {
  std::string program;                                         ///< program or engine name
  std::string library_version = gdcert::version;               ///< gdcert::version
  std::vector<std::pair<std::string, std::string>> parameters; ///< e.g. {"eta", "0.5"}
  std::vector<std::pair<std::string, std::string>> tolerances; ///< e.g. {"convergence", "1e-12"}
  std::optional<std::uint64_t> seed;                           ///< the counter-based RNG seed
  std::string timestamp = detail::io::utc_timestamp();         ///< UTC, ISO 8601, at construction
  std::vector<std::string> notes;                              ///< free-form lines

  provenance() = default;
  explicit provenance(std::string program_name) : program(std::move(program_name)) {}

  /// Records a parameter; numbers are written exactly (shortest round-trip form).
  template <class Value>
  provenance& parameter(std::string key, const Value& value) {
    set(parameters, std::move(key), text_of(value));
    return *this;
  }

  /// Records a tolerance; numbers are written exactly (shortest round-trip form).
  template <class Value>
  provenance& tolerance(std::string key, const Value& value) {
    set(tolerances, std::move(key), text_of(value));
    return *this;
  }

  /// Removes a parameter or tolerance (e.g. one a describe() added that does not apply).
  provenance& erase(std::string_view key) {
    for (auto* items : {&parameters, &tolerances})
      std::erase_if(*items, [&](const auto& item) { return item.first == key; });
    return *this;
  }

  provenance& with_seed(std::uint64_t value) {
    seed = value;
    return *this;
  }

  provenance& note(std::string line) {
    notes.push_back(std::move(line));
    return *this;
  }

  /// One "key: value" line per item, each starting with `prefix` ("# " for a CSV header).
  /// Parameters read "parameter <key>: <value>", tolerances "tolerance <key>: <value>".
  /// Line breaks inside a value are written as the two characters backslash, n (and r), so every
  /// line carries the prefix: a CSV reader skipping `#` lines never sees provenance as data.
  [[nodiscard]] std::vector<std::string> to_lines(std::string_view prefix = "") const {
    std::vector<std::string> lines = raw_lines(prefix);
    for (auto& line : lines) {
      std::string escaped;
      for (const char c : line)
        escaped += c == '\n'   ? std::string("\\n")
                   : c == '\r' ? std::string("\\r")
                               : std::string(1, c);
      line = std::move(escaped);
    }
    return lines;
  }

private:
  [[nodiscard]] std::vector<std::string> raw_lines(std::string_view prefix) const {
    std::vector<std::string> lines;
    const std::string p(prefix);
    lines.push_back(p + "program: " + program);
    lines.push_back(p + "gdcert version: " + library_version);
    lines.push_back(p + "timestamp: " + timestamp);
    if (seed)
      lines.push_back(p + "seed: " + detail::io::number_text(*seed));
    for (const auto& [key, value] : parameters)
      lines.push_back(p + "parameter " + key + ": " + value);
    for (const auto& [key, value] : tolerances)
      lines.push_back(p + "tolerance " + key + ": " + value);
    for (const auto& line : notes)
      lines.push_back(p + "note: " + line);
    return lines;
  }

public:
  /// The provenance as a JSON object. Values stay strings, exactly as recorded; the seed is a
  /// number (exact in Python's json; JavaScript readers lose digits beyond 2^53).
  [[nodiscard]] std::string to_json() const {
    auto object = [](const std::vector<std::pair<std::string, std::string>>& items) {
      std::string text = "{";
      for (std::size_t i = 0; i < items.size(); ++i)
        text += (i ? ",\n    " : "\n    ") + detail::io::json_string(items[i].first) + ": " +
                detail::io::json_string(items[i].second);
      return text + (items.empty() ? "}" : "\n  }");
    };
    std::string text = "{\n";
    text += "  \"program\": " + detail::io::json_string(program) + ",\n";
    text += "  \"gdcert_version\": " + detail::io::json_string(library_version) + ",\n";
    text += "  \"timestamp\": " + detail::io::json_string(timestamp) + ",\n";
    text += "  \"seed\": " + (seed ? detail::io::number_text(*seed) : std::string("null")) + ",\n";
    text += "  \"parameters\": " + object(parameters) + ",\n";
    text += "  \"tolerances\": " + object(tolerances) + ",\n";
    text += "  \"notes\": [";
    for (std::size_t i = 0; i < notes.size(); ++i)
      text += (i ? ", " : "") + detail::io::json_string(notes[i]);
    return text + "]\n}\n";
  }

  /// The sidecar path of a data file: the file name with ".json" appended (data.npy.json).
  [[nodiscard]] static std::filesystem::path sidecar_path(const std::filesystem::path& data_file) {
    return gdcert::sidecar_path(data_file);
  }

  /// Writes to_json() next to `data_file` as `<data_file>.json`; returns that path.
  std::filesystem::path write_sidecar(const std::filesystem::path& data_file) const {
    const auto path = sidecar_path(data_file);
    atomic_output out(path, special_files::refuse); // atomic; never onto a device or FIFO
    out.write(to_json());
    out.commit();
    return path;
  }

private:
  template <class Value>
  static std::string text_of(const Value& value) {
    if constexpr (std::is_same_v<Value, bool>)
      return value ? "true" : "false";
    else if constexpr (std::integral<Value>)
      return detail::io::number_text(value);
    else if constexpr (std::floating_point<Value>)
      return detail::io::number_text(static_cast<double>(value));
    else
      return std::string(value);
  }

  static void set(std::vector<std::pair<std::string, std::string>>& items, std::string key,
                  std::string value) {
    for (auto& item : items)
      if (item.first == key) {
        item.second = std::move(value);
        return;
      }
    items.emplace_back(std::move(key), std::move(value));
  }
};

} // namespace gdcert
