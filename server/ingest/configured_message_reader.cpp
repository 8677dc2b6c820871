#include "server/ingest/configured_message_reader.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "server/config/analyzer_table.hpp"
#include "server/ingest/rules_decider.hpp"
#include "server/rules/rule_files.hpp"

namespace hemalink::ingest {
namespace {

// The decider of the rule set (every result held without one), and the prefetch of the history
// its rules read.
struct Deciding {
  Decider decider = hold_everything;
  HistoryPrefetch prefetch;
  std::shared_ptr<const rules::RuleSet> rules;
};

Deciding decider_of(std::shared_ptr<const rules::RuleSet> set,
                    std::shared_ptr<rules::RecentResults> recent) {
  if (!set) {
    return {};
  }
  auto prefetch = recent ? history_prefetch(set, recent) : nullptr;
  return {rules_decider(set, std::move(recent)), std::move(prefetch), std::move(set)};
}

// The configuration's control definitions, each for an analyzer it configures.
qc::ControlDefinitions control_definitions(const std::vector<config::AnalyzerConfig>& analyzers,
                                           const qc::QcConfig& qc_config,
                                           files::FileErrors& errors) {
  if (qc_config.controls_file.empty()) {
    return {};
  }
  auto loaded = qc::load_control_definitions(qc_config.controls_file);
  if (!loaded) {
    errors.insert(errors.end(), loaded.error().begin(), loaded.error().end());
    return {};
  }
  for (std::size_t i = 0; i < loaded->controls.size(); ++i) {
    const auto& name = loaded->controls[i].key.analyzer;
    const bool configured =
        std::any_of(analyzers.begin(), analyzers.end(),
                    [&](const config::AnalyzerConfig& a) { return a.name == name; });
    if (!configured) {
      errors.push_back({qc_config.controls_file.string(), std::nullopt,
                        fmt::format("controls[{}].analyzer", i),
                        fmt::format("no analyzer \"{}\" in the configuration", name)});
    }
  }
  return std::move(*loaded);
}

// Each patient average is of a configured analyzer.
void check_averages(const std::vector<config::AnalyzerConfig>& analyzers,
                    const qc::QcConfig& qc_config, files::FileErrors& errors) {
  const auto& averages = qc_config.policy.averages;
  for (std::size_t i = 0; i < averages.size(); ++i) {
    const bool configured = std::any_of(
        analyzers.begin(), analyzers.end(),
        [&](const config::AnalyzerConfig& a) { return a.name == averages[i].analyzer; });
    if (!configured) {
      errors.push_back(
          {"", std::nullopt, fmt::format("qc.moving_averages[{}].analyzer", i),
           fmt::format("no analyzer \"{}\" in the configuration", averages[i].analyzer)});
    }
  }
}

// The reader of `analyzers` deciding with `set`; `errors` (the rule files') are returned with
// every other error found.
Result<std::shared_ptr<MessageReader>, files::FileErrors> reader_of(
    const std::vector<config::AnalyzerConfig>& analyzers, std::shared_ptr<const rules::RuleSet> set,
    const qc::QcConfig& qc_config, std::shared_ptr<rules::RecentResults> recent,
    std::shared_ptr<qc::ControlBook> qc, files::FileErrors errors) {
  auto definitions = control_definitions(analyzers, qc_config, errors);
  check_averages(analyzers, qc_config, errors);
  auto deciding = decider_of(std::move(set), std::move(recent));
  auto reader =
      std::make_shared<MessageReader>(std::move(deciding.decider), std::move(deciding.prefetch));
  reader->set_rule_set(std::move(deciding.rules));
  for (std::size_t i = 0; i < analyzers.size(); ++i) {
    const auto& a = analyzers[i];
    auto table = config::read_analyzer_table(a, i);
    if (!table) {
      errors.insert(errors.end(), table.error().begin(), table.error().end());
      continue;
    }
    auto effective = table->effective();
    if (effective.size() == 0) {
      spdlog::warn(
          "analyzers[{}] ({}, {}): its mapping table is empty (no base, no mappings file): its "
          "results are kept unmapped and it is sent no work; name a base such as \"loinc-cbc\" "
          "(hemalink check-config --explain lists each analyzer's table)",
          i, a.name, a.driver);
    }
    auto driver = drivers::make_driver(a.driver, {std::move(effective), a.charset, {}});
    if (!driver) {
      errors.push_back({"", std::nullopt, fmt::format("analyzers[{}].driver", i),
                        fmt::format("unknown driver \"{}\"", a.driver)});
      continue;
    }
    reader->add_analyzer(a.name, std::move(driver),
                         astm::Lis2Leniency{a.leniencies.doubled_repeat_delimiter});
  }
  if (!errors.empty()) {
    return errors;
  }
  if (qc) {
    qc->redefine(std::move(definitions), qc_config.policy);
  } else {
    qc = std::make_shared<qc::ControlBook>(std::move(definitions), qc_config.policy);
  }
  reader->set_quality_control(std::move(qc), {qc_config.hold_out, qc_config.hold_unknown});
  return reader;
}

}  // namespace

Result<std::shared_ptr<MessageReader>, files::FileErrors> configured_message_reader(
    const std::vector<config::AnalyzerConfig>& analyzers, const rules::RulesConfig& rules_config,
    const qc::QcConfig& qc_config, std::shared_ptr<rules::RecentResults> recent,
    std::shared_ptr<qc::ControlBook> qc) {
  std::shared_ptr<const rules::RuleSet> set;
  files::FileErrors errors;
  if (!rules_config.files.empty()) {
    auto loaded = rules::load_rule_files(rules_config.files);
    if (loaded) {
      set = std::move(*loaded);
    } else {
      errors = loaded.error();
    }
  }
  return reader_of(analyzers, std::move(set), qc_config, std::move(recent), std::move(qc),
                   std::move(errors));
}

Result<std::shared_ptr<MessageReader>, files::FileErrors> configured_message_reader(
    const std::vector<config::AnalyzerConfig>& analyzers,
    std::shared_ptr<const rules::RuleSet> rule_set, const qc::QcConfig& qc_config,
    std::shared_ptr<rules::RecentResults> recent, std::shared_ptr<qc::ControlBook> qc) {
  return reader_of(analyzers, std::move(rule_set), qc_config, std::move(recent), std::move(qc), {});
}

}  // namespace hemalink::ingest
