#pragma once

#include <cstddef>
#include <string>

namespace hemalink::session {

/// Who a session talks to, as the configuration names it.
struct SessionPeer {
  std::string analyzer;  ///< The analyzer's configured name.
  std::string driver;
  std::string address;  ///< Remote address:port, or the serial device.
  std::size_t max_message_bytes = 1024 * 1024;
};

}  // namespace hemalink::session
