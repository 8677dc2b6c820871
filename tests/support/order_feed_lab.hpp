#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "server/daemon/daemon_config.hpp"
#include "server/simulate/simulation.hpp"

namespace hemalink::testing {

/// The LIS destination "lis" of the order tests: results go to 127.0.0.1:`results_port` (9:
/// nobody listens, they wait in the outbox), orders come on a listener of its own on port 0, and
/// codes map by `mapping_file` (the example LIS's table unless given).
lis::LisDestination order_feed_lis(std::uint16_t results_port = 9,
                                   std::filesystem::path mapping_file = {});

/// `messages` sent by one simulated analyzer (or LIS) to 127.0.0.1:`port`, each after the
/// previous one's answer; the connection held `hold` after the last (for a host's reply).
simulate::SimulationReport send_messages(std::uint16_t port, model::WireProtocol protocol,
                                         std::vector<std::string> messages,
                                         std::chrono::milliseconds hold = {});

}  // namespace hemalink::testing
