#pragma once

#include <cstdint>

namespace hemalink::files {

/// A place in a text file: line and column, 1-based, in bytes.
struct TextPosition {
  std::uint32_t line = 1;
  std::uint32_t column = 1;
};

}  // namespace hemalink::files
