#include "server/api/lab_routes.hpp"

namespace hemalink::api {

Router lab_router(View view, TokenBook tokens) {
  Router router(std::move(tokens));
  add_health_routes(router, view);
  add_metrics_route(router, view);
  add_openapi_route(router);
  add_analyzer_routes(router, view);
  add_result_routes(router, view);
  add_review_routes(router, view);
  add_comment_code_routes(router, view);
  add_outbox_routes(router, view);
  add_order_routes(router, view);
  add_record_routes(router, view);
  add_rules_routes(router, view);
  add_qc_routes(router, view);
  add_qc_held_routes(router, view);
  add_events_route(router);
  add_me_route(router);
  add_page_routes(router);
  return router;
}

}  // namespace hemalink::api
