#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "server/api/lab_routes.hpp"
#include "server/api/route_params.hpp"
#include "server/files/json_fields.hpp"
#include "server/rules/rule_cases.hpp"
#include "server/rules/rule_set_diff.hpp"
#include "server/validation/archive_time.hpp"

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
  json stored = nullptr;
  if (done.stored_id != 0) {
    stored = {
        {"id", done.stored_id}, {"version", done.stored_version}, {"status", done.stored_status}};
  }
  return json_response({{"rule_set_version", done.version},
                        {"previous_version", done.previous_version},
                        {"stored", stored}});
}

json version_json(const rules::RuleSetVersion& v) {
  return {{"id", v.id},
          {"version", v.version},
          {"status", rules::to_string(v.status)},
          {"author", v.author},
          {"reason", v.reason},
          {"created_at", v.created_at},
          {"status_changed_at", v.status_changed_at},
          {"backtest_id", v.backtest_id ? json(*v.backtest_id) : json(nullptr)},
          {"promotion_comment", v.promotion_comment},
          {"content_hash", v.content_hash}};
}

RouteAnswer list_versions(const LabView& view, const RouteCall&) {
  HL_TRY(listed, stored(view.versions.list()));
  json out = json::array();
  for (const auto& v : listed)
    out.push_back(version_json(v));
  return json_response({{"versions", out}});
}

// The version of `what` (an id or a version string) with its content, or 404.
Result<rules::RuleSetVersion, Error> version_named(const LabView& view, const std::string& what) {
  HL_TRY(found, stored(view.versions.find(what)));
  if (!found)
    return Error{Errc::NotFound, fmt::format("no rule set version \"{}\"", what)};
  return std::move(*found);
}

RouteAnswer show_version(const LabView& view, const RouteCall& call) {
  HL_TRY(id, id_param(call, "id"));
  HL_TRY(v, version_named(view, std::to_string(id)));
  auto out = version_json(v);
  out["content"] = json::array();
  for (const auto& f : v.content)
    out["content"].push_back({{"name", f.name}, {"text", f.text}});
  return json_response(out);
}

// 422 with each error of the rule files: its file, line, column, rule and what.
ApiResponse rules_invalid(const files::FileErrors& errors) {
  json listed = json::array();
  for (const auto& e : errors) {
    listed.push_back({{"file", e.file},
                      {"line", e.at ? json(e.at->line) : json(nullptr)},
                      {"column", e.at ? json(e.at->column) : json(nullptr)},
                      {"where", e.where},
                      {"message", e.message}});
  }
  return json_response({{"error",
                         {{"code", "rules_invalid"},
                          {"message", files::describe(errors, "; ")},
                          {"errors", listed}}}},
                       422);
}

// The rule set of a body's files ({files: [{name, text}], ...}; `more` reads the other fields),
// loaded: 400 when the body is wrong, 422 with each error of the rules.
Result<std::shared_ptr<const rules::RuleSet>, ApiResponse> body_rule_set(
    const RouteCall& call, std::vector<rules::RuleSource>& sources,
    const std::function<void(files::JsonFields&)>& more) {
  auto read = read_json_body(call, [&](files::JsonFields& f) {
    f.each_object(
        "files",
        [&](files::JsonFields& file) {
          auto& s = sources.emplace_back();
          file.text("name", s.name, true);
          file.text("text", s.text, true);
        },
        true);
    more(f);
  });
  if (read && sources.empty())
    read = Error{Errc::BadRequest, "$.files: a rule set has at least one file"};
  if (!read)
    return error_response(read.error());
  auto set = rules::RuleSet::load(sources);
  if (!set)
    return rules_invalid(set.error());
  return std::move(*set);
}

RouteAnswer check(const LabView&, const RouteCall& call) {
  std::vector<rules::RuleSource> sources;
  auto set = body_rule_set(call, sources, [](files::JsonFields&) {});
  if (!set)
    return set.error();
  return json_response({{"version", (*set)->version()}, {"rules", (*set)->rules().size()}});
}

RouteAnswer upload_version(const LabView& view, const RouteCall& call) {
  std::vector<rules::RuleSource> sources;
  std::string reason;
  auto set =
      body_rule_set(call, sources, [&](files::JsonFields& f) { f.text("reason", reason, true); });
  if (!set)
    return set.error();
  HL_TRY(v, stored(view.versions.store(sources, (*set)->version(), call.actor(), reason,
                                       rules::StoreAs::Draft)));
  return json_response(version_json(v));
}

RouteAnswer diff(const LabView& view, const RouteCall& call) {
  std::string names[2];
  std::shared_ptr<const rules::RuleSet> sets[2];
  const char* params[2] = {"from", "to"};
  for (int i = 0; i < 2; ++i) {
    const auto it = call.request.query.find(params[i]);
    if (it == call.request.query.end() || it->second.empty())
      return Error{Errc::BadRequest,
                   fmt::format("{}: required (a version's id or version)", params[i])};
    HL_TRY(v, version_named(view, it->second));
    auto set = rules::RuleSet::load(v.content);
    if (!set)
      return Error{Errc::RulesInvalid, files::describe(set.error(), "; ")};
    names[i] = v.version;
    sets[i] = std::move(*set);
  }
  const auto d = rules::diff_rule_sets(*sets[0], *sets[1]);
  return json_text_response(rules::diff_json(d, names[0], names[1]));
}

RouteAnswer change_status(const LabView& view, const RouteCall& call) {
  HL_TRY(id, id_param(call, "id"));
  rules::StatusChange change{id, rules::VersionStatus::Draft, std::nullopt, "", call.actor()};
  auto read = read_json_body(call, [&](files::JsonFields& f) {
    if (auto to = f.choice("status", {"draft", "shadow", "live", "retired"}, true))
      change.to = static_cast<rules::VersionStatus>(*to);
    if (f.has("backtest_id")) {
      std::int64_t backtest = 0;
      f.integer("backtest_id", backtest, 1, INT64_MAX);
      change.backtest_id = backtest;
    }
    f.text("comment", change.comment);
  });
  if (!read)
    return read.error();
  HL_TRY(v, stored(view.versions.change_status(change)));
  auto out = version_json(v);
  const auto in_force = view.rules.follow_live();  // the live set, and the one in shadow
  out["in_force"] = in_force.version;
  if (!in_force.is_done)
    out["in_force_errors"] = in_force.errors;
  view.events.publish("rule_set_status", {{"id", v.id},
                                          {"version", v.version},
                                          {"status", rules::to_string(v.status)},
                                          {"by", call.actor()}});
  return json_response(out);
}

// A backtest asked for: the fields of its body as sent.
struct BacktestBody {
  std::string candidate;
  std::string from;
  std::string to;
  std::vector<std::string> analyzers;
};

Result<BacktestBody, Error> read_backtest_body(const RouteCall& call) {
  BacktestBody body;
  auto read = read_json_body(call, [&](files::JsonFields& f) {
    const auto* candidate = f.any("candidate");
    if (candidate == nullptr)
      f.error(files::Errc::Missing, "$.candidate", "required (a rule set version's ID or version)");
    else if (candidate->is_number_unsigned())
      body.candidate = std::to_string(candidate->get<unsigned long long>());
    else if (candidate->is_string())
      body.candidate = candidate->get<std::string>();
    else
      f.error(files::Errc::WrongType, "$.candidate", "expected a version's ID or version string");
    f.text("from", body.from);
    f.text("to", body.to);
    f.text_list("analyzers", body.analyzers);
  });
  if (!read)
    return read.error();
  return body;
}

Result<std::optional<validation::TimePoint>, Error> backtest_time(const std::string& text,
                                                                  const char* path) {
  if (text.empty())
    return std::optional<validation::TimePoint>();
  auto at = validation::archive_time(text);
  if (!at)
    return Error{Errc::BacktestInvalid,
                 fmt::format("{}: expected a UTC time such as 2026-11-30 or 2026-11-30T08:00, "
                             "got \"{}\"",
                             path, text)};
  return at;
}

// What the body asks to replay: its period and analyzers (each one configured), or 422.
Result<validation::BacktestRequest, Error> backtest_request(const LabView& view,
                                                            const BacktestBody& body) {
  validation::BacktestRequest request;
  HL_TRY(from, backtest_time(body.from, "$.from"));
  HL_TRY(to, backtest_time(body.to, "$.to"));
  if (from && to && *to <= *from)
    return Error{
        Errc::BacktestInvalid,
        fmt::format("$.to: {} is not after $.from {}: the period is empty", body.to, body.from)};
  request.period = {from, to};
  for (std::size_t i = 0; i < body.analyzers.size(); ++i) {
    const auto& name = body.analyzers[i];
    if (std::none_of(view.analyzers.begin(), view.analyzers.end(),
                     [&](const AnalyzerEntry& a) { return a.name == name; }))
      return Error{Errc::BacktestInvalid,
                   fmt::format("$.analyzers[{}]: no analyzer \"{}\" is configured", i, name)};
  }
  request.analyzers = body.analyzers;
  return request;
}

RouteAnswer start_backtest(const LabView& view, const RouteCall& call) {
  HL_TRY(body, read_backtest_body(call));
  HL_TRY(request, backtest_request(view, body));
  HL_TRY(found, stored(view.versions.find(body.candidate)));
  if (!found)
    return Error{Errc::BacktestInvalid,
                 fmt::format("$.candidate: no rule set version \"{}\"", body.candidate)};
  auto candidate = rules::RuleSet::load(found->content);
  if (!candidate)
    return rules_invalid(candidate.error());
  request.candidate = std::move(found->content);
  request.requested_by = call.actor();
  HL_TRY(started, stored(view.backtests.start(std::move(*candidate), std::move(request))));
  if (!started.is_started)
    return Error{Errc::Conflict, fmt::format("backtest {} is running: one runs at a time (GET "
                                             "/api/v1/rules/backtests/{} shows its progress)",
                                             started.id, started.id)};
  return json_response({{"id", started.id}, {"status", "running"}}, 202);
}

RouteAnswer list_backtests(const LabView& view, const RouteCall& call) {
  HL_TRY(limit, limit_param(call, 50, 500));
  HL_TRY(listed, stored(view.backtests.list(limit)));
  return json_text_response(fmt::format(R"({{"backtests":{}}})", listed));
}

// The version in shadow (or `version`) compared so far: agreement, false negatives, the latest
// disagreements.
RouteAnswer shadow(const LabView& view, const RouteCall& call) {
  HL_TRY(limit, limit_param(call, 50, 500));
  HL_TRY(compared, stored(view.shadow.comparison(call.query("version"), limit)));
  return json_text_response(std::move(compared));
}

RouteAnswer show_backtest(const LabView& view, const RouteCall& call) {
  HL_TRY(id, id_param(call, "id"));
  HL_TRY(shown, stored(view.backtests.find(id)));
  if (shown.empty())
    return Error{Errc::NotFound, fmt::format("no backtest {}", id)};
  return json_text_response(std::move(shown));
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
  // The versions and backtests: each route's handler over the view.
  using Handler = RouteAnswer (*)(const LabView&, const RouteCall&);
  const Route versions[] = {
      {"GET", "/api/v1/rules/versions", config::ApiRole::Viewer, {}, {}},
      {"GET", "/api/v1/rules/versions/{id}", config::ApiRole::Viewer, {}, {}},
      {"POST", "/api/v1/rules/versions", config::ApiRole::Technologist, {}, {}},
      {"POST", "/api/v1/rules/versions/{id}/status", config::ApiRole::Admin, {}, {}},
      {"GET", "/api/v1/rules/diff", config::ApiRole::Viewer, {"from", "to"}, {}},
      {"POST", "/api/v1/rules/check", config::ApiRole::Viewer, {}, {}},
      {"POST", "/api/v1/rules/backtests", config::ApiRole::Technologist, {}, {}},
      {"GET", "/api/v1/rules/backtests", config::ApiRole::Viewer, {"limit"}, {}},
      {"GET", "/api/v1/rules/backtests/{id}", config::ApiRole::Viewer, {}, {}},
      {"GET", "/api/v1/rules/shadow", config::ApiRole::Viewer, {"version", "limit"}, {}},
  };
  const Handler handlers[] = {list_versions, show_version,   upload_version, change_status, diff,
                              check,         start_backtest, list_backtests, show_backtest, shadow};
  for (std::size_t i = 0; i < std::size(versions); ++i) {
    auto route = versions[i];
    route.handler = [view, handler = handlers[i]](const RouteCall& call) {
      return handler(*view, call);
    };
    router.add(std::move(route));
  }
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
