#include <fmt/chrono.h>
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "server/api/lab_routes.hpp"
#include "server/api/route_params.hpp"
#include "server/store/qc_records.hpp"

namespace hemalink::api {
namespace {

using nlohmann::json;

json time_or_null(const std::optional<std::chrono::system_clock::time_point>& t) {
  if (!t) {
    return nullptr;
  }
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}Z",
                     std::chrono::time_point_cast<std::chrono::seconds>(*t));
}

json gate_json(const qc::TestGate& g) {
  return {{"analyzer", g.analyzer},
          {"test", g.test},
          {"status", qc::to_string(g.state.status)},
          {"under_qc", g.state.is_under_qc},
          {"reason", g.state.reason},
          {"last_run_at", time_or_null(g.last_run_at)},
          {"rejected_at", time_or_null(g.rejected_at)}};
}

}  // namespace

void add_qc_routes(Router& router, View view) {
  router.add({"GET",
              "/api/v1/qc/gates",
              config::ApiRole::Viewer,
              {"analyzer"},
              [view](const RouteCall& call) {
                const auto analyzer = call.query("analyzer");
                json gates = json::array();
                for (const auto& g :
                     view->qc_gates ? view->qc_gates() : std::vector<qc::TestGate>{}) {
                  if (!analyzer || g.analyzer == *analyzer) {
                    gates.push_back(gate_json(g));
                  }
                }
                return json_response({{"gates", gates}});
              }});
  router.add({"GET",
              "/api/v1/qc/{analyzer}/{test}",
              config::ApiRole::Viewer,
              {"material", "lot", "since", "limit"},
              [view](const RouteCall& call) {
                store::QcSeriesQuery q;
                q.analyzer = call.param("analyzer");
                q.test = call.param("test");
                q.material = call.query("material");
                q.lot = call.query("lot");
                q.since = time_param(call, "since");
                q.limit = limit_param(call, 500, 5000);
                return json_text_response(stored(store::qc_series_json(view->dsn, q)));
              }});
  router.add({"GET",
              "/api/v1/qc/{analyzer}/{test}/averages",
              config::ApiRole::Viewer,
              {"since", "limit"},
              [view](const RouteCall& call) {
                return json_text_response(stored(store::qc_averages_json(
                    view->dsn, call.param("analyzer"), call.param("test"),
                    time_param(call, "since"), limit_param(call, 500, 5000))));
              }});
  router.add({"GET",
              "/api/v1/qc/{analyzer}/{test}/bracket",
              config::ApiRole::Viewer,
              {},
              [view](const RouteCall& call) {
                return json_text_response(stored(
                    store::qc_bracket_json(view->dsn, call.param("analyzer"), call.param("test"))));
              }});
}

}  // namespace hemalink::api
