// Parameter validation at the API boundary: exceptions that name the parameter and its valid range.
#pragma once

#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>

namespace gdcert {

/// Thrown when a parameter is outside its valid range; what() names the parameter, its value and
/// the range, e.g. "gdcert: step size eta = -1 is invalid; valid range: eta > 0".
class invalid_parameter : public std::invalid_argument {
public:
  invalid_parameter(std::string_view name, std::string_view value, std::string_view range)
      : std::invalid_argument(compose(name, value, range)), name_(name) {}

  /// The name of the offending parameter, as spelled in the message.
  [[nodiscard]] const std::string& parameter() const noexcept { return name_; }

private:
  static std::string compose(std::string_view name, std::string_view value,
                             std::string_view range) {
    std::ostringstream message;
    message << "gdcert: " << name << " = " << value << " is invalid; valid range: " << range;
    return message.str();
  }
  std::string name_;
};

namespace detail {
template <class Value>
std::string to_text(const Value& value) {
  std::ostringstream text;
  text.precision(std::numeric_limits<double>::max_digits10);
  text << value;
  return text.str();
}
} // namespace detail

/// Throws unless `value` is finite and strictly positive.
inline double require_positive(std::string_view name, double value) {
  if (!(std::isfinite(value) && value > 0))
    throw invalid_parameter(name, detail::to_text(value), std::string(name) + " > 0 (finite)");
  return value;
}

/// Throws unless `value` is finite and non-negative.
inline double require_non_negative(std::string_view name, double value) {
  if (!(std::isfinite(value) && value >= 0))
    throw invalid_parameter(name, detail::to_text(value), std::string(name) + " >= 0 (finite)");
  return value;
}

/// Throws unless `value` is finite.
inline double require_finite(std::string_view name, double value) {
  if (!std::isfinite(value))
    throw invalid_parameter(name, detail::to_text(value), "a finite number");
  return value;
}

/// Throws unless lower < value < upper (NaN fails every comparison, so it is rejected too).
inline double require_open_interval(std::string_view name, double value, double lower,
                                    double upper) {
  if (!(value > lower && value < upper))
    throw invalid_parameter(name, detail::to_text(value),
                            "(" + detail::to_text(lower) + ", " + detail::to_text(upper) + ")");
  return value;
}

/// Throws unless an extent (dimension, count) equals what the other operands imply.
inline void require_dimension(std::string_view name, long actual, long expected) {
  if (actual != expected)
    throw invalid_parameter(name, std::to_string(actual),
                            "exactly " + std::to_string(expected) + " (dimension mismatch)");
}

/// The most coordinates a state of the library's problems may have (2^27): far above any problem a
/// map is iterated on, and a bound under which every size product (2·d, (m + n)·r, d²) stays
/// exact in 64 bits. Constructors check it before allocating.
inline constexpr long max_state_dimension = 1L << 27;

/// Throws unless minimum <= value <= maximum (extents: dimensions, counts).
inline void require_extent(std::string_view name, long value, long minimum, long maximum) {
  if (value < minimum || value > maximum)
    throw invalid_parameter(name, std::to_string(value),
                            "[" + std::to_string(minimum) + ", " + std::to_string(maximum) + "]");
}

/// Throws unless an extent is at least `minimum`.
inline void require_at_least(std::string_view name, long actual, long minimum) {
  if (actual < minimum)
    throw invalid_parameter(name, std::to_string(actual), ">= " + std::to_string(minimum));
}

} // namespace gdcert
