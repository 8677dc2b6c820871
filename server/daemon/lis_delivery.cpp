#include "server/daemon/lis_delivery.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>
#include <stdexcept>

#include "server/api/lab_events.hpp"
#include "server/files/file_error.hpp"

namespace hemalink::daemon {
namespace {

// This process as outbox.claimed_by names it.
std::string node_name() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) {
    std::snprintf(host, sizeof host, "unknown");
  }
  return fmt::format("{}:{}", host, static_cast<long>(getpid()));
}

std::vector<std::shared_ptr<lis::LisLink>> make_lis_links(const DaemonConfig& c,
                                                          std::shared_ptr<api::EventHub> events) {
  auto mappings = lis::load_lis_mappings(c.lis);
  if (!mappings) {
    throw std::runtime_error(files::describe(mappings.error(), "; "));  // a start-up failure
  }
  std::vector<std::shared_ptr<lis::LisLink>> links;
  const auto node = node_name();
  for (std::size_t i = 0; i < c.lis.size(); ++i) {
    lis::LisLinkSettings settings;
    settings.destination = c.lis[i];
    settings.mapping = std::move((*mappings)[i]);
    settings.dsn = c.database_url;
    settings.node = node;
    settings.on_row_settled = [events, name = c.lis[i].name](const lis::ClaimedRow& row,
                                                             bool is_delivered) {
      api::publish_settled(*events, name, row, is_delivered);
    };
    links.push_back(std::make_shared<lis::LisLink>(std::move(settings)));
    links.back()->bind();
  }
  return links;
}

}  // namespace

LisDelivery::LisDelivery(const DaemonConfig& config, std::shared_ptr<api::EventHub> events)
    : dsn_(config.database_url), links_(make_lis_links(config, std::move(events))) {}

void LisDelivery::start() {
  for (auto& link : links_) {
    link->start();
  }
  if (links_.empty()) {
    spdlog::info("no LIS destination configured: released results are stored and go nowhere");
    return;
  }
  outbox_watch_ = std::make_unique<lis::OutboxWatch>(dsn_, [this](const std::string& destination) {
    for (auto& link : links_) {
      if (destination.empty() || link->name() == destination) {
        link->notice_rows();
      }
    }
  });
}

void LisDelivery::stop_links() {
  for (auto& link : links_) {
    link->stop();
  }
}

void LisDelivery::stop_watch() {
  if (outbox_watch_) {
    outbox_watch_->stop();
  }
}

const lis::LisLink* LisDelivery::link_named(std::string_view name) const {
  for (const auto& link : links_) {
    if (link->name() == name) {
      return link.get();
    }
  }
  return nullptr;
}

std::optional<std::uint16_t> LisDelivery::port_of(std::string_view name) const {
  const auto* link = link_named(name);
  return link ? std::optional(link->port()) : std::nullopt;
}

const lis::LisCounters* LisDelivery::counters(std::string_view name) const {
  const auto* link = link_named(name);
  return link ? &link->counters() : nullptr;
}

}  // namespace hemalink::daemon
