#include "server/rules/rule_file.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "server/files/json_fields.hpp"
#include "server/files/json_text_positions.hpp"

namespace hemalink::rules {
namespace {

using json = nlohmann::json;
using files::json_value_offsets;
using files::JsonFields;
using files::offset_in_string;
using files::position_of;

// In the order of the choices read from "action".
constexpr model::RuleAction kActionOf[] = {model::RuleAction::Hold,    model::RuleAction::Rerun,
                                           model::RuleAction::Release, model::RuleAction::Reflex,
                                           model::RuleAction::Comment, model::RuleAction::Compute};

// Reads one file: JSON-path errors from the field readers become file positions.
class RuleFileReader {
 public:
  explicit RuleFileReader(const RuleSource& source)
      : source_(source), offsets_(json_value_offsets(source.text)) {}

  RuleFile read(const json& document) {
    RuleFile out;
    {
      JsonFields top(document, "", field_errors_);
      top.text("version", out.version);
      std::string description;
      top.text("description", description);
      if (const auto* list = top.array("rules", true)) {
        for (std::size_t i = 0; i < list->size(); ++i) {
          if (auto rule = read_rule((*list)[i], fmt::format("rules[{}]", i))) {
            out.rules.push_back(std::move(*rule));
          }
        }
      }
      if (const auto* list = top.array("reference_intervals")) {
        for (std::size_t i = 0; i < list->size(); ++i) {
          if (auto interval =
                  read_interval((*list)[i], fmt::format("reference_intervals[{}]", i))) {
            out.reference_intervals.push_back(std::move(*interval));
          }
        }
      }
    }
    flush_field_errors("");
    return out;
  }

  files::FileErrors& errors() { return errors_; }

 private:
  std::optional<Rule> read_rule(const json& object, const std::string& path) {
    Rule rule;
    rule.file = source_.name;
    rule.at = at(path);
    bool has_expressions = true;
    {
      JsonFields f(object, path, field_errors_);
      if (!object.is_object()) {
        f.error(path, "expected a rule object");
        f.ignore_other_keys();
        flush_field_errors("");
        return std::nullopt;
      }
      f.text("id", rule.id, true);
      f.text("description", rule.description);
      f.text("source", rule.source);
      f.text_list("applies_to", rule.applies_to);
      if (!f.has("applies_to") || rule.applies_to.empty()) {
        f.error(f.path_of("applies_to"), "list the codes the rule applies to, or [\"*\"] for all");
      }
      f.text("when", rule.when_text, true);
      const auto action =
          f.choice("action", {"hold", "rerun", "release", "reflex", "comment", "compute"}, true);
      f.text("reason", rule.reason);
      f.text("reflex_test", rule.reflex_test);
      if (action) {
        rule.action = kActionOf[*action];
        check_action_needs(f, rule);
      }
      if (f.has("compute") && rule.action != model::RuleAction::Compute) {
        f.error(f.path_of("compute"), "only a rule whose action is \"compute\" computes");
      }
      if (rule.action == model::RuleAction::Compute && action) {
        rule.compute = read_calculation(f);
      }
      has_expressions = !rule.when_text.empty();
    }
    const auto before = errors_.size();
    flush_field_errors(rule.id);
    if (has_expressions) {
      compile_into(rule.when, rule.when_text, CompiledExpression::Kind::Condition, path + ".when",
                   rule.id);
    }
    if (rule.compute) {
      compile_into(rule.compute->expression, rule.compute->text, CompiledExpression::Kind::Number,
                   path + ".compute.expr", rule.id);
    }
    if (errors_.size() != before) {
      return std::nullopt;
    }
    return rule;
  }

  std::optional<ReferenceInterval> read_interval(const json& object, const std::string& path) {
    ReferenceInterval interval;
    interval.file = source_.name;
    interval.at = at(path);
    interval.where = path;
    const auto before = field_errors_.size();
    {
      JsonFields f(object, path, field_errors_);
      if (!object.is_object()) {  // the fields said so
        f.ignore_other_keys();
        flush_field_errors("");
        return std::nullopt;
      }
      f.text("test", interval.test, true);
      if (const auto sex = f.choice("sex", {"M", "F"}))
        interval.sex.assign(1, *sex == 0 ? 'M' : 'F');
      f.number("age_from", interval.age_from, 0, kOldestAge);
      interval.age_to = age_to(f);
      if (interval.age_to && *interval.age_to <= interval.age_from) {
        f.error(f.path_of("age_to"),
                fmt::format("expected an age above age_from ({:g}): an interval holds from "
                            "age_from up to, not including, age_to",
                            interval.age_from));
      }
      const auto low = limit(f, "low", interval.low);
      const auto high = limit(f, "high", interval.high);
      if (!low.empty() && !high.empty()) {
        if (interval.high <= interval.low) {
          f.error(f.path_of("high"),
                  fmt::format("expected a limit above low ({}), got {}", low, high));
        }
        interval.range = fmt::format("{}{}{}", low, interval.low < 0 ? " to " : "-", high);
      }
      f.text("units", interval.units);
      f.text("source", interval.source);
    }
    const bool is_good = field_errors_.size() == before;
    flush_field_errors("");
    if (!is_good)
      return std::nullopt;
    return interval;
  }

  static constexpr double kOldestAge = 150;

  // "age_to": null (or none) is an interval without an upper age.
  static std::optional<double> age_to(JsonFields& f) {
    const auto* v = f.any("age_to");
    if (v == nullptr || v->is_null())
      return std::nullopt;
    if (!v->is_number() || v->get<double>() <= 0 || v->get<double>() > kOldestAge) {
      f.error(v->is_number() ? files::Errc::BadValue : files::Errc::WrongType, f.path_of("age_to"),
              fmt::format("expected an age in years (above 0, at most {:g}) or null, got {}",
                          kOldestAge, files::describe(*v)));
      return std::nullopt;
    }
    return v->get<double>();
  }

  // A required limit; returns it as the file writes it ("13.5"), empty when missing or wrong.
  static std::string limit(JsonFields& f, const char* key, double& out) {
    const auto* v = f.any(key);
    if (v == nullptr || !v->is_number()) {
      f.error(v == nullptr ? files::Errc::Missing : files::Errc::WrongType, f.path_of(key),
              v == nullptr ? "required: the interval's limit, in its units"
                           : fmt::format("expected a number, got {}", files::describe(*v)));
      return {};
    }
    out = v->get<double>();
    return v->dump();
  }

  void check_action_needs(JsonFields& f, const Rule& rule) {
    const bool needs_reason =
        rule.action == model::RuleAction::Hold || rule.action == model::RuleAction::Rerun ||
        rule.action == model::RuleAction::Reflex || rule.action == model::RuleAction::Comment;
    if (needs_reason && rule.reason.empty()) {
      f.error(f.path_of("reason"),
              fmt::format("a {} rule needs a reason (what the technologist or the LIS reads)",
                          model::to_string(rule.action)));
    }
    const bool is_reflex = rule.action == model::RuleAction::Reflex;
    if (is_reflex == rule.reflex_test.empty()) {
      f.error(f.path_of("reflex_test"), is_reflex ? "a reflex rule names the test it requests"
                                                  : "only a reflex rule requests a test");
    }
  }

  std::optional<Calculation> read_calculation(JsonFields& f) {
    const auto* object = f.object("compute", true);
    if (object == nullptr) {
      return std::nullopt;
    }
    Calculation c;
    JsonFields g(*object, f.path_of("compute"), field_errors_);
    g.text("code", c.code, true);
    g.text("expr", c.text, true);
    g.text("units", c.units);
    g.integer("decimals", c.decimals, 0, 6);
    if (c.text.empty()) {
      return std::nullopt;
    }
    return c;
  }

  void compile_into(CompiledExpression& out, const std::string& text, CompiledExpression::Kind kind,
                    const std::string& path, const std::string& rule_id) {
    auto compiled = CompiledExpression::compile(text, kind);
    if (!compiled) {
      const auto& e = compiled.error();
      const auto it = offsets_.find(path);
      const auto offset =
          it == offsets_.end() ? 0 : offset_in_string(source_.text, it->second, e.at);
      const auto key = path.substr(path.find('.') + 1);
      errors_.push_back(rule_error(source_.name, position_of(source_.text, offset), rule_id,
                                   fmt::format("{}: {}", key, e.detail), e.code));
      return;
    }
    out = std::move(*compiled);
  }

  // "rules[3].applies_to: required" becomes an error at that value (or the nearest enclosing
  // one), in rule `rule_id`, saying "applies_to: required".
  void flush_field_errors(const std::string& rule_id) {
    for (const auto& e : field_errors_) {
      std::string shown = e.where;
      if (const auto dot = shown.find("].");
          shown.starts_with("rules[") && dot != std::string::npos) {
        shown = shown.substr(dot + 2);
      }
      errors_.push_back(rule_error(source_.name, at(e.where), rule_id,
                                   fmt::format("{}: {}", shown, e.message), e.code));
    }
    field_errors_.clear();
  }

  TextPosition at(std::string path) const {
    for (;;) {
      if (auto it = offsets_.find(path); it != offsets_.end()) {
        return position_of(source_.text, it->second);
      }
      const auto cut = path.find_last_of(".[");
      if (cut == std::string::npos || path.empty()) {
        return {};
      }
      path.resize(cut);
    }
  }

  const RuleSource& source_;
  std::map<std::string, std::size_t> offsets_;
  files::FileErrors field_errors_;
  files::FileErrors errors_;
};

}  // namespace

files::FileError rule_error(std::string file, TextPosition at, const std::string& rule_id,
                            std::string message, std::error_code code) {
  return {std::move(file), at, rule_id.empty() ? "" : fmt::format("rule \"{}\"", rule_id),
          std::move(message), code};
}

bool Rule::applies_to_every_result() const {
  return applies_to.size() == 1 && applies_to[0] == "*";
}

bool Rule::applies_to_code(std::string_view code) const {
  for (const auto& c : applies_to) {
    if (c == code || c == "*")
      return true;
  }
  return false;
}

Result<RuleFile, files::FileErrors> read_rule_file(const RuleSource& source) {
  auto document = files::parse_json(source.text, source.name);
  if (!document) {
    return files::FileErrors{document.error()};
  }
  RuleFileReader reader(source);
  auto file = reader.read(*document);
  if (!reader.errors().empty()) {
    return std::move(reader.errors());
  }
  return file;
}

}  // namespace hemalink::rules
