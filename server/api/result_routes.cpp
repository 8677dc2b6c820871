#include <fmt/format.h>

#include <charconv>

#include "server/api/lab_routes.hpp"
#include "server/api/route_params.hpp"
#include "server/api/test_names.hpp"

namespace hemalink::api {
namespace {

constexpr std::size_t kDefaultPage = 100;
constexpr std::size_t kMaxPage = 1000;

// A cursor is the last page's oldest result ID, as text the client hands back unchanged.
Result<std::optional<long long>, Error> cursor_param(const RouteCall& call) {
  const auto text = call.query("cursor");
  if (!text)
    return std::optional<long long>();
  long long id = 0;
  const auto* end = text->data() + text->size();
  const auto [at, error] = std::from_chars(text->data(), end, id);
  if (text->empty() || error != std::errc() || at != end || id < 1) {
    return Error{Errc::BadRequest,
                 fmt::format("cursor: \"{}\" is not a cursor this API handed out", *text)};
  }
  return std::optional<long long>(id);
}

RouteAnswer search(const LabView& view, const RouteCall& call) {
  records::ResultQuery q;
  q.analyzer = call.query("analyzer");
  q.code = call.query("code");
  q.patient = call.query("patient");
  HL_TRY(decision, choice_param(call, "decision", {"release", "hold", "rerun", "reject"}));
  HL_TRY(since, time_param(call, "since"));
  HL_TRY(until, time_param(call, "until"));
  HL_TRY(limit, limit_param(call, kDefaultPage, kMaxPage));
  HL_TRY(before_id, cursor_param(call));
  q.decision = std::move(decision);
  q.since = std::move(since);
  q.until = std::move(until);
  q.limit = limit;
  q.before_id = before_id;
  HL_TRY(results, stored(view.records.search_results(q)));
  return json_text_response(std::move(results));
}

}  // namespace

void add_result_routes(Router& router, View view) {
  router.add({"GET",
              "/api/v1/specimens/{specimen_id}",
              config::ApiRole::Viewer,
              {},
              [view](const RouteCall& call) -> RouteAnswer {
                const auto& id = call.param("specimen_id");
                HL_TRY(specimen, stored(view->records.specimen(id)));
                HL_TRY(document, found(std::move(specimen), fmt::format("no specimen \"{}\"", id)));
                auto named = nlohmann::json::parse(document);
                name_tests(named["transmissions"], view->analyzers);
                return json_text_response(named.dump());
              }});
  router.add({"GET",
              "/api/v1/results",
              config::ApiRole::Viewer,
              {"analyzer", "code", "patient", "decision", "since", "until", "limit", "cursor"},
              [view](const RouteCall& call) { return search(*view, call); }});
}

}  // namespace hemalink::api
