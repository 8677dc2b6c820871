#include <nlohmann/json.hpp>

#include "server/api/lab_routes.hpp"

namespace hemalink::api {

// The caller, as its token names it: what a client (the web page) shows and what it offers.
void add_me_route(Router& router) {
  router.add({"GET", "/api/v1/me", config::ApiRole::Viewer, {}, [](const RouteCall& call) {
                return json_response(
                    {{"user", call.user->name}, {"role", config::to_string(call.user->role)}});
              }});
}

}  // namespace hemalink::api
