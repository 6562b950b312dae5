// The exception of every reader and writer: a file that cannot be written, read or parsed.
#pragma once

#include <stdexcept>

namespace gdcert {

/// Thrown when an output file cannot be written (or an input file cannot be read or parsed).
class io_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

} // namespace gdcert
