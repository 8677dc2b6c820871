#pragma once

#include <memory>

#include "server/daemon/connection_registry.hpp"
#include "server/ingest/current_message_reader.hpp"
#include "server/session/leniency_tally.hpp"
#include "server/store/store.hpp"

namespace hemalink::daemon {

/// What every connection of the daemon shares.
struct ConnectionServices {
  store::Store& store;
  std::shared_ptr<const ingest::CurrentMessageReader> reader;
  ConnectionRegistry& registry;
  std::shared_ptr<session::LeniencyTally> leniencies;  ///< Of the ASTM links, per analyzer.
};

}  // namespace hemalink::daemon
