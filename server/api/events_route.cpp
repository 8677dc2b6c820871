#include "server/api/lab_routes.hpp"

namespace hemalink::api {

// The WebSocket itself is the HTTP server's (an upgrade request never reaches a route); a plain
// GET is told how to connect.
void add_events_route(Router& router) {
  router.add({"GET",
              std::string(kEventsPath),
              config::ApiRole::Viewer,
              {"since", "access_token"},
              [](const RouteCall&) {
                auto r = error_response({Errc::UpgradeRequired,
                                         "the live events are a WebSocket: connect with "
                                         "Upgrade: websocket (and ?since=SEQ to resume)"});
                r.headers.emplace_back("Upgrade", "websocket");
                return r;
              }});
}

}  // namespace hemalink::api
