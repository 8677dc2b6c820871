#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "server/api/lab_routes.hpp"
#include "server/api/reference_ranges.hpp"
#include "server/api/review_actions.hpp"
#include "server/api/route_params.hpp"
#include "server/api/test_names.hpp"
#include "server/files/json_fields.hpp"
#include "server/review/review_desk.hpp"

namespace hemalink::api {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxComment = 2000;
constexpr std::size_t kMaxValue = 64;

Result<review::ReviewAction, Error> action_of(const RouteCall& call,
                                              review::ReviewVerdict verdict) {
  review::ReviewAction a;
  HL_TRY(result_id, id_param(call, "result_id"));
  a.result_id = result_id;
  a.verdict = verdict;
  a.actor = call.actor();
  auto read = read_json_body(call, [&](files::JsonFields& f) {
    read_review_comment(f, a.comment);
    if (f.has("corrected_value")) {
      std::string value;
      f.text("corrected_value", value);
      if (verdict != review::ReviewVerdict::Release) {
        f.error(f.path_of("corrected_value"), "only a release reports a corrected value");
      } else if (value.empty() || value.size() > kMaxValue) {
        f.error(f.path_of("corrected_value"),
                fmt::format("expected the value to report (1-{} characters)", kMaxValue));
      } else {
        a.corrected_value = value;
      }
    }
  });
  if (!read)
    return read.error();
  return a;
}

RouteAnswer act(const LabView& view, const RouteCall& call, review::ReviewVerdict verdict) {
  HL_TRY(action, action_of(call, verdict));
  HL_TRY(answer, stored(view.review.apply(action)));
  switch (answer.outcome) {
    case review::ReviewOutcome::NoSuchResult:
      return Error{Errc::NotFound, fmt::format("no result {}", action.result_id)};
    case review::ReviewOutcome::NotHeld: {
      const auto current = json::parse(answer.json);
      return Error{
          Errc::Conflict,
          fmt::format("result {} is not held: its decision is {} by {} at {}", action.result_id,
                      current.value("decision", "none"), current.value("decided_by", "nobody"),
                      current.value("decided_at", "?"))};
    }
    case review::ReviewOutcome::NotAPatientResult: {
      const auto specimen = json::parse(answer.json);
      return Error{Errc::Conflict,
                   fmt::format("result {} is of {} specimen {}, not a patient's: a control's or "
                               "calibrator's result is judged on the QC page, not released, rerun "
                               "or rejected here",
                               action.result_id,
                               specimen.value("kind", "") == "qc" ? "control" : "calibration",
                               specimen.value("specimen_id", "?"))};
    }
    case review::ReviewOutcome::Applied:
      break;
  }
  announce_decision(view, verdict, action.result_id, answer);
  return json_text_response(std::move(answer.json));
}

void add_action(Router& router, const View& view, const char* name, review::ReviewVerdict verdict) {
  router.add({"POST",
              fmt::format("/api/v1/review/{{result_id}}/{}", name),
              config::ApiRole::Technologist,
              {},
              [view, verdict](const RouteCall& call) { return act(*view, call, verdict); }});
}

}  // namespace

void read_review_comment(files::JsonFields& f, std::string& comment) {
  f.text("comment", comment, true);
  if (f.has("comment") &&
      (comment.find_first_not_of(" \t\r\n") == std::string::npos || comment.size() > kMaxComment)) {
    f.error(f.path_of("comment"),
            fmt::format("expected why, in words (1-{} characters)", kMaxComment));
  }
}

void announce_decision(const LabView& view, review::ReviewVerdict verdict, long long result_id,
                       const review::ReviewAnswer& answer) {
  if (!answer.ordered_again.empty()) {
    view.daemon.orders_changed(answer.ordered_again);
  }
  // What a colleague's page needs to say at once "released by anna at 10:42" on the row it shows.
  const auto decided = json::parse(answer.json);
  json fields = {{"result_id", result_id}};
  for (const char* key : {"specimen_row_id", "code", "decided_by", "decided_at", "reason"})
    fields[key] = decided.value(key, json());
  view.events.publish(verdict == review::ReviewVerdict::Reject  ? "rejected"
                      : verdict == review::ReviewVerdict::Rerun ? "rerun"
                                                                : "released",
                      std::move(fields));
}

void add_review_routes(Router& router, View view) {
  router.add({"GET",
              "/api/v1/review",
              config::ApiRole::Viewer,
              {"limit"},
              [view](const RouteCall& call) -> RouteAnswer {
                HL_TRY(limit, limit_param(call, 500, 5000));
                HL_TRY(queue, stored(view->review.queue(limit)));
                auto specimens = json::parse(queue);
                name_tests(specimens, view->analyzers);
                const auto in_force = view->rules.rule_set();
                fill_reference_ranges(specimens, in_force.get());
                return json_text_response(json{{"specimens", std::move(specimens)}}.dump());
              }});
  add_action(router, view, "release", review::ReviewVerdict::Release);
  add_action(router, view, "rerun", review::ReviewVerdict::Rerun);
  add_action(router, view, "reject", review::ReviewVerdict::Reject);
}

}  // namespace hemalink::api
