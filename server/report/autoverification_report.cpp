#include "server/report/autoverification_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <unordered_map>

namespace hemalink::report {
namespace {

constexpr std::size_t kMissingListed = 20;

// A hold reason is its rule; when no rule held, the decision's reason text itself.
struct HoldTally {
  long long specimens = 0;
  long long needless = 0;
  std::map<std::string, long long> texts;  // how often each reason text was given
};

// (is a rule, its ID or the reason text)
using HoldKey = std::pair<bool, std::string>;

HoldKey key_of(const HoldFiring& firing) {
  return firing.rule_id.empty() ? HoldKey{false, firing.reason} : HoldKey{true, firing.rule_id};
}

// The rule's reason text most of its firings gave (a rule's text can name the test or time).
std::string usual_text(const HoldTally& tally) {
  const auto most =
      std::max_element(tally.texts.begin(), tally.texts.end(),
                       [](const auto& a, const auto& b) { return a.second < b.second; });
  return most == tally.texts.end() ? std::string() : most->first;
}

std::vector<HoldCount> ranked(const std::map<HoldKey, HoldTally>& tallies,
                              long long HoldTally::*count, std::size_t top) {
  std::vector<HoldCount> out;
  for (const auto& [key, tally] : tallies) {
    if (tally.*count == 0) {
      continue;
    }
    const auto& [is_rule, name] = key;
    out.push_back({is_rule ? name : "", is_rule ? usual_text(tally) : name, tally.*count});
  }
  std::stable_sort(out.begin(), out.end(), [](const HoldCount& a, const HoldCount& b) {
    return a.specimens > b.specimens;
  });
  if (out.size() > top) {
    out.resize(top);
  }
  return out;
}

std::vector<NamedYield> named(const std::vector<ReleaseCount>& counts) {
  std::vector<NamedYield> out;
  for (const auto& c : counts) {
    out.push_back({c.name, {c.results, c.released}});
  }
  std::sort(out.begin(), out.end(),
            [](const NamedYield& a, const NamedYield& b) { return a.name < b.name; });
  return out;
}

}  // namespace

std::optional<double> Yield::share() const {
  if (total == 0) {
    return std::nullopt;
  }
  return static_cast<double>(autoverified) / static_cast<double>(total);
}

AutoverificationReport measure_autoverification(const AutoverificationRecords& records,
                                                const std::vector<TruthSpecimen>& truth,
                                                std::size_t top) {
  AutoverificationReport r;
  r.truth_specimens = static_cast<long long>(truth.size());
  std::unordered_map<std::string_view, std::size_t> index;
  for (std::size_t i = 0; i < truth.size(); ++i) {
    index.emplace(truth[i].specimen_id, i);
  }
  std::vector<bool> seen(truth.size());
  std::map<std::string, Yield> profiles;
  std::map<HoldKey, HoldTally> holds;
  std::vector<std::size_t> false_negatives;
  for (const auto& s : records.specimens) {
    const auto found = index.find(s.specimen_id);
    if (found == index.end()) {
      ++r.not_in_truth;
      continue;
    }
    const auto& t = truth[found->second];
    seen[found->second] = true;
    const bool is_autoverified = s.results > 0 && s.released == s.results;
    for (auto* yield : {&r.specimens, &profiles[t.profile]}) {
      ++yield->total;
      yield->autoverified += is_autoverified ? 1 : 0;
    }
    r.results.total += s.results;
    r.results.autoverified += s.released;
    if (t.truth.must_review) {
      ++r.must_review.total;
      if (is_autoverified) {
        ++r.must_review.autoverified;
        false_negatives.push_back(found->second);
      }
    }
    if (is_autoverified) {
      continue;
    }
    ++r.held;
    r.needless_holds += t.truth.must_review ? 0 : 1;
    std::set<HoldKey> counted;
    for (const auto& firing : s.holds) {
      auto key = key_of(firing);
      auto& tally = holds[key];
      ++tally.texts[firing.reason];
      if (counted.insert(std::move(key)).second) {
        ++tally.specimens;
        tally.needless += t.truth.must_review ? 0 : 1;
      }
    }
  }
  std::sort(false_negatives.begin(), false_negatives.end());
  for (const auto i : false_negatives) {
    const auto& t = truth[i];
    r.false_negatives.push_back({t.specimen_id, t.profile, t.truth.condition, t.truth.why});
  }
  for (std::size_t i = 0; i < truth.size(); ++i) {
    if (!seen[i] && r.missing++ < static_cast<long long>(kMissingListed)) {
      r.missing_listed.push_back(truth[i].specimen_id);
    }
  }
  for (const auto& [name, yield] : profiles) {
    r.by_profile.push_back({name, yield});
  }
  r.by_test = named(records.by_test);
  r.by_analyzer = named(records.by_analyzer);
  r.held_reasons = ranked(holds, &HoldTally::specimens, top);
  r.needless_by_rule = ranked(holds, &HoldTally::needless, holds.size());
  return r;
}

namespace {

std::string percent(const Yield& y) {
  const auto share = y.share();
  return share ? fmt::format("{:.1f} %", *share * 100) : std::string("-");
}

void print_yields(std::string& out, const char* title, const char* unit,
                  const std::vector<NamedYield>& yields) {
  out += fmt::format("{}:\n", title);
  std::size_t width = 0;
  for (const auto& y : yields) {
    width = std::max(width, y.name.size());
  }
  for (const auto& y : yields) {
    out += fmt::format("  {:<{}}  {:>8} of {:>8} {}  {:>7}\n", y.name, width, y.yield.autoverified,
                       y.yield.total, unit, percent(y.yield));
  }
}

void print_holds(std::string& out, const std::vector<HoldCount>& holds) {
  for (const auto& h : holds) {
    out += h.rule_id.empty() ? fmt::format("  {:>8}  {}\n", h.specimens, h.reason)
                             : fmt::format("  {:>8}  {}: {}\n", h.specimens, h.rule_id, h.reason);
  }
}

void print_false_negatives(std::string& out, const AutoverificationReport& r) {
  out += fmt::format(
      "FALSE NEGATIVES: {} specimen(s) the truth says a person must see were released by the "
      "rules\n",
      r.false_negatives.size());
  for (const auto& f : r.false_negatives) {
    out += fmt::format("  {}  {}  {}: {}\n", f.specimen_id, f.profile, f.condition, f.why);
  }
}

nlohmann::ordered_json yield_json(const Yield& y, const char* total_name) {
  const auto share = y.share();
  return {{total_name, y.total},
          {"autoverified", y.autoverified},
          {"share", share ? nlohmann::ordered_json(*share) : nlohmann::ordered_json()}};
}

nlohmann::ordered_json yields_json(const std::vector<NamedYield>& yields, const char* name,
                                   const char* total_name) {
  auto out = nlohmann::ordered_json::array();
  for (const auto& y : yields) {
    auto entry = yield_json(y.yield, total_name);
    entry[name] = y.name;
    out.push_back(std::move(entry));
  }
  return out;
}

nlohmann::ordered_json holds_json(const std::vector<HoldCount>& holds) {
  auto out = nlohmann::ordered_json::array();
  for (const auto& h : holds) {
    out.push_back({{"rule_id", h.rule_id}, {"reason", h.reason}, {"specimens", h.specimens}});
  }
  return out;
}

}  // namespace

std::string report_text(const AutoverificationReport& r) {
  std::string out;
  if (!r.false_negatives.empty()) {
    print_false_negatives(out, r);
    out += "\n";
  }
  out += fmt::format("truth file: {} specimens; {} in the database{}, {} missing\n",
                     r.truth_specimens, r.specimens.total,
                     r.since ? fmt::format(" since {}", *r.since) : std::string(), r.missing);
  out += fmt::format("specimens autoverified: {} of {} ({})\n", r.specimens.autoverified,
                     r.specimens.total, percent(r.specimens));
  out += fmt::format("results autoverified: {} of {} ({})\n", r.results.autoverified,
                     r.results.total, percent(r.results));
  print_yields(out, "specimens by profile", "specimens", r.by_profile);
  print_yields(out, "results by test", "results", r.by_test);
  print_yields(out, "results by analyzer", "results", r.by_analyzer);
  out += fmt::format("held specimens: {}; their reasons (specimens held), top {}:\n", r.held,
                     r.held_reasons.size());
  print_holds(out, r.held_reasons);
  out += fmt::format("needless holds (held, the truth says no review is needed): {}, by rule:\n",
                     r.needless_holds);
  print_holds(out, r.needless_by_rule);
  out += fmt::format("specimens a person must see: {}, held {}, released {}\n", r.must_review.total,
                     r.must_review.total - r.must_review.autoverified, r.must_review.autoverified);
  out += r.false_negatives.empty()
             ? std::string("false negatives: 0\n")
             : fmt::format("FALSE NEGATIVES: {} (listed first)\n", r.false_negatives.size());
  out += fmt::format("missing (in the truth file, no patient result in the database{}): {}\n",
                     r.since ? " since " + *r.since : std::string(), r.missing);
  for (const auto& id : r.missing_listed) {
    out += fmt::format("  {}\n", id);
  }
  if (r.missing > static_cast<long long>(r.missing_listed.size())) {
    out += fmt::format("  ... and {} more\n",
                       r.missing - static_cast<long long>(r.missing_listed.size()));
  }
  out += fmt::format("not in the truth file (left out of every figure): {} specimens\n",
                     r.not_in_truth);
  return out;
}

std::string report_json(const AutoverificationReport& r) {
  nlohmann::ordered_json false_negatives = nlohmann::ordered_json::array();
  for (const auto& f : r.false_negatives) {
    false_negatives.push_back({{"specimen_id", f.specimen_id},
                               {"profile", f.profile},
                               {"condition", f.condition},
                               {"why", f.why}});
  }
  auto specimens = yield_json(r.specimens, "total");
  specimens["held"] = r.held;
  const nlohmann::ordered_json doc = {
      {"since", r.since ? nlohmann::ordered_json(*r.since) : nlohmann::ordered_json()},
      {"truth_specimens", r.truth_specimens},
      {"specimens", specimens},
      {"results", yield_json(r.results, "total")},
      {"by_profile", yields_json(r.by_profile, "profile", "specimens")},
      {"by_test", yields_json(r.by_test, "test", "results")},
      {"by_analyzer", yields_json(r.by_analyzer, "analyzer", "results")},
      {"must_review",
       {{"specimens", r.must_review.total},
        {"held", r.must_review.total - r.must_review.autoverified},
        {"released", r.must_review.autoverified}}},
      {"held_reasons", holds_json(r.held_reasons)},
      {"false_negatives", false_negatives},
      {"needless_holds",
       {{"specimens", r.needless_holds}, {"by_rule", holds_json(r.needless_by_rule)}}},
      {"missing", {{"specimens", r.missing}, {"listed", r.missing_listed}}},
      {"not_in_truth", r.not_in_truth}};
  return doc.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace hemalink::report
