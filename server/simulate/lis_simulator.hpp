#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <mutex>
#include <vector>

#include "server/simulate/lis_sim_run.hpp"

namespace boost::asio::ssl {
class context;
}

namespace hemalink::simulate {

namespace asio = boost::asio;

/// `hemalink lis-sim`: a LIS that listens (over TLS when asked), receives HL7 ORU over MLLP (or
/// ASTM over E1381),
/// acknowledges each message (HL7: AA with MSA-2 its MSH-10; ASTM: the ACK of its last frame),
/// injects the faults asked for, and records what it received.
class LisSimulator {
 public:
  /// Binds the port. Throws std::runtime_error naming the address when it cannot, or the TLS
  /// file it cannot use.
  LisSimulator(asio::io_context& io, LisSimOptions options);
  ~LisSimulator();

  std::uint16_t port() const { return port_; }
  void start();
  /// Stops accepting and closes every connection.
  void stop();
  const LisSimLedger& ledger() const { return ledger_; }

  class Protocol;

 private:
  struct Connection;
  asio::awaitable<void> accept_loop();
  asio::awaitable<void> serve(std::shared_ptr<Connection> connection);
  template <typename Stream>
  asio::awaitable<void> answer_each(std::shared_ptr<Connection> connection, Stream& stream,
                                    Protocol& protocol);

  asio::io_context& io_;
  LisSimOptions options_;
  LisSimLedger ledger_;
  std::shared_ptr<asio::ssl::context> tls_;
  asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::vector<std::weak_ptr<Connection>> connections_;
  std::mutex mutex_;
};

}  // namespace hemalink::simulate
