#include "server/daemon/order_feeds.hpp"

#include <spdlog/spdlog.h>

#include <set>

#include "server/orders/order_book.hpp"

namespace hemalink::daemon {
namespace {

// A download goes on one of the analyzer's live connections.
orders::DownloadDelivery delivery_through(ConnectionRegistry& registry) {
  return {[&registry](const std::string& analyzer) {
            return registry.newest_of(analyzer).second != nullptr;
          },
          [&registry](const std::string& analyzer,
                      session::WorkToSend work) -> std::optional<std::uint64_t> {
            auto [number, connection] = registry.newest_of(analyzer);
            if (!connection) {
              return std::nullopt;
            }
            connection->send_work(std::move(work));
            return number;
          }};
}

std::set<std::string, std::less<>> downloading_analyzers(const DaemonConfig& c) {
  std::set<std::string, std::less<>> out;
  for (const auto& a : c.analyzers) {
    if (a.download_orders) {
      out.insert(a.name);
    }
  }
  return out;
}

// Tests stored with a code the table did not know become their canonical tests once the table
// knows it (the integrator fixed it and restarted): the unmapped codes panel empties and the
// work reaches the analyzers. A database not there yet only delays it to the next start.
void learn_mapped_codes(const std::string& dsn, const std::string& source,
                        const config::LisMapping& mapping) {
  auto learned = orders::remap_unmapped_tests(
      dsn, source, [&mapping](std::string_view code) { return mapping.ordered_tests(code); });
  if (!learned) {
    spdlog::warn("{}: the open tests with unknown codes were not mapped again: {}", source,
                 learned.error().detail);
  } else if (!learned->empty()) {
    spdlog::info("{}: {} open test(s) whose code the mapping table now knows ordered as mapped",
                 source, learned->size());
  }
}

}  // namespace

OrderFeeds::OrderFeeds(const DaemonConfig& config,
                       std::shared_ptr<ingest::CurrentMessageReader> reader,
                       ConnectionRegistry& registry)
    : dsn(config.database_url),
      order_marks(config.database_url),
      downloads(config.database_url, reader, downloading_analyzers(config),
                delivery_through(registry)),
      host_queries(config.database_url, reader, order_marks) {}

orders::OrderIntake& OrderFeeds::open_intake(const lis::LisDestination& lis,
                                             const config::LisMapping& mapping) {
  orders::OrderIntakeSettings settings;
  settings.dsn = dsn;
  settings.source = lis.name;
  settings.mapping = mapping;
  settings.charset = lis.orders->charset;
  settings.on_stored = [this](const records::OrderReceipt& orders,
                              const records::OrderChanges& changes) {
    if (orders.refusal || changes.refusal) {
      return;
    }
    std::vector<std::string> specimens;
    for (const auto& o : orders.orders) {
      specimens.push_back(o.order.specimen_id);
    }
    downloads.orders_arrived(std::move(specimens));
  };
  learn_mapped_codes(dsn, lis.name, settings.mapping);
  order_intakes.push_back(std::make_unique<orders::OrderIntake>(std::move(settings)));
  return *order_intakes.back();
}

}  // namespace hemalink::daemon
