#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "server/api/lab_routes.hpp"
#include "server/api/route_params.hpp"
#include "server/files/json_fields.hpp"
#include "server/qc/qc_records.hpp"

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
          {"status", records::to_string(g.state.status)},
          {"under_qc", g.state.is_under_qc},
          {"reason", g.state.reason},
          {"last_run_at", time_or_null(g.last_run_at)},
          {"rejected_at", time_or_null(g.rejected_at)}};
}

json definition_json(const qc::ControlDefinition& d, bool is_put) {
  json out = {{"analyzer", d.key.analyzer},
              {"test", d.key.test},
              {"material", d.key.material},
              {"level", d.key.level},
              {"lot", d.key.lot},
              {"sample", d.sample},
              {"source", is_put ? "api" : "file"}};
  if (d.target) {
    out["mean"] = d.target->mean;
    out["sd"] = d.target->sd;
  } else if (d.establish_runs != 0) {
    out["establish"] = d.establish_runs;
  } else {
    out["establish"] = nullptr;  // qc.establish_runs
  }
  return out;
}

constexpr std::size_t kMaxReason = 1000;

// A definition from the body, checked as the file's are, for a configured analyzer.
Result<qc::QcDefinitionRow, Error> definition_row(const RouteCall& call, const LabView& view,
                                                  qc::ControlDefinition& d) {
  qc::QcDefinitionRow row;
  auto read = read_json_body(call, [&](files::JsonFields& f) {
    d = qc::read_control_definition(f);
    f.text("reason", row.reason, true);
    if (f.has("reason") && (row.reason.find_first_not_of(" \t\r\n") == std::string::npos ||
                            row.reason.size() > kMaxReason)) {
      f.error(f.path_of("reason"),
              fmt::format("expected why, in words (1-{} characters)", kMaxReason));
    }
    const bool configured =
        std::any_of(view.analyzers.begin(), view.analyzers.end(),
                    [&](const AnalyzerEntry& a) { return a.name == d.key.analyzer; });
    if (f.has("analyzer") && !configured) {
      f.error(f.path_of("analyzer"),
              fmt::format("no analyzer \"{}\" is configured", d.key.analyzer));
    }
  });
  if (!read)
    return read.error();
  row.analyzer = d.key.analyzer;
  row.test = d.key.test;
  row.material = d.key.material;
  row.level = d.key.level;
  row.lot = d.key.lot;
  row.sample = d.sample;
  if (d.target) {
    row.mean = d.target->mean;
    row.sd = d.target->sd;
  } else if (d.establish_runs != 0) {
    row.establish_runs = static_cast<int>(d.establish_runs);
  }  // else NULL: established from qc.establish_runs, whatever it is when the results come
  row.changed_by = call.actor();
  return row;
}

}  // namespace

void add_qc_routes(Router& router, View view) {
  router.add(
      {"GET", "/api/v1/qc/definitions", config::ApiRole::Viewer, {}, [view](const RouteCall&) {
         json list = json::array();
         for (const auto& d : view->daemon.qc_definitions()) {
           list.push_back(definition_json(d.definition, d.is_put));
         }
         return json_response({{"definitions", list}});
       }});
  router.add({"POST",
              "/api/v1/qc/definitions",
              config::ApiRole::Admin,
              {},
              [view](const RouteCall& call) -> RouteAnswer {
                qc::ControlDefinition d;
                HL_TRY(row, definition_row(call, *view, d));
                HL_TRY(stored_row, stored(view->qc.put_definition(row)));
                view->daemon.qc_define(d);
                auto out = definition_json(d, true);
                out["reason"] = stored_row.reason;
                out["changed_by"] = stored_row.changed_by;
                out["changed_at"] = stored_row.changed_at;
                return json_response(out);
              }});
  router.add({"GET",
              "/api/v1/qc/gates",
              config::ApiRole::Viewer,
              {"analyzer"},
              [view](const RouteCall& call) {
                const auto analyzer = call.query("analyzer");
                json gates = json::array();
                for (const auto& g : view->daemon.qc_gates()) {
                  if (!analyzer || g.analyzer == *analyzer) {
                    gates.push_back(gate_json(g));
                  }
                }
                return json_response({{"gates", gates}});
              }});
  router.add({"GET",
              "/api/v1/qc/averages",
              config::ApiRole::Viewer,
              {"analyzer"},
              [view](const RouteCall& call) -> RouteAnswer {
                HL_TRY(averages, stored(view->qc.latest_averages(call.query("analyzer"))));
                return json_text_response(std::move(averages));
              }});
  router.add({"GET",
              "/api/v1/qc/{analyzer}/{test}",
              config::ApiRole::Viewer,
              {"material", "lot", "since", "limit"},
              [view](const RouteCall& call) -> RouteAnswer {
                qc::QcSeriesQuery q;
                q.analyzer = call.param("analyzer");
                q.test = call.param("test");
                q.material = call.query("material");
                q.lot = call.query("lot");
                HL_TRY(since, time_param(call, "since"));
                HL_TRY(limit, limit_param(call, 500, 5000));
                q.since = std::move(since);
                q.limit = limit;
                HL_TRY(series, stored(view->qc.series(q)));
                return json_text_response(std::move(series));
              }});
  router.add({"GET",
              "/api/v1/qc/{analyzer}/{test}/averages",
              config::ApiRole::Viewer,
              {"since", "limit"},
              [view](const RouteCall& call) -> RouteAnswer {
                HL_TRY(since, time_param(call, "since"));
                HL_TRY(limit, limit_param(call, 500, 5000));
                HL_TRY(averages, stored(view->qc.averages(call.param("analyzer"),
                                                          call.param("test"), since, limit)));
                return json_text_response(std::move(averages));
              }});
  router.add({"GET",
              "/api/v1/qc/{analyzer}/{test}/bracket",
              config::ApiRole::Viewer,
              {},
              [view](const RouteCall& call) -> RouteAnswer {
                HL_TRY(bracket,
                       stored(view->qc.bracket(call.param("analyzer"), call.param("test"))));
                return json_text_response(std::move(bracket));
              }});
}

}  // namespace hemalink::api
