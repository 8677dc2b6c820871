#pragma once

#include <string>
#include <system_error>

namespace hemalink {

/// An expected failure: its code (a room's Errc, so callers branch on it, never on the text) and
/// a detail naming what was wrong and where (`specimen "S1": no such test "WBC"`).
struct Error {
  std::error_code code;
  std::string detail;
};

}  // namespace hemalink
