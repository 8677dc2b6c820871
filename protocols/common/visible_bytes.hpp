#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace hemalink {

/// `bytes` as a log line can show them: link-control bytes by name (<VT>, <FS>, <CR>, <STX>,
/// <ACK>...), other bytes below 0x20 and 0x7F as \xNN, the rest as they are; cut after `max`
/// bytes with "... (N bytes)". For logging what a peer sent that could not be used.
std::string visible_bytes(std::string_view bytes, std::size_t max = 2048);

}  // namespace hemalink
