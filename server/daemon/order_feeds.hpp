#pragma once

#include <memory>
#include <string>
#include <vector>

#include "server/config/lis_mapping.hpp"
#include "server/daemon/connection_registry.hpp"
#include "server/daemon/daemon_config.hpp"
#include "server/ingest/current_message_reader.hpp"
#include "server/orders/host_query_desk.hpp"
#include "server/orders/order_intake.hpp"
#include "server/orders/order_marks.hpp"
#include "server/orders/work_download.hpp"

namespace hemalink::daemon {

/// Orders and the work sent of them: the marks of what analyzers acknowledged, the downloads
/// (told of connections and of orders that arrived), the host query desk, and one intake per
/// LIS that sends orders.
struct OrderFeeds {
  /// Downloads go on `registry`'s connections; answers are read with `reader`'s drivers.
  OrderFeeds(const DaemonConfig& config, std::shared_ptr<ingest::CurrentMessageReader> reader,
             ConnectionRegistry& registry);

  /// The intake of `lis`'s orders (its tests read with `mapping`), its orders' specimens told to
  /// the downloads once stored. The open tests stored with codes the mapping did not know are
  /// mapped again first.
  orders::OrderIntake& open_intake(const lis::LisDestination& lis,
                                   const config::LisMapping& mapping);

  std::string dsn;
  orders::OrderMarks order_marks;
  orders::WorkDownload downloads;
  orders::HostQueryDesk host_queries;
  std::vector<std::unique_ptr<orders::OrderIntake>> order_intakes;
};

}  // namespace hemalink::daemon
