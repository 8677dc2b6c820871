#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "server/api/lab_routes.hpp"
#include "server/api/route_params.hpp"

namespace hemalink::api {

void add_record_routes(Router& router, View view) {
  router.add({"GET",
              "/api/v1/messages/{id}",
              config::ApiRole::Admin,
              {},
              [view](const RouteCall& call) -> RouteAnswer {
                static const std::regex kUuid(
                    "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
                const auto& id = call.param("id");
                if (!std::regex_match(id, kUuid))
                  return Error{Errc::NotFound,
                               fmt::format("no message \"{}\" (message IDs are UUIDs)", id)};
                HL_TRY(message, stored(view->records.message(id)));
                HL_TRY(document, found(std::move(message), fmt::format("no message {}", id)));
                return json_text_response(std::move(document));
              }});
  router.add({"GET",
              "/api/v1/audit",
              config::ApiRole::Viewer,
              {"entity", "since", "limit"},
              [view](const RouteCall& call) -> RouteAnswer {
                HL_TRY(since, time_param(call, "since"));
                HL_TRY(limit, limit_param(call, 100, 1000));
                HL_TRY(entries, stored(view->records.audit(call.query("entity"), since, limit)));
                return json_text_response(fmt::format("{{\"entries\":{}}}", entries));
              }});
}

}  // namespace hemalink::api
