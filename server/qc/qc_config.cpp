#include "server/qc/qc_config.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "server/files/json_fields.hpp"

namespace hemalink::qc {
namespace {

using files::JsonFields;
using nlohmann::json;

void read_xbarm(JsonFields& f, QcPolicy::Xbarm& x) {
  f.boolean("enabled", x.is_enabled);
  f.integer("batch", x.batch, 2, 1000);
  f.number("limit_pct", x.limit_pct, 0.1, 50);
  f.integer("confirm_batches", x.confirm_batches, 1, 10);
  if (const json* targets = f.object("targets")) {
    x.targets.clear();
    for (const auto& [test, target] : targets->items()) {
      if (!target.is_number() || target.get<double>() <= 0) {
        f.error(target.is_number() ? files::Errc::BadValue : files::Errc::WrongType,
                fmt::format("{}.targets.{}", f.path(), test),
                fmt::format("expected a target above 0, got {}", files::describe(target)));
        continue;
      }
      x.targets[test] = target.get<double>();
    }
  }
  f.boolean("acts_on_gate", x.acts_on_gate);
}

AverageSettings read_average(JsonFields& f) {
  AverageSettings a;
  f.text("analyzer", a.analyzer, true);
  f.text("test", a.test, true);
  if (auto m = f.choice("method", {"xbarm", "ma", "ewma"}, true)) {
    a.method = *m == 0   ? AverageMethod::XbarM
               : *m == 1 ? AverageMethod::MovingAverage
                         : AverageMethod::Ewma;
  }
  f.integer("block", a.block, 2, 1000);
  f.number("lambda", a.lambda, 0.001, 1);
  f.integer("every", a.every, 1, 1000);
  double below = -1e300;
  double above = 1e300;
  f.number("truncate_below", below, -1e12, 1e12);
  f.number("truncate_above", above, -1e12, 1e12);
  if (f.has("truncate_below"))
    a.truncate_below = below;
  if (f.has("truncate_above"))
    a.truncate_above = above;
  f.number("target", a.target, -1e12, 1e12, true);
  f.number("low", a.low, -1e12, 1e12, true);
  f.number("high", a.high, -1e12, 1e12, true);
  if (!(a.low < a.target && a.target < a.high)) {
    f.error(f.path(), "expected low < target < high");
  }
  f.integer("confirm_points", a.confirm, 1, 100);
  f.boolean("acts_on_gate", a.acts_on_gate);
  return a;
}

}  // namespace

void read_qc_config(JsonFields& top, QcConfig& qc, const std::filesystem::path& base) {
  const json* node = top.object("qc");
  if (node == nullptr) {
    return;
  }
  JsonFields f(*node, top.path_of("qc"), top.errors());
  std::string controls;
  f.text("controls_file", controls);
  if (!controls.empty()) {
    qc.controls_file = files::path_from(base, controls);
  }
  f.integer("establish_runs", qc.policy.establish_runs, 2, 100);
  f.duration("run_window_min", qc.policy.run_window, 1, 24 * 60);
  std::int64_t interval = qc.policy.interval.count() / 60;
  f.integer("interval_hours", interval, 1, 24 * 31);
  qc.policy.interval = std::chrono::hours(interval);
  if (const json* xbarm = f.object("xbarm")) {
    JsonFields x(*xbarm, f.path_of("xbarm"), f.errors());
    read_xbarm(x, qc.policy.xbarm);
  }
  f.each_object("moving_averages",
                [&](JsonFields& a) { qc.policy.averages.push_back(read_average(a)); });
  if (f.has("gate_holds")) {
    std::vector<std::string> holds;
    f.text_list("gate_holds", holds);
    qc.hold_out = qc.hold_unknown = false;
    for (std::size_t i = 0; i < holds.size(); ++i) {
      if (holds[i] == "out") {
        qc.hold_out = true;
      } else if (holds[i] == "unknown") {
        qc.hold_unknown = true;
      } else {
        f.error(fmt::format("{}[{}]", f.path_of("gate_holds"), i),
                fmt::format("expected \"out\" or \"unknown\", got \"{}\"", holds[i]));
      }
    }
  }
}

}  // namespace hemalink::qc
