#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "server/api/lab_routes.hpp"
#include "server/api/route_params.hpp"
#include "server/lis/outbox_admin.hpp"
#include "server/store/lab_records.hpp"

namespace hemalink::api {

void add_outbox_routes(Router& router, View view) {
  router.add({"GET",
              "/api/v1/outbox",
              config::ApiRole::Viewer,
              {"status", "destination", "limit"},
              [view](const RouteCall& call) {
                const auto status = choice_param(call, "status", {"pending", "sent", "dead"});
                const auto limit = limit_param(call, 100, 1000);
                return json_text_response(fmt::format(
                    "{{\"rows\":{}}}", stored(store::outbox_json(
                                           view->dsn, status, call.query("destination"), limit))));
              }});
  router.add({"POST",
              "/api/v1/outbox/{id}/resend",
              config::ApiRole::Admin,
              {},
              [view](const RouteCall& call) {
                const auto id = id_param(call, "id");
                if (!call.request.body.empty() &&
                    call.request.body.find_first_not_of(" \t\r\n{}") != std::string::npos) {
                  throw ClientError(400, "bad_request", "$: a resend takes no body (or {})");
                }
                const lis::OutboxAdmin admin(view->dsn);
                const auto resent = admin.resend(id, call.actor());
                if (!resent) {
                  if (resent.error().code == store::StoreErrc::Conflict) {
                    const auto row = stored(admin.show(id));
                    if (!row)
                      throw ClientError(404, "not_found", fmt::format("no outbox row {}", id));
                    throw ClientError(409, "conflict", resent.error().detail);
                  }
                  throw_store_error(resent.error());
                }
                return json_response({{"outbox_id", id}, {"status", "pending"}});
              }});
}

}  // namespace hemalink::api
