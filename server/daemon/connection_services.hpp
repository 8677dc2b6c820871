#pragma once

#include <memory>

#include "server/daemon/connection_registry.hpp"
#include "server/metrics/link_tally.hpp"
#include "server/metrics/message_timings.hpp"
#include "server/orders/host_query_desk.hpp"
#include "server/orders/order_marks.hpp"
#include "server/orders/work_download.hpp"
#include "server/store/message_sink.hpp"

namespace hemalink::daemon {

/// What every connection of the daemon shares.
struct ConnectionServices {
  store::MessageSink& messages;  ///< The store, or a LIS's order intake.
  ConnectionRegistry& registry;
  std::shared_ptr<metrics::LinkTally> link_tally;    ///< Of the ASTM links, per analyzer.
  std::shared_ptr<metrics::MessageTimings> timings;  ///< Every message's stages.
  /// Answers the analyzers' host queries from the order book; none: "no information".
  orders::HostQueryDesk* host_queries;
  /// Where the analyzers' acknowledgements of the work they were sent are written; none: not.
  orders::OrderMarks* order_marks;
  /// Told when an analyzer took work, so that a download left for later goes on; none: nothing.
  orders::WorkDownload* downloads;
};

}  // namespace hemalink::daemon
