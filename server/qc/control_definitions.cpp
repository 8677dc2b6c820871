#include "server/qc/control_definitions.hpp"

#include <fmt/format.h>

#include <cmath>
#include <map>

#include "server/files/json_fields.hpp"
#include "server/files/json_text_positions.hpp"
#include "server/files/text_file.hpp"

namespace hemalink::qc {
namespace {

using files::JsonFields;
using nlohmann::json;

ControlKey read_key(JsonFields& f) {
  ControlKey key;
  f.text("analyzer", key.analyzer, true);
  f.text("test", key.test, true);
  f.text("material", key.material);
  f.text("level", key.level, true);
  f.text("lot", key.lot);
  return key;
}

void read_target(JsonFields& f, ControlDefinition& d) {
  const bool has_mean = f.has("mean");
  const bool has_sd = f.has("sd");
  const bool establishes = f.has("establish");
  if (establishes && (has_mean || has_sd)) {
    f.error(f.path_of("establish"), "give either mean and sd, or establish, not both");
  } else if (!establishes && has_mean != has_sd) {
    f.error(f.path(), has_mean ? "mean given without sd" : "sd given without mean");
    f.any(has_mean ? "mean" : "sd");
  }
  if (has_mean && has_sd) {
    ControlTarget t;
    f.number("mean", t.mean, -1e12, 1e12, true);
    f.number("sd", t.sd, 0, 1e12, true);
    if (t.sd <= 0) {
      f.error(f.path_of("sd"), "expected an SD above 0");
    }
    d.target = t;
  }
  f.integer("establish", d.establish_runs, kMinEstablishRuns, kMaxEstablishRuns);
}

void read_controls(const json& list, const std::string& path, files::FileErrors& errors,
                   ControlDefinitions& out) {
  std::map<ControlKey, std::string> seen;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const auto at = fmt::format("{}[{}]", path, i);
    if (!list[i].is_object()) {
      errors.push_back({"", std::nullopt, at, "expected an object"});
      continue;
    }
    JsonFields f(list[i], at, errors);
    auto d = read_control_definition(f);
    if (auto [it, fresh] = seen.emplace(d.key, at); !fresh) {
      f.error(at,
              fmt::format("the control {} is already defined at {}", d.key.describe(), it->second));
    }
    out.controls.push_back(std::move(d));
  }
}

RuleSelection read_rules(JsonFields& f) {
  std::vector<std::string> names;
  f.text_list("rules", names);
  RuleSelection selection;
  selection.rules.clear();
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (auto rule = rule_named(names[i])) {
      selection.rules.push_back(*rule);
    } else {
      f.error(fmt::format("{}[{}]", f.path_of("rules"), i),
              fmt::format("unknown Westgard rule \"{}\" (expected 1-2s, 1-3s, 2-2s, R-4s, 4-1s, "
                          "8-x, 10-x or 12-x)",
                          names[i]));
    }
  }
  if (names.empty()) {
    f.error(f.path_of("rules"), "expected a list of one or more Westgard rules");
  }
  return selection;
}

void read_tests(const json& list, const std::string& path, files::FileErrors& errors,
                ControlDefinitions& out) {
  for (std::size_t i = 0; i < list.size(); ++i) {
    const auto at = fmt::format("{}[{}]", path, i);
    if (!list[i].is_object()) {
      errors.push_back({"", std::nullopt, at, "expected an object"});
      continue;
    }
    JsonFields f(list[i], at, errors);
    TestRuleChoice choice;
    f.text("analyzer", choice.analyzer);
    f.text("test", choice.test, true);
    choice.rules = read_rules(f);
    out.tests.push_back(std::move(choice));
  }
}

// Each error gets the line and column of the value its path names, where there is one.
files::FileErrors placed(files::FileErrors errors, std::string_view text, const std::string& file) {
  const auto offsets = files::json_value_offsets(text);
  for (auto& e : errors) {
    e.file = file;
    if (auto it = offsets.find(e.where); it != offsets.end()) {
      e.at = files::position_of(text, it->second);
    }
  }
  return errors;
}

}  // namespace

ControlDefinition read_control_definition(files::JsonFields& f) {
  ControlDefinition d;
  d.key = read_key(f);
  f.text("sample", d.sample);
  read_target(f, d);
  return d;
}

std::string ControlKey::describe() const {
  std::string out = fmt::format("{} {}, ", analyzer, test);
  if (!material.empty()) {
    out += material + " ";
  }
  out += "level " + level;
  if (!lot.empty()) {
    out += " lot " + lot;
  }
  return out;
}

const ControlKey* ControlDefinitions::control_of_sample(std::string_view analyzer,
                                                        std::string_view sample) const {
  for (const auto& d : controls) {
    if (!d.sample.empty() && d.sample == sample && d.key.analyzer == analyzer) {
      return &d.key;
    }
  }
  return nullptr;
}

RuleSelection ControlDefinitions::rules_of(std::string_view analyzer, std::string_view test) const {
  const TestRuleChoice* any_analyzer = nullptr;
  for (const auto& t : tests) {
    if (t.test != test) {
      continue;
    }
    if (t.analyzer == analyzer) {
      return t.rules;
    }
    if (t.analyzer.empty() && any_analyzer == nullptr) {
      any_analyzer = &t;
    }
  }
  return any_analyzer != nullptr ? any_analyzer->rules : RuleSelection{};
}

Result<ControlDefinitions, files::FileErrors> parse_control_definitions(std::string_view text,
                                                                        const std::string& file) {
  auto parsed = files::parse_json(text, file);
  if (!parsed) {
    return files::FileErrors{parsed.error()};
  }
  if (!parsed->is_object()) {
    return files::FileErrors{
        {file, std::nullopt, "", "expected an object with \"controls\"", files::Errc::WrongType}};
  }
  files::FileErrors errors;
  ControlDefinitions out;
  {
    JsonFields top(*parsed, "", errors);
    if (const json* controls = top.array("controls")) {
      read_controls(*controls, "controls", errors, out);
    }
    if (const json* tests = top.array("tests")) {
      read_tests(*tests, "tests", errors, out);
    }
  }
  if (!errors.empty()) {
    return placed(std::move(errors), text, file);
  }
  return out;
}

Result<ControlDefinitions, files::FileErrors> load_control_definitions(
    const std::filesystem::path& path) {
  auto text = files::read_text_file(path);
  if (!text) {
    return files::FileErrors{{path.string(), std::nullopt, "",
                              "cannot read the control definitions file", files::Errc::Unreadable}};
  }
  return parse_control_definitions(*text, path.string());
}

}  // namespace hemalink::qc
