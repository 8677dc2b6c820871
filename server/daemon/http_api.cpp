#include "server/daemon/http_api.hpp"

#include <spdlog/spdlog.h>

#include <filesystem>

#include "server/api/lab_routes.hpp"
#include "server/daemon/lab_view_of.hpp"

namespace hemalink::daemon {

void HttpApi::open(boost::asio::io_context& io) {
  if (config.http.listen.empty()) {
    spdlog::info("no HTTP API (http.listen is empty)");
    return;
  }
  std::error_code ignored;
  if (!config.http.tokens_file.empty() &&
      !std::filesystem::exists(config.http.tokens_file, ignored)) {
    spdlog::warn("api.tokens_file {} does not exist: no tokens from it",
                 config.http.tokens_file.string());
  }
  if (config.http.tokens.empty()) {
    spdlog::warn(
        "api.tokens is empty: every /api/v1 call will be refused (hemalink token "
        "makes one)");
  }
  auto router = std::make_shared<api::Router>(
      api::lab_router(lab_view(), api::TokenBook(config.http.tokens)));
  http = std::make_unique<api::HttpServer>(io, config.http, std::move(router), events);
}

void HttpApi::start() {
  if (http)
    http->start();
}

void HttpApi::stop() {
  if (http)
    http->stop();
}

std::uint16_t HttpApi::port() const {
  return http ? http->port() : 0;
}

std::shared_ptr<api::LabView> HttpApi::lab_view() {
  auto v = std::make_shared<api::LabView>();
  v->dsn = config.database_url;
  v->orders_overdue_after = config.orders.overdue_after;
  for (const auto& d : config.lis)
    v->lis_routes.push_back({d.name, d.analyzers});
  v->analyzers = analyzer_entries(config);
  v->store_health = [this] { return store.health(); };
  v->message_counts = [this] { return store.message_counts(); };
  v->rule_firings = [this] { return store.rule_firings(); };
  v->connections = [this] { return registry.peers(); };
  v->lis = [this] {
    std::vector<api::LisEntry> out;
    for (const auto& link : lis_links)
      out.push_back({link->name(), config::to_string(link->settings().destination.protocol),
                     link->is_connected(), &link->counters()});
    return out;
  };
  v->is_serving = [this] { return is_serving.load(); };
  v->reload_rules = [this] { return reload_rules(); };
  v->rule_set = [this] { return reader->get()->rule_set(); };
  v->qc_gates = [this] { return quality_control->gates(std::chrono::system_clock::now()); };
  v->qc_excursions = [this] { return quality_control->excursions(); };
  v->qc_definitions = [this] {
    // The definitions put before a restart; the read's failure is logged, and read again.
    quality_control->restore_if_needed();
    return quality_control->definitions();
  };
  v->qc_define = [this](const qc::ControlDefinition& d) {
    quality_control->override_definition(d);
  };
  v->orders_changed = [this](const std::string& specimen) { downloads.orders_arrived({specimen}); };
  v->events = events;
  v->timings = timings.get();
  v->link_tally = link_tally.get();
  return v;
}

}  // namespace hemalink::daemon
