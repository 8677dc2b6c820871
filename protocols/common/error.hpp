#pragma once

#include <string>
#include <system_error>

namespace hemalink {

/// An error of every layer above the codecs: its code (an Errc of the room that failed, with its
/// category) and a detail naming what was wrong and where. Callers branch on the code.
struct Error {
  std::error_code code;
  std::string detail;
};

}  // namespace hemalink
