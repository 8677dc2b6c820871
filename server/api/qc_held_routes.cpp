#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>

#include "server/api/lab_routes.hpp"
#include "server/api/review_actions.hpp"
#include "server/api/route_params.hpp"
#include "server/files/json_fields.hpp"
#include "server/qc/qc_records.hpp"

namespace hemalink::api {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxResults = 5000;

std::string utc_seconds(std::chrono::system_clock::time_point t) {
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", std::chrono::floor<std::chrono::seconds>(t));
}

// Each group with its gate now: "out" with the same rejection is the episode still going on
// (whatever accepted run of another level the records show); else QC was accepted again.
json with_gates(json groups, const std::vector<qc::TestGate>& gates) {
  for (auto& g : groups) {
    const auto gate = std::find_if(gates.begin(), gates.end(), [&](const qc::TestGate& t) {
      return t.analyzer == g.value("analyzer", "") && t.test == g.value("test", "");
    });
    const bool has_gate = gate != gates.end();
    const bool still_out = has_gate && gate->state.status == records::GateStatus::Out &&
                           gate->rejected_at &&
                           utc_seconds(*gate->rejected_at) == g.value("rejected_at", "");
    g["still_out"] = still_out;
    if (still_out) {
      g["accepted_at"] = nullptr;
    }
    g["gate"] = has_gate ? json{{"status", records::to_string(gate->state.status)},
                                {"reason", gate->state.reason}}
                         : json(nullptr);
  }
  return groups;
}

constexpr std::array<std::string_view, 3> kVerdicts = {"release", "rerun", "reject"};

struct GroupAction {
  review::ReviewVerdict verdict = review::ReviewVerdict::Release;
  std::string_view verdict_name;
  std::string comment;
  std::optional<std::vector<long long>> result_ids;
};

Result<GroupAction, Error> group_action_of(const RouteCall& call) {
  GroupAction a;
  auto read = read_json_body(call, [&](files::JsonFields& f) {
    const auto verdict = f.choice("verdict", {kVerdicts[0], kVerdicts[1], kVerdicts[2]}, true);
    if (verdict) {
      a.verdict = static_cast<review::ReviewVerdict>(*verdict);
      a.verdict_name = kVerdicts.at(*verdict);
    }
    read_review_comment(f, a.comment);
    const auto* ids = f.array("result_ids");
    if (ids == nullptr) {
      return;
    }
    if (ids->empty() || ids->size() > kMaxResults) {
      f.error(f.path_of("result_ids"),
              fmt::format("expected 1-{} result IDs (leave it out for all the group's held "
                          "results)",
                          kMaxResults));
      return;
    }
    a.result_ids.emplace();
    for (std::size_t i = 0; i < ids->size(); ++i) {
      const auto& id = (*ids)[i];
      if (!id.is_number_integer() || id.get<long long>() < 1) {
        f.error(fmt::format("{}[{}]", f.path_of("result_ids"), i),
                fmt::format("expected a result ID, got {}", id.dump()));
      } else {
        a.result_ids->push_back(id.get<long long>());
      }
    }
  });
  if (!read)
    return read.error();
  return a;
}

// The results the action is for: those asked for (each must be one the run held), or every
// result of the group still held.
Result<std::vector<long long>, Error> chosen(const GroupAction& a, const json& members,
                                             const std::string& group) {
  std::vector<long long> out;
  if (!a.result_ids) {
    for (const auto& m : members) {
      if (m.value("is_held", false)) {
        out.push_back(m.value("result_id", 0LL));
      }
    }
    return out;
  }
  std::vector<std::string> strangers;
  for (const auto id : *a.result_ids) {
    const bool is_member = std::any_of(members.begin(), members.end(), [&](const json& m) {
      return m.value("result_id", 0LL) == id;
    });
    if (!is_member) {
      strangers.push_back(std::to_string(id));
    } else if (std::find(out.begin(), out.end(), id) == out.end()) {
      out.push_back(id);
    }
  }
  if (!strangers.empty()) {
    return Error{Errc::BadRequest, fmt::format("result_ids: {} {} not held by {}",
                                               strangers.size() == 1 ? "result" : "results",
                                               fmt::join(strangers, ", "), group)};
  }
  return out;
}

RouteAnswer decide_group(const LabView& view, const RouteCall& call) {
  static const std::regex kSecond(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)");
  const auto& analyzer = call.param("analyzer");
  const auto& test = call.param("test");
  const auto& rejected_at = call.param("rejected_at");
  const auto group = fmt::format("the run of {} on {} rejected at {}", test, analyzer, rejected_at);
  if (!std::regex_match(rejected_at, kSecond)) {
    return Error{Errc::NotFound,
                 fmt::format("no failed QC run at \"{}\": expected the time of its rejection as "
                             "the gate's reason says it (2026-12-07T10:05:00Z)",
                             rejected_at)};
  }
  HL_TRY(action, group_action_of(call));
  if (action.verdict == review::ReviewVerdict::Release) {
    for (const auto& g : view.daemon.qc_gates()) {
      if (g.analyzer == analyzer && g.test == test && g.state.status == records::GateStatus::Out) {
        return Error{Errc::Conflict,
                     fmt::format("the QC of {} on {} is out now ({}): what a failed run held is "
                                 "released only once QC is accepted again; rerun or reject it, or "
                                 "wait for an accepted run",
                                 test, analyzer, g.state.reason)};
      }
    }
  }
  HL_TRY(members_doc, stored(view.qc.held_group(analyzer, test, rejected_at)));
  const auto members = json::parse(members_doc).value("members", json::array());
  if (members.empty()) {
    return Error{Errc::NotFound, fmt::format("the QC gate held no result for {}", group)};
  }
  HL_TRY(ids, chosen(action, members, group));
  std::vector<review::ReviewAction> actions;
  for (const auto id : ids) {
    actions.push_back({id, action.verdict, call.actor(), action.comment, std::nullopt});
  }
  HL_TRY(answers, stored(view.review.apply_all(actions)));
  json decided = json::array();
  json skipped = json::array();
  for (std::size_t i = 0; i < answers.size() && i < actions.size(); ++i) {
    const auto& answer = answers[i];
    if (answer.outcome == review::ReviewOutcome::Applied) {
      announce_decision(view, action.verdict, actions[i].result_id, answer);
      decided.push_back(json::parse(answer.json));
      continue;
    }
    const auto member = std::find_if(members.begin(), members.end(), [&](const json& m) {
      return m.value("result_id", 0LL) == actions[i].result_id;
    });
    const auto current = answer.json.empty() ? json::object() : json::parse(answer.json);
    skipped.push_back({{"result_id", actions[i].result_id},
                       {"specimen_id", member->value("specimen_id", "")},
                       {"test", member->value("test", "")},
                       {"decision", current.value("decision", json())},
                       {"decided_by", current.value("decided_by", json())},
                       {"decided_at", current.value("decided_at", json())}});
  }
  return json_response({{"analyzer", analyzer},
                        {"test", test},
                        {"rejected_at", rejected_at},
                        {"verdict", action.verdict_name},
                        {"decided", decided},
                        {"skipped", skipped}});
}

}  // namespace

void add_qc_held_routes(Router& router, View view) {
  router.add({"GET",
              "/api/v1/qc/held",
              config::ApiRole::Viewer,
              {},
              [view](const RouteCall&) -> RouteAnswer {
                HL_TRY(held, stored(view->qc.held()));
                auto doc = json::parse(held);
                doc["groups"] =
                    with_gates(doc.value("groups", json::array()), view->daemon.qc_gates());
                return json_response(doc);
              }});
  router.add({"POST",
              "/api/v1/qc/held/{analyzer}/{test}/{rejected_at}",
              config::ApiRole::Technologist,
              {},
              [view](const RouteCall& call) { return decide_group(*view, call); }});
}

}  // namespace hemalink::api
