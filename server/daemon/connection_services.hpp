#pragma once

#include <memory>

#include "server/daemon/connection_registry.hpp"
#include "server/session/leniency_tally.hpp"
#include "server/session/message_timings.hpp"
#include "server/store/store.hpp"

namespace hemalink::daemon {

/// What every connection of the daemon shares.
struct ConnectionServices {
  store::Store& store;
  ConnectionRegistry& registry;
  std::shared_ptr<session::LeniencyTally> leniencies;  ///< Of the ASTM links, per analyzer.
  std::shared_ptr<session::MessageTimings> timings;    ///< Every message's stages.
};

}  // namespace hemalink::daemon
