#include "protocols/common/parse_error.hpp"

#include <fmt/format.h>

namespace hemalink {

std::string ParseError::describe() const {
  return fmt::format("{} (byte {}: {})", detail, byte_offset, code.message());
}

}  // namespace hemalink
