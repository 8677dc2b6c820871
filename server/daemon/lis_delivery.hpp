#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "server/api/event_hub.hpp"
#include "server/daemon/daemon_config.hpp"
#include "server/lis/lis_counters.hpp"
#include "server/lis/lis_link.hpp"
#include "server/lis/outbox_watch.hpp"

namespace hemalink::daemon {

/// Released results to the LIS destinations: one link each (bound when the daemon starts), and
/// the outbox watch that wakes them when rows are written.
class LisDelivery {
 public:
  /// Binds each destination's link. Throws std::runtime_error naming the mapping file or address
  /// when it cannot: a start-up failure.
  LisDelivery(const DaemonConfig& config, std::shared_ptr<api::EventHub> events);

  /// Starts the links and the outbox watch (none without a destination).
  void start();
  /// Stops the links: no new claim, what is in flight ends.
  void stop_links();
  /// Stops the outbox watch, once the pool that ran the links has ended.
  void stop_watch();

  const std::vector<std::shared_ptr<lis::LisLink>>& links() const { return links_; }
  /// The mapping table of config.lis[i].
  const config::LisMapping& mapping(std::size_t i) const { return links_[i]->settings().mapping; }
  /// The port destination `name` listens on (tcp-server); nullopt for a name that is none.
  std::optional<std::uint16_t> port_of(std::string_view name) const;
  /// What destination `name` did since start; nullptr for a name that is none.
  const lis::LisCounters* counters(std::string_view name) const;

 private:
  const lis::LisLink* link_named(std::string_view name) const;

  std::string dsn_;
  std::vector<std::shared_ptr<lis::LisLink>> links_;
  std::unique_ptr<lis::OutboxWatch> outbox_watch_;
};

}  // namespace hemalink::daemon
