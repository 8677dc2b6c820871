#include "tests/support/lis_sim_runner.hpp"

namespace hemalink::testing {

LisSimRunner::LisSimRunner(simulate::LisSimOptions options)
    : simulator_(std::make_unique<simulate::LisSimulator>(io_, std::move(options))) {
  simulator_->start();
  thread_ = std::thread([this] { io_.run(); });
}

LisSimRunner::~LisSimRunner() {
  stop();
}

void LisSimRunner::stop() {
  if (!thread_.joinable()) {
    return;
  }
  simulator_->stop();
  thread_.join();
}

std::uint16_t unused_port() {
  LisSimRunner probe(lis_sim_options());
  return probe.port();
}

simulate::LisSimOptions lis_sim_options(std::uint16_t port, model::WireProtocol protocol) {
  simulate::LisSimOptions o;
  o.host = "127.0.0.1";
  o.port = port;
  o.protocol = protocol;
  return o;
}

}  // namespace hemalink::testing
