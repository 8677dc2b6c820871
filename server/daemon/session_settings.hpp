#pragma once

#include <chrono>
#include <string>

#include "protocols/astm/e1381_link.hpp"
#include "server/config/analyzer_config.hpp"
#include "server/session/session_peer.hpp"

namespace hemalink::daemon {

/// What one connection of a configured analyzer runs with.
struct SessionSettings {
  session::SessionPeer peer;
  model::WireProtocol protocol = model::WireProtocol::Astm;
  astm::LinkOptions link;
  std::chrono::seconds idle_timeout{600};
};

/// The E1381 options of an analyzer: its link mode, timers and leniencies.
astm::LinkOptions link_options(const config::AnalyzerConfig& analyzer);

/// The settings of a connection of `analyzer` with the peer at `address`.
SessionSettings session_settings(const config::AnalyzerConfig& analyzer, std::string address);

}  // namespace hemalink::daemon
