#pragma once

#include <boost/asio/io_context.hpp>
#include <memory>
#include <thread>

#include "server/simulate/lis_simulator.hpp"

namespace hemalink::testing {

/// lis-sim on 127.0.0.1 in the test's process, on a thread of its own, until the runner goes
/// away (or stop()). Port 0 takes a port the system chooses.
class LisSimRunner {
 public:
  explicit LisSimRunner(simulate::LisSimOptions options);
  ~LisSimRunner();
  LisSimRunner(const LisSimRunner&) = delete;
  LisSimRunner& operator=(const LisSimRunner&) = delete;

  std::uint16_t port() const { return simulator_->port(); }
  const simulate::LisSimLedger& ledger() const { return simulator_->ledger(); }
  void stop();

 private:
  boost::asio::io_context io_;
  std::unique_ptr<simulate::LisSimulator> simulator_;
  std::thread thread_;
};

/// A port on 127.0.0.1 nobody listens on now (a lis-sim opened there and closed): for a LIS that
/// is down at first and comes later on that port.
std::uint16_t unused_port();

/// Options for a lis-sim on 127.0.0.1:`port` speaking `protocol`.
simulate::LisSimOptions lis_sim_options(std::uint16_t port = 0,
                                        model::WireProtocol protocol = model::WireProtocol::Hl7);

}  // namespace hemalink::testing
