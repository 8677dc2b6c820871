#pragma once

#include <functional>
#include <string>

namespace hemalink::transport {

/// What a transport does with each stream it reaches (a socket accepted or dialed, a serial port
/// opened): starts a connection on it, which calls `on_closed` once, when it has ended. `peer`
/// is the remote address:port or the device. Returns false when no connection may be opened now
/// (a connection cap is reached): the transport then drops the stream and says so.
template <typename Stream>
using OpenConnection =
    std::function<bool(Stream stream, const std::string& peer, std::function<void()> on_closed)>;

}  // namespace hemalink::transport
