#include "server/api/lab_routes.hpp"
#include "server/api/web_page.hpp"

namespace hemalink::api {
namespace {

RouteAnswer page_response(std::string_view name) {
  const auto file = page_file(name);
  if (!file)
    return Error{Errc::NotFound, "the page has no file of that name"};
  ApiResponse r;
  r.content_type = std::string(file->content_type);
  r.body = std::string(file->content);
  return r;
}

}  // namespace

// The page and its files are public (they hold no patient data); everything they show comes from
// /api/v1 with the token the technologist signs in with.
void add_page_routes(Router& router) {
  router.add(
      {"GET", "/", std::nullopt, {}, [](const RouteCall&) { return page_response("index.html"); }});
  router.add({"GET", "/ui/{file}", std::nullopt, {}, [](const RouteCall& call) {
                return page_response(call.param("file"));
              }});
}

}  // namespace hemalink::api
