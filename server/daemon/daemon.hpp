#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string_view>

#include "server/api/event_hub.hpp"
#include "server/daemon/daemon_config.hpp"
#include "server/lis/lis_counters.hpp"
#include "server/metrics/link_tally.hpp"
#include "server/metrics/message_timings.hpp"
#include "server/store/store.hpp"

namespace hemalink::daemon {

struct DaemonOptions {
  /// SIGTERM/SIGINT stop the daemon, SIGHUP reloads `config_file`. Tests run without.
  bool handle_signals = true;
  /// Where the configuration came from, read again on SIGHUP.
  std::filesystem::path config_file;
};

/// `hemalink serve`: the store, the reader and one transport per configured analyzer, run
/// by a pool of threads. Stopping (SIGTERM, SIGINT or stop()) closes the listeners, lets every
/// connection write the acknowledgements of what the store already has (for up to
/// shutdown_grace), closes them, and flushes the store. A message the analyzer did not see
/// acknowledged is one it sends again.
class Daemon {
 public:
  /// Opens the store's spools and binds every listener. Throws std::runtime_error naming the
  /// analyzer, address or file when it cannot: a start-up failure.
  Daemon(DaemonConfig config, DaemonOptions options);
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  /// Runs until stopped; returns the process exit code (0 after a clean stop).
  int run();
  /// Asks run() to stop, from any thread.
  void stop();
  /// Replaces mapping tables (and rules) for every analyzer without dropping a connection.
  /// False, with the errors logged, when the new configuration does not build: the old one
  /// stays in force.
  bool reload(const DaemonConfig& config);

  /// The port a tcp-server analyzer or LIS destination listens on (0 when it has none).
  std::uint16_t port_of(std::string_view analyzer) const;
  /// The port a LIS's order feed listens on (tcp-server), else 0.
  std::uint16_t order_feed_port(std::string_view lis) const;
  /// The port the HTTP API listens on (0 when it has none).
  std::uint16_t http_port() const;
  store::StoreHealth health() const;
  std::size_t connection_count() const;
  /// What the analyzers' ASTM links noticed (leniencies used, frames repeated, link errors).
  const metrics::LinkTally& link_tally() const;
  /// How long every message took from its last byte to its acknowledgement, stage by stage.
  const metrics::MessageTimings& message_timings() const;
  /// The live events of the API (GET /api/v1/events).
  api::EventHub& events() const;
  /// What a LIS destination did since start; nullptr for a name that is none.
  const lis::LisCounters* lis_counters(std::string_view destination) const;

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
};

}  // namespace hemalink::daemon
