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

std::shared_ptr<const api::LabView> HttpApi::lab_view() {
  return lab_view_of(
      config, {store, registry, lis_links, is_serving, *reader, *quality_control, downloads,
               reload_rules, follow_live, *versions, backtests, *events, *timings, *link_tally});
}

}  // namespace hemalink::daemon
