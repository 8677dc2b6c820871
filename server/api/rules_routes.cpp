#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "server/api/lab_routes.hpp"
#include "server/api/route_params.hpp"
#include "server/rules/rule_cases.hpp"

namespace hemalink::api {
namespace {

using nlohmann::json;

RouteAnswer reload(const LabView& view, const RouteCall& call) {
  if (!call.request.body.empty() &&
      call.request.body.find_first_not_of(" \t\r\n{}") != std::string::npos) {
    return Error{Errc::BadRequest, "$: a reload takes no body (or {})"};
  }
  HL_TRY(done, stored(view.rules.reload(call.actor())));
  if (!done.is_done) {
    return Error{Errc::RulesInvalid,
                 fmt::format("the rules were not reloaded (the running set {} stays): {}",
                             done.previous_version.empty() ? "(none)" : done.previous_version,
                             fmt::join(done.errors, "; "))};
  }
  view.events.publish("rules_reloaded", {{"version", done.version}, {"by", call.actor()}});
  return json_response(
      {{"rule_set_version", done.version}, {"previous_version", done.previous_version}});
}

json fired_json(const model::Decision& d) {
  json fired = json::array();
  for (const auto& f : d.fired)
    fired.push_back(
        {{"rule_id", f.rule_id}, {"action", model::to_string(f.action)}, {"reason", f.reason}});
  return fired;
}

json case_json(const rules::RuleCase& c, const rules::CaseOutcome& outcome) {
  json results = json::array();
  for (std::size_t i = 0; i < outcome.specimen.observations.size(); ++i) {
    const auto& o = outcome.specimen.observations[i];
    const auto& d = outcome.decisions[i];
    results.push_back({{"code", o.code},
                       {"value", o.value},
                       {"verdict", model::to_string(d.verdict)},
                       {"reason", d.reason},
                       {"fired", fired_json(d)},
                       {"comments", o.comments}});
  }
  return {{"name", c.name},
          {"passed", outcome.passed()},
          {"mismatches", outcome.mismatches},
          {"results", results}};
}

RouteAnswer test(const LabView& view, const RouteCall& call) {
  const auto set = view.rules.rule_set();
  if (!set)
    return Error{Errc::NoRules, "no rule set is in force: every result is held"};
  auto cases = rules::read_rule_cases(call.request.body, "the request body");
  if (!cases)
    return Error{Errc::BadRequest, files::describe(cases.error(), "; ")};
  json out = json::array();
  std::size_t passed = 0;
  for (const auto& c : *cases) {
    const auto outcome = rules::run_case(*set, c);
    passed += outcome.passed() ? 1 : 0;
    out.push_back(case_json(c, outcome));
  }
  const auto covered = rules::coverage(*set, *cases);
  return json_response({{"rule_set_version", set->version()},
                        {"passed", passed},
                        {"failed", cases->size() - passed},
                        {"cases", out},
                        {"never_fired", covered.never_fired},
                        {"always_fired", covered.never_passed_over}});
}

}  // namespace

void add_rules_routes(Router& router, View view) {
  router.add(
      {"POST", "/api/v1/rules/reload", config::ApiRole::Admin, {}, [view](const RouteCall& call) {
         return reload(*view, call);
       }});
  router.add(
      {"POST", "/api/v1/rules/test", config::ApiRole::Viewer, {}, [view](const RouteCall& call) {
         return test(*view, call);
       }});
  router.add({"GET",
              "/api/v1/rules/firings",
              config::ApiRole::Viewer,
              {"since"},
              [view](const RouteCall& call) -> RouteAnswer {
                HL_TRY(since, time_param(call, "since"));
                HL_TRY(firings, stored(view->records.rule_firings(since)));
                return json_text_response(std::move(firings));
              }});
}

}  // namespace hemalink::api
