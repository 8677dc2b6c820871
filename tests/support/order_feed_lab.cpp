#include "tests/support/order_feed_lab.hpp"

namespace hemalink::testing {

using namespace std::chrono_literals;

lis::LisDestination order_feed_lis(std::uint16_t results_port, std::filesystem::path mapping_file) {
  lis::LisDestination d;
  d.name = "lis";
  d.transport =
      transport::TcpClientTransport{"127.0.0.1", results_port, 100ms, 400ms, std::nullopt};
  d.mapping_file = mapping_file.empty()
                       ? std::filesystem::path(HEMALINK_SOURCE_DIR) / "config/lis/example-lis.json"
                       : std::move(mapping_file);
  lis::LisOrderFeed feed;
  feed.transport = transport::TcpServerTransport{"127.0.0.1", 0, std::nullopt};
  d.orders = feed;
  return d;
}

simulate::SimulationReport send_messages(std::uint16_t port, model::WireProtocol protocol,
                                         std::vector<std::string> messages,
                                         std::chrono::milliseconds hold) {
  simulate::SimulationPlan plan;
  plan.analyzer.protocol = protocol;
  plan.targets = {{"127.0.0.1", port}};
  plan.messages = std::move(messages);
  plan.timeout = 30s;
  plan.hold = hold;
  return simulate::run_simulation(plan);
}

}  // namespace hemalink::testing
