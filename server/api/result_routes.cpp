#include <fmt/format.h>

#include <charconv>

#include "server/api/lab_routes.hpp"
#include "server/api/route_params.hpp"

namespace hemalink::api {
namespace {

constexpr std::size_t kDefaultPage = 100;
constexpr std::size_t kMaxPage = 1000;

// A cursor is the last page's oldest result ID, as text the client hands back unchanged.
std::optional<long long> cursor_param(const RouteCall& call) {
  const auto text = call.query("cursor");
  if (!text)
    return std::nullopt;
  long long id = 0;
  const auto* end = text->data() + text->size();
  const auto [at, error] = std::from_chars(text->data(), end, id);
  if (text->empty() || error != std::errc() || at != end || id < 1) {
    throw ClientError(Errc::BadRequest,
                      fmt::format("cursor: \"{}\" is not a cursor this API handed out", *text));
  }
  return id;
}

ApiResponse search(const LabView& view, const RouteCall& call) {
  records::ResultQuery q;
  q.analyzer = call.query("analyzer");
  q.code = call.query("code");
  q.patient = call.query("patient");
  q.decision = choice_param(call, "decision", {"release", "hold", "rerun", "reject"});
  q.since = time_param(call, "since");
  q.until = time_param(call, "until");
  q.limit = limit_param(call, kDefaultPage, kMaxPage);
  q.before_id = cursor_param(call);
  return json_text_response(stored(view.records.search_results(q)));
}

}  // namespace

void add_result_routes(Router& router, View view) {
  router.add({"GET",
              "/api/v1/specimens/{specimen_id}",
              config::ApiRole::Viewer,
              {},
              [view](const RouteCall& call) {
                const auto& id = call.param("specimen_id");
                return json_text_response(found(stored(view->records.specimen(id)),
                                                fmt::format("no specimen \"{}\"", id)));
              }});
  router.add({"GET",
              "/api/v1/results",
              config::ApiRole::Viewer,
              {"analyzer", "code", "patient", "decision", "since", "until", "limit", "cursor"},
              [view](const RouteCall& call) { return search(*view, call); }});
}

}  // namespace hemalink::api
