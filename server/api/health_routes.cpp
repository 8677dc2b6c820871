#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "server/api/lab_routes.hpp"

namespace hemalink::api {
namespace {

using nlohmann::json;

// Why the daemon is not ready to take work, each reason in words; empty when it is.
std::vector<std::string> unready_reasons(const LabView& v) {
  std::vector<std::string> reasons;
  if (!v.daemon.is_serving())
    reasons.push_back("the analyzer listeners are not all bound (starting or stopping)");
  if (auto pinged = v.records.ping(); !pinged)
    reasons.push_back(fmt::format("the database does not answer: {}", pinged.error().detail));
  if (const auto h = v.daemon.store_health(); h.is_degraded) {
    reasons.push_back(fmt::format(
        "the store is spooling ({} receipts waiting): it cannot write to the database{}",
        h.spooled_pending, h.last_error.empty() ? "" : ": " + h.last_error));
  }
  for (const auto& lis : v.daemon.lis()) {
    if (!lis.is_connected)
      reasons.push_back(fmt::format("LIS destination {} is not connected", lis.name));
  }
  return reasons;
}

}  // namespace

void add_health_routes(Router& router, View view) {
  router.add({"GET", "/healthz", std::nullopt, {}, [](const RouteCall&) {
                return json_response({{"status", "alive"}});
              }});
  router.add({"GET", "/readyz", std::nullopt, {}, [view](const RouteCall&) {
                const auto reasons = unready_reasons(*view);
                if (reasons.empty())
                  return json_response({{"status", "ready"}});
                return json_response({{"status", "not_ready"}, {"reasons", reasons}}, 503);
              }});
}

}  // namespace hemalink::api
