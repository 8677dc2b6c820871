#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/serial_port.hpp>
#include <memory>

#include "server/transport/open_connection.hpp"
#include "server/transport/tls_handshake.hpp"

namespace hemalink::lis {

class LisLink;

/// What a destination's transport does with a stream to its LIS: starts the connection that
/// delivers the destination's rows over it (one at a time; a second is refused).
transport::OpenConnection<boost::asio::ip::tcp::socket> open_tcp_lis(std::weak_ptr<LisLink> link);
transport::OpenConnection<transport::TlsStream> open_tls_lis(std::weak_ptr<LisLink> link);
transport::OpenConnection<boost::asio::serial_port> open_serial_lis(std::weak_ptr<LisLink> link);

}  // namespace hemalink::lis
