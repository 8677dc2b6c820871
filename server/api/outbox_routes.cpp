#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "server/api/lab_routes.hpp"
#include "server/api/route_params.hpp"
#include "server/lis/outbox_admin.hpp"

namespace hemalink::api {

void add_outbox_routes(Router& router, View view) {
  router.add(
      {"GET",
       "/api/v1/outbox",
       config::ApiRole::Viewer,
       {"status", "destination", "limit"},
       [view](const RouteCall& call) -> RouteAnswer {
         HL_TRY(status, choice_param(call, "status", {"pending", "sent", "dead"}));
         HL_TRY(limit, limit_param(call, 100, 1000));
         HL_TRY(rows, stored(view->outbox.list_json({call.query("destination"), status, limit})));
         return json_text_response(fmt::format("{{\"rows\":{}}}", rows));
       }});
  router.add({"POST",
              "/api/v1/outbox/{id}/resend",
              config::ApiRole::Admin,
              {},
              [view](const RouteCall& call) -> RouteAnswer {
                HL_TRY(id, id_param(call, "id"));
                if (!call.request.body.empty() &&
                    call.request.body.find_first_not_of(" \t\r\n{}") != std::string::npos) {
                  return Error{Errc::BadRequest, "$: a resend takes no body (or {})"};
                }
                const auto& admin = view->outbox;
                const auto resent = admin.resend(id, call.actor());
                if (!resent) {
                  if (resent.error().code == store::StoreErrc::Conflict) {
                    HL_TRY(row, stored(admin.show(id)));
                    if (!row)
                      return Error{Errc::NotFound, fmt::format("no outbox row {}", id)};
                    return Error{Errc::Conflict, resent.error().detail};
                  }
                  return api_error_of(resent.error());
                }
                return json_response({{"outbox_id", id}, {"status", "pending"}});
              }});
}

}  // namespace hemalink::api
