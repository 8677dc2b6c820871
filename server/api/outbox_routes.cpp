#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "server/api/lab_routes.hpp"
#include "server/api/route_params.hpp"
#include "server/lis/outbox_admin.hpp"

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
                    "{{\"rows\":{}}}",
                    stored(view->outbox.list_json({call.query("destination"), status, limit}))));
              }});
  router.add({"POST",
              "/api/v1/outbox/{id}/resend",
              config::ApiRole::Admin,
              {},
              [view](const RouteCall& call) {
                const auto id = id_param(call, "id");
                if (!call.request.body.empty() &&
                    call.request.body.find_first_not_of(" \t\r\n{}") != std::string::npos) {
                  throw ClientError(Errc::BadRequest, "$: a resend takes no body (or {})");
                }
                const auto& admin = view->outbox;
                const auto resent = admin.resend(id, call.actor());
                if (!resent) {
                  if (resent.error().code == store::StoreErrc::Conflict) {
                    const auto row = stored(admin.show(id));
                    if (!row)
                      throw ClientError(Errc::NotFound, fmt::format("no outbox row {}", id));
                    throw ClientError(Errc::Conflict, resent.error().detail);
                  }
                  throw_store_error(resent.error());
                }
                return json_response({{"outbox_id", id}, {"status", "pending"}});
              }});
}

}  // namespace hemalink::api
