#include "server/qc/westgard.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>

namespace hemalink::qc {
namespace {

// One control in the order measured, and whether it is of the run being judged.
struct Point {
  const ControlValue* value;
  bool is_current;
};

using Series = std::vector<Point>;

std::string describe(const std::vector<Point>& points) {
  std::string out;
  for (const auto& p : points) {
    out +=
        fmt::format("{}level {}: {:+.2f} SD", out.empty() ? "" : ", ", p.value->level, p.value->z);
  }
  return out;
}

// All beyond `limit` on one side of the mean (limit 0: all on one side, none on the mean).
bool beyond_on_one_side(const std::vector<Point>& points, double limit) {
  const auto above = [limit](const Point& p) { return p.value->z > limit; };
  const auto below = [limit](const Point& p) { return p.value->z < -limit; };
  return std::all_of(points.begin(), points.end(), above) ||
         std::all_of(points.begin(), points.end(), below);
}

// The first `n` points in a row, the last of the run being judged, beyond `limit` on one side.
std::optional<std::vector<Point>> in_a_row(const Series& series, std::size_t n, double limit) {
  for (std::size_t end = n; end <= series.size(); ++end) {
    if (!series[end - 1].is_current) {
      continue;
    }
    std::vector<Point> window(series.begin() + static_cast<std::ptrdiff_t>(end - n),
                              series.begin() + static_cast<std::ptrdiff_t>(end));
    if (beyond_on_one_side(window, limit)) {
      return window;
    }
  }
  return std::nullopt;
}

Series all_values(const std::vector<ControlRun>& earlier, const ControlRun& run) {
  Series series;
  for (const auto& r : earlier) {
    for (const auto& v : r.values) {
      series.push_back({&v, false});
    }
  }
  for (const auto& v : run.values) {
    series.push_back({&v, true});
  }
  return series;
}

std::vector<Series> per_level(const Series& all) {
  std::vector<Series> levels;
  for (const auto& p : all) {
    auto same = std::find_if(levels.begin(), levels.end(), [&](const Series& s) {
      return s.front().value->level == p.value->level;
    });
    if (same == levels.end()) {
      levels.push_back({p});
    } else {
      same->push_back(p);
    }
  }
  return levels;
}

class Judge {
 public:
  Judge(const RuleSelection& rules, Evaluation& out) : rules_(rules), out_(out) {}

  // Records `rule` once, with the values that broke it.
  void found(WestgardRule rule, const std::vector<Point>& points) {
    if (!rules_.uses(rule) || has(rule)) {
      return;
    }
    out_.violations.push_back({rule, describe(points)});
    out_.is_rejected = out_.is_rejected || rule != WestgardRule::Warning12s;
  }
  void in_a_row(WestgardRule rule, const Series& series, std::size_t n, double limit) {
    if (auto points = qc::in_a_row(series, n, limit)) {
      found(rule, *points);
    }
  }

 private:
  bool has(WestgardRule rule) const {
    return std::any_of(out_.violations.begin(), out_.violations.end(),
                       [rule](const Violation& v) { return v.rule == rule; });
  }

  const RuleSelection& rules_;
  Evaluation& out_;
};

void judge_within_run(const Series& current, Judge& judge) {
  for (const auto& p : current) {
    if (std::abs(p.value->z) > 3) {
      judge.found(WestgardRule::Reject13s, {p});
    }
  }
  for (const auto& p : current) {
    if (std::abs(p.value->z) > 2) {
      judge.found(WestgardRule::Warning12s, {p});
    }
  }
  for (std::size_t i = 0; i < current.size(); ++i) {
    for (std::size_t j = i + 1; j < current.size(); ++j) {
      const std::vector<Point> pair = {current[i], current[j]};
      if (beyond_on_one_side(pair, 2)) {
        judge.found(WestgardRule::Reject22s, pair);
      }
      const auto zi = current[i].value->z;
      const auto zj = current[j].value->z;
      if ((zi > 2 && zj < -2) || (zi < -2 && zj > 2)) {
        judge.found(WestgardRule::RejectR4s, pair);
      }
    }
  }
}

}  // namespace

std::string_view to_string(WestgardRule rule) {
  switch (rule) {
    case WestgardRule::Warning12s:
      return "1-2s";
    case WestgardRule::Reject13s:
      return "1-3s";
    case WestgardRule::Reject22s:
      return "2-2s";
    case WestgardRule::RejectR4s:
      return "R-4s";
    case WestgardRule::Reject41s:
      return "4-1s";
    case WestgardRule::Reject8x:
      return "8-x";
    case WestgardRule::Reject10x:
      return "10-x";
    case WestgardRule::Reject12x:
      return "12-x";
  }
  return "?";
}

std::optional<WestgardRule> rule_named(std::string_view name) {
  for (const auto rule : kAllRules) {
    if (to_string(rule) == name) {
      return rule;
    }
  }
  return std::nullopt;
}

bool RuleSelection::uses(WestgardRule rule) const {
  return std::find(rules.begin(), rules.end(), rule) != rules.end();
}

Evaluation evaluate(const std::vector<ControlRun>& earlier, const ControlRun& run,
                    const RuleSelection& rules) {
  Evaluation out;
  Judge judge(rules, out);
  const auto all = all_values(earlier, run);
  judge_within_run(Series(all.end() - static_cast<std::ptrdiff_t>(run.values.size()), all.end()),
                   judge);
  const auto levels = per_level(all);
  for (const auto& level : levels) {
    judge.in_a_row(WestgardRule::Reject22s, level, 2, 2);
  }
  constexpr std::pair<WestgardRule, std::size_t> kInARow[] = {{WestgardRule::Reject41s, 4},
                                                              {WestgardRule::Reject8x, 8},
                                                              {WestgardRule::Reject10x, 10},
                                                              {WestgardRule::Reject12x, 12}};
  for (const auto& [rule, n] : kInARow) {
    const double limit = rule == WestgardRule::Reject41s ? 1 : 0;
    for (const auto& level : levels) {
      judge.in_a_row(rule, level, n, limit);
    }
    judge.in_a_row(rule, all, n, limit);
  }
  return out;
}

}  // namespace hemalink::qc
