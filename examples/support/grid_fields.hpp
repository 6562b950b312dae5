// Row-major grid fields of the sweep examples: "within one grid cell of a level set".
#pragma once

#include <cstddef>
#include <vector>

namespace gdcert::examples {

/// Whether the sign of `field` (row-major, columns × rows) changes in the 3 × 3 block around
/// (column, row): the point lies within one grid cell of the level set {field = 0}. Claims of the
/// form "region A equals region B except within one grid cell of its boundary" count mismatches
/// where this is false.
inline bool near_sign_change(const std::vector<double>& field, std::size_t columns,
                             std::size_t rows, std::size_t column, std::size_t row) {
  const bool inside = field[row * columns + column] < 0;
  for (long dr = -1; dr <= 1; ++dr)
    for (long dc = -1; dc <= 1; ++dc) {
      const long c = long(column) + dc, r = long(row) + dr;
      if (c < 0 || r < 0 || c >= long(columns) || r >= long(rows))
        continue;
      if ((field[std::size_t(r) * columns + std::size_t(c)] < 0) != inside)
        return true;
    }
  return false;
}

} // namespace gdcert::examples
