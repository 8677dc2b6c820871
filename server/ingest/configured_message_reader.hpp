#pragma once

#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "protocols/common/result.hpp"
#include "server/config/analyzer_config.hpp"
#include "server/files/file_error.hpp"
#include "server/ingest/message_reader.hpp"
#include "server/qc/qc_config.hpp"
#include "server/rules/recent_results.hpp"
#include "server/rules/rule_set.hpp"
#include "server/rules/rules_config.hpp"

namespace hemalink::ingest {

/// The reader of a configuration's analyzers, rules and QC: every analyzer with its driver, its
/// mapping table (the base its configuration names with its mappings file over it:
/// config::read_analyzer_table), its character set and its record leniencies, and the rule set of
/// `rules.files` deciding with previous results from `recent` (without rule files, every result is
/// held). Fails with every error found (an unknown base, a mappings file that cannot be read or
/// does not parse, a rules file with errors), each naming where it is: errors in a mappings or
/// rules file name that file; errors of the configuration itself name only their JSON path (the
/// caller knows the configuration's file).
///
/// Control results are judged with `qc` (the daemon's, which lives across reloads: the control
/// definitions and policy of `qc_config` are put in force in it), or with a book of their own
/// when it is null; the gate holds what `qc_config` says.
///
/// It does not match results with orders: a lab that takes orders has that set by
/// orders::match_results_with_order_book, without which results are decided as if no order was
/// expected.
Result<std::shared_ptr<MessageReader>, files::FileErrors> configured_message_reader(
    const std::vector<config::AnalyzerConfig>& analyzers, const rules::RulesConfig& rules_config,
    const qc::QcConfig& qc_config, std::shared_ptr<rules::RecentResults> recent = nullptr,
    std::shared_ptr<qc::ControlBook> qc = nullptr);

/// The same, deciding with `rule_set` (loaded elsewhere: the live version the daemon read from
/// the database) instead of rule files; nullptr: every result held.
Result<std::shared_ptr<MessageReader>, files::FileErrors> configured_message_reader(
    const std::vector<config::AnalyzerConfig>& analyzers,
    std::shared_ptr<const rules::RuleSet> rule_set, const qc::QcConfig& qc_config,
    std::shared_ptr<rules::RecentResults> recent, std::shared_ptr<qc::ControlBook> qc);

}  // namespace hemalink::ingest
