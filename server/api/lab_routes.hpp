#pragma once

#include <memory>
#include <string_view>

#include "server/api/api_error.hpp"
#include "server/api/lab_view.hpp"
#include "server/api/router.hpp"

namespace hemalink::api {

using View = std::shared_ptr<const LabView>;

// Each adds one resource's routes (one file each).
void add_health_routes(Router& router, View view);
void add_metrics_route(Router& router, View view);
void add_analyzer_routes(Router& router, View view);
void add_result_routes(Router& router, View view);
void add_review_routes(Router& router, View view);
/// GET /api/v1/review/comments (viewer), PUT and DELETE /api/v1/review/comments/{code} (admin).
void add_comment_code_routes(Router& router, View view);
void add_outbox_routes(Router& router, View view);
void add_order_routes(Router& router, View view);
void add_record_routes(Router& router, View view);
void add_rules_routes(Router& router, View view);
void add_qc_routes(Router& router, View view);
void add_qc_held_routes(Router& router, View view);
/// GET /api/v1/events without an upgrade: 426, how to connect.
void add_events_route(Router& router);
inline constexpr std::string_view kEventsPath = "/api/v1/events";
/// GET /api/v1/openapi.json: the OpenAPI 3 description of every route.
void add_openapi_route(Router& router);

/// GET /api/v1/me: the caller's user and role.
void add_me_route(Router& router);
/// GET / and /ui/{file}: the technologist's page, compiled in (public).
void add_page_routes(Router& router);

/// The whole API of a running daemon.
Router lab_router(View view, TokenBook tokens);

}  // namespace hemalink::api
