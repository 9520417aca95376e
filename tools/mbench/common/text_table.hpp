// How mbench's tables and files spell their cells: aligned columns for
// people on stdout, CSV fields and numbers with six significant digits for
// files and gnuplot.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace msocket::mbench {

// One line per row, each ending in '\n': the cells two spaces apart, each
// column as wide as its widest cell, right-aligned where
// `right_aligned(column)` holds; blanks at the end of a line are dropped.
std::string aligned_rows(const std::vector<std::vector<std::string>>& rows,
                         const std::function<bool(std::size_t column)>& right_aligned);

// `text` as a CSV field: in double quotes (a quote doubled) when it holds a
// comma, a quote or a newline; as it is otherwise.
std::string csv_field(const std::string& text);

// `value` with six significant digits ("%.6g"): 0.0842, 12.3, 5210, 1e+09.
std::string six_significant_digits(double value);

}  // namespace msocket::mbench
