#include "server/validation/backtest_report.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace hemalink::validation {
namespace {

using nlohmann::json;

json optional_number(const std::optional<double>& value) {
  return value ? json(*value) : json(nullptr);
}

std::string utc(TimePoint at) {
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}Z", std::chrono::floor<std::chrono::seconds>(at));
}

json optional_time(const std::optional<TimePoint>& at) {
  return at ? json(utc(*at)) : json(nullptr);
}

json rate_json(const ReleaseCount& c) {
  return {{"results", c.results}, {"released", c.released}, {"av_rate", optional_number(c.rate())}};
}

json rates_json(const std::map<std::string, ReleaseCount>& counts) {
  auto out = json::object();
  for (const auto& [name, c] : counts) {
    out[name] = rate_json(c);
  }
  return out;
}

json agreement_object(const Agreement& a) {
  return {{"results", a.total()},
          {"both_release", a.both_release},
          {"both_hold", a.both_hold},
          {"only_candidate_releases", a.only_candidate_releases},
          {"only_candidate_holds", a.only_candidate_holds},
          {"share", optional_number(a.share())},
          {"kappa", optional_number(a.kappa())}};
}

json rules_json(const std::map<std::string, RuleTally>& rules) {
  auto out = json::object();
  for (const auto& [id, t] : rules) {
    out[id] = {{"applied", t.applied},
               {"fired", t.fired},
               {"unknown", t.unknown},
               {"held", t.held},
               {"needless_holds", t.needless_holds}};
  }
  return out;
}

json place_json(const ResultPlace& p) {
  return {{"specimen_id", p.specimen_id},
          {"specimen_row_id", p.specimen_row_id},
          {"result_id", p.result_id},
          {"analyzer", p.analyzer},
          {"received_at", utc(p.received_at)},
          {"code", p.code},
          {"value", p.value}};
}

json disagreements_json(const BacktestReport& r) {
  auto list = json::array();
  for (const auto& d : r.disagreements) {
    auto item = place_json(d.place);
    item.update({{"live", model::to_string(d.live)},
                 {"candidate", model::to_string(d.candidate)},
                 {"live_fired", d.live_fired},
                 {"candidate_fired", d.candidate_fired},
                 {"outcome", to_string(d.outcome)}});
    list.push_back(std::move(item));
  }
  return {{"listed", list}, {"truncated", r.disagreements_truncated}};
}

json false_negatives_json(const BacktestReport& r) {
  auto list = json::array();
  for (const auto& f : r.false_negatives) {
    auto item = place_json(f.place);
    item.update({{"outcome", to_string(f.outcome)},
                 {"acted_by", f.acted_by},
                 {"comment", f.comment},
                 {"live_fired", f.live_fired}});
    list.push_back(std::move(item));
  }
  return {{"results", r.false_negative_results},
          {"per_mille", optional_number(r.false_negatives_per_mille())},
          {"specimens", r.false_negative_specimens},
          {"listed", list},
          {"truncated", r.false_negatives_truncated}};
}

std::string percent(const std::optional<double>& share) {
  return share ? fmt::format("{:.1f} %", *share * 100.0) : "-";
}

std::string number(const std::optional<double>& value, const char* format = "{:.2f}") {
  return value ? fmt::format(fmt::runtime(format), *value) : "-";
}

std::string agreement_text(const char* with, const Agreement& a) {
  return fmt::format(
      "  with {}: {} results, {} agree ({}), kappa {}; candidate releases {} it held, holds {} it "
      "released\n",
      with, a.total(), a.both_release + a.both_hold, percent(a.share()), number(a.kappa()),
      a.only_candidate_releases, a.only_candidate_holds);
}

}  // namespace

std::optional<double> ReleaseCount::rate() const {
  if (results == 0) {
    return std::nullopt;
  }
  return static_cast<double>(released) / static_cast<double>(results);
}

long long Agreement::total() const {
  return both_release + both_hold + only_candidate_releases + only_candidate_holds;
}

std::optional<double> Agreement::share() const {
  if (total() == 0) {
    return std::nullopt;
  }
  return static_cast<double>(both_release + both_hold) / static_cast<double>(total());
}

std::optional<double> Agreement::kappa() const {
  const auto n = static_cast<double>(total());
  if (n == 0) {
    return std::nullopt;
  }
  const auto candidate_release = static_cast<double>(both_release + only_candidate_releases) / n;
  const auto other_release = static_cast<double>(both_release + only_candidate_holds) / n;
  const auto chance =
      candidate_release * other_release + (1 - candidate_release) * (1 - other_release);
  if (chance >= 1.0) {
    return std::nullopt;
  }
  return (*share() - chance) / (1.0 - chance);
}

std::optional<double> BacktestReport::false_negatives_per_mille() const {
  if (results == 0) {
    return std::nullopt;
  }
  return 1000.0 * static_cast<double>(false_negative_results) / static_cast<double>(results);
}

std::string agreement_json(const Agreement& agreement) {
  return agreement_object(agreement).dump();
}

std::string report_json(const BacktestReport& r) {
  json out = {
      {"candidate_version", r.candidate_version},
      {"from", optional_time(r.from)},
      {"to", optional_time(r.to)},
      {"analyzers", r.analyzers},
      {"specimens", r.specimens},
      {"results", r.results},
      {"released", r.overall.released},
      {"av_rate", optional_number(r.overall.rate())},
      {"by_test", rates_json(r.by_test)},
      {"by_analyzer", rates_json(r.by_analyzer)},
      {"by_rule", rules_json(r.by_rule)},
      {"held_otherwise", r.held_otherwise},
      {"false_negatives", false_negatives_json(r)},
      {"needless_holds", {{"results", r.needless_holds}, {"by_rule", r.needless_holds_by_rule}}},
      {"agreement",
       {{"live", agreement_object(r.with_live)}, {"people", agreement_object(r.with_people)}}},
      {"disagreements", disagreements_json(r)},
      {"releases_of_live_reruns", r.releases_of_live_reruns},
      {"releases_not_yet_judged", r.releases_not_yet_judged},
      {"tat",
       {{"results", r.released_sooner},
        {"held_minutes_median", optional_number(r.held_minutes_median)},
        {"held_minutes_p90", optional_number(r.held_minutes_p90)},
        {"minutes_saved", r.minutes_saved}}},
      {"never_fired", r.never_fired},
      {"failed_to_evaluate", r.failed_to_evaluate},
      {"seconds", r.seconds}};
  return out.dump();
}

std::string report_text(const BacktestReport& r) {
  std::string out = fmt::format(
      "backtest of {}: {} specimens, {} results in {:.1f} s\n"
      "  autoverification: {} released at once ({})\n",
      r.candidate_version, r.specimens, r.results, r.seconds, r.overall.released,
      percent(r.overall.rate()));
  for (const auto& [name, c] : r.by_analyzer) {
    out += fmt::format("    {}: {} of {} ({})\n", name, c.released, c.results, percent(c.rate()));
  }
  out += fmt::format("  false negatives: {} results ({} per mille) on {} specimens{}\n",
                     r.false_negative_results, number(r.false_negatives_per_mille(), "{:.3f}"),
                     r.false_negative_specimens, r.false_negative_results == 0 ? "" : ":");
  for (const auto& f : r.false_negatives) {
    std::string fired;
    for (const auto& id : f.live_fired) {
      fired.append(fired.empty() ? "" : ", ").append(id);
    }
    out +=
        fmt::format("    {} {} {} = {}: {} by {} ({}); the live set fired {}\n",
                    utc(f.place.received_at), f.place.specimen_id, f.place.code, f.place.value,
                    to_string(f.outcome), f.acted_by, f.comment, fired.empty() ? "nothing" : fired);
  }
  if (r.false_negatives_truncated) {
    out += fmt::format("    ... {} more (the JSON report lists them up to its limit)\n",
                       r.false_negative_results - static_cast<long long>(r.false_negatives.size()));
  }
  out += fmt::format("  needless holds: {} results\n", r.needless_holds);
  for (const auto& [id, n] : r.needless_holds_by_rule) {
    out += fmt::format("    {}: {}\n", id, n);
  }
  out += "  agreement\n" + agreement_text("the live set", r.with_live) +
         agreement_text("people", r.with_people);
  out += fmt::format(
      "  turnaround: {} results released at once that waited for a person (median {} min, p90 "
      "{} min; {:.0f} minutes saved)\n",
      r.released_sooner, number(r.held_minutes_median, "{:.1f}"),
      number(r.held_minutes_p90, "{:.1f}"), r.minutes_saved);
  auto list = [](const std::vector<std::string>& ids) {
    std::string s;
    for (const auto& id : ids) {
      s.append(s.empty() ? "" : ", ").append(id);
    }
    return s.empty() ? std::string("none") : s;
  };
  out += fmt::format(
      "  rules never fired: {}\n  rules never evaluable (what they read was never there): {}\n",
      list(r.never_fired), list(r.failed_to_evaluate));
  return out;
}

}  // namespace hemalink::validation
