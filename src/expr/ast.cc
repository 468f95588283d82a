#include "expr/ast.h"

#include <algorithm>
#include <cstdint>

namespace motive::expr {

ParsedExpr::Position ParsedExpr::PositionOf(int32_t offset) const {
  // Offsets past either end are clamped, so that a position is always one
  // that a caret can be drawn under.
  int32_t size = static_cast<int32_t>(source.size());
  offset = std::clamp<int32_t>(offset, 0, size);
  // line_offsets holds where lines 2, 3, ... start: the number of them at or
  // before `offset` is the 0-based line.
  auto next_line =
      std::upper_bound(line_offsets.begin(), line_offsets.end(), offset);
  int line_index = static_cast<int>(next_line - line_offsets.begin());
  int32_t line_start = line_index == 0 ? 0 : line_offsets[line_index - 1];
  // Columns count code points: every byte that is not a UTF-8 continuation
  // byte starts one.
  int column = 1;
  for (int32_t i = line_start; i < offset; ++i) {
    if ((static_cast<unsigned char>(source[i]) & 0xC0) != 0x80) ++column;
  }
  return Position{line_index + 1, column};
}

}  // namespace motive::expr
