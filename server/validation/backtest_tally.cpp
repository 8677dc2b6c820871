#include "server/validation/backtest_tally.hpp"

#include <algorithm>
#include <cmath>

namespace hemalink::validation {
namespace {

bool holds(model::RuleAction action) {
  return action == model::RuleAction::Hold || action == model::RuleAction::Rerun;
}

bool is_false_negative(bool candidate_releases, Outcome outcome) {
  return candidate_releases && (outcome == Outcome::Corrected || outcome == Outcome::Rerun ||
                                outcome == Outcome::Rejected);
}

void count(Agreement& a, bool candidate_releases, bool other_releases) {
  if (candidate_releases && other_releases) {
    ++a.both_release;
  } else if (!candidate_releases && !other_releases) {
    ++a.both_hold;
  } else if (candidate_releases) {
    ++a.only_candidate_releases;
  } else {
    ++a.only_candidate_holds;
  }
}

void count(ReleaseCount& c, bool released) {
  ++c.results;
  c.released += released ? 1 : 0;
}

// Nearest rank: the smallest value with at least `share` of them at or below it.
double percentile(const std::vector<long long>& sorted, double share) {
  const auto rank = static_cast<std::size_t>(std::ceil(share * static_cast<double>(sorted.size())));
  return static_cast<double>(sorted[std::max<std::size_t>(rank, 1) - 1]);
}

ResultPlace place_of(const ArchivedSpecimen& s, std::size_t i) {
  const auto& o = s.set.observations[i];
  return {s.set.specimen_id,
          s.row_id,
          s.results[i].result_id,
          s.analyzer,
          s.received_at,
          o.code,
          o.value};
}

}  // namespace

BacktestTally::BacktestTally(const rules::RuleSet& candidate, std::size_t false_negatives_listed)
    : candidate_(candidate), listed_(false_negatives_listed), rules_(candidate.rules().size()) {
  for (std::uint32_t r = 0; r < candidate.rules().size(); ++r) {
    rule_index_.emplace(candidate.rules()[r].id, r);
  }
}

const std::vector<std::uint32_t>& BacktestTally::rules_for(const std::string& code) {
  auto it = rules_by_code_.find(code);
  if (it != rules_by_code_.end()) {
    return it->second;
  }
  std::vector<std::uint32_t> applying;
  const auto& all = candidate_.rules();
  for (std::uint32_t r = 0; r < all.size(); ++r) {
    if (all[r].applies_to_code(code)) {
      applying.push_back(r);
    }
  }
  return rules_by_code_.emplace(code, std::move(applying)).first->second;
}

void BacktestTally::count_rules(const model::ResultSet& set, const model::Observation& result,
                                const rules::ResultHistory& history,
                                const records::TestStatuses& qc, const model::Decision& decision,
                                bool is_needless) {
  const auto* reference = candidate_.reference_interval(result, set);
  const rules::EvaluationInput input{result,   set, &history, nullptr, qc.status(result.code),
                                     reference};
  const auto& all = candidate_.rules();
  for (const auto r : rules_for(result.code)) {
    auto& tally = rules_[r];
    ++tally.applied;
    const auto truth = all[r].when.evaluate(input);
    tally.fired += truth == rules::Truth::True ? 1 : 0;
    tally.unknown += truth == rules::Truth::Unknown ? 1 : 0;
  }
  if (decision.verdict == model::Verdict::Release) {
    return;
  }
  bool named = false;
  for (const auto& f : decision.fired) {
    if (!holds(f.action)) {
      continue;
    }
    named = true;
    const auto it = rule_index_.find(f.rule_id);
    if (it == rule_index_.end()) {
      ++report_.held_otherwise[f.rule_id];
    } else {
      auto& tally = rules_[it->second];
      ++tally.held;
      tally.needless_holds += is_needless ? 1 : 0;
    }
    if (is_needless) {
      ++report_.needless_holds_by_rule[f.rule_id];
    }
  }
  if (!named) {  // a history read that failed fails the whole backtest: no rule released it
    ++report_.held_otherwise["no-rule-released"];
    if (is_needless) {
      ++report_.needless_holds_by_rule["no-rule-released"];
    }
  }
}

void BacktestTally::add_false_negative(const ArchivedSpecimen& s, std::size_t i) {
  ++report_.false_negative_results;
  if (s.row_id != last_false_negative_row_) {
    ++report_.false_negative_specimens;
    last_false_negative_row_ = s.row_id;
  }
  if (report_.false_negatives.size() >= listed_) {
    report_.false_negatives_truncated = true;
    return;
  }
  const auto& r = s.results[i];
  report_.false_negatives.push_back(
      {place_of(s, i), r.outcome, r.acted_by, r.comment, r.live_fired});
}

void BacktestTally::add_disagreement(const ArchivedSpecimen& s, std::size_t i,
                                     const model::Decision& d) {
  if (report_.disagreements.size() >= listed_) {
    report_.disagreements_truncated = true;
    return;
  }
  const auto& r = s.results[i];
  std::vector<std::string> fired;
  for (const auto& f : d.fired) {
    fired.push_back(f.rule_id);
  }
  report_.disagreements.push_back(
      {place_of(s, i), r.live_verdict, d.verdict, r.live_fired, std::move(fired), r.outcome});
}

void BacktestTally::add(const ArchivedSpecimen& s, const model::ResultSet& decided,
                        const std::vector<model::Decision>& decisions,
                        const rules::ResultHistory& history, const records::TestStatuses& qc) {
  ++report_.specimens;
  const auto n = std::min({s.results.size(), s.set.observations.size(), decisions.size()});
  for (std::size_t i = 0; i < n; ++i) {
    const auto& r = s.results[i];
    const auto& code = s.set.observations[i].code;
    const bool releases = decisions[i].verdict == model::Verdict::Release;
    const bool live_released = r.live_verdict == model::Verdict::Release;
    ++report_.results;
    count(report_.overall, releases);
    count(report_.by_test[code], releases);
    count(report_.by_analyzer[s.analyzer], releases);
    count(report_.with_live, releases, live_released);
    if (releases != live_released) {
      add_disagreement(s, i, decisions[i]);
    }
    if (is_human(r.outcome)) {
      count(report_.with_people, releases, r.outcome == Outcome::Released);
    }
    if (is_false_negative(releases, r.outcome)) {
      add_false_negative(s, i);
    }
    const bool is_needless = !releases && is_released_unchanged(r.outcome);
    report_.needless_holds += is_needless ? 1 : 0;
    report_.releases_of_live_reruns += releases && r.outcome == Outcome::AutoRerun ? 1 : 0;
    report_.releases_not_yet_judged += releases && r.outcome == Outcome::Held ? 1 : 0;
    if (releases && !live_released && r.outcome == Outcome::Released && r.held_for) {
      held_seconds_.push_back(r.held_for->count());
    }
    count_rules(decided, decided.observations[i], history, qc, decisions[i], is_needless);
  }
}

BacktestReport BacktestTally::report() const {
  auto out = report_;
  const auto& all = candidate_.rules();
  for (std::size_t r = 0; r < all.size(); ++r) {
    out.by_rule[all[r].id] = rules_[r];
    if (rules_[r].fired == 0) {
      out.never_fired.push_back(all[r].id);
    }
    if (rules_[r].applied > 0 && rules_[r].unknown == rules_[r].applied) {
      out.failed_to_evaluate.push_back(all[r].id);
    }
  }
  auto held = held_seconds_;
  std::sort(held.begin(), held.end());
  out.released_sooner = static_cast<long long>(held.size());
  if (!held.empty()) {
    out.held_minutes_median = percentile(held, 0.5) / 60.0;
    out.held_minutes_p90 = percentile(held, 0.9) / 60.0;
  }
  long long total = 0;
  for (const auto s : held) {
    total += s;
  }
  out.minutes_saved = static_cast<double>(total) / 60.0;
  return out;
}

}  // namespace hemalink::validation
