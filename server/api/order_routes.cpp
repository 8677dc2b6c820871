#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "server/api/lab_routes.hpp"
#include "server/api/route_params.hpp"

namespace hemalink::api {

void add_order_routes(Router& router, View view) {
  router.add({"GET",
              "/api/v1/orders",
              config::ApiRole::Viewer,
              {"specimen", "overdue", "limit"},
              [view](const RouteCall& call) -> RouteAnswer {
                HL_TRY(overdue, choice_param(call, "overdue", {"true", "false"}));
                HL_TRY(limit, limit_param(call, 100, 1000));
                HL_TRY(orders, stored(view->orders.orders(call.query("specimen"),
                                                          overdue.value_or("false") == "true",
                                                          view->orders_overdue_after, limit)));
                return json_text_response(fmt::format("{{\"overdue_after_min\":{},\"orders\":{}}}",
                                                      view->orders_overdue_after.count(), orders));
              }});
  router.add({"GET",
              "/api/v1/orders/unmapped",
              config::ApiRole::Viewer,
              {},
              [view](const RouteCall&) -> RouteAnswer {
                HL_TRY(unmapped, stored(view->orders.unmapped_codes()));
                return json_text_response(fmt::format("{{\"unmapped\":{}}}", unmapped));
              }});
}

}  // namespace hemalink::api
