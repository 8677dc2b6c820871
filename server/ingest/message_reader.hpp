#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "drivers/driver.hpp"
#include "drivers/model/decision.hpp"
#include "protocols/astm/lis2_records.hpp"
#include "server/ingest/order_matching.hpp"
#include "server/qc/control_book.hpp"
#include "server/rules/rule_set.hpp"
#include "server/store/store_request.hpp"

namespace hemalink::ingest {

/// Decides every observation of a result set, in order (the rules engine plugs in here). It may
/// add calculated results and comments to the set; the receipt says when it arrived, and `qc`
/// what the QC gate says of the analyzer's tests then (nullptr: no QC).
using Decider = std::function<std::vector<model::Decision>(
    model::ResultSet&, const records::Receipt&, const records::TestStatuses* qc)>;

/// Reads, before a batch is decided, the previous results its specimens' rules may need, all at
/// once (the decider would otherwise read them one by one); `earliest` is the earliest receipt.
using HistoryPrefetch = std::function<void(std::span<const model::ResultSet* const> specimens,
                                           std::chrono::system_clock::time_point earliest)>;

/// Until a rule set is loaded every result is held for a technologist: nothing is released
/// that no rule has looked at.
std::vector<model::Decision> hold_everything(model::ResultSet& set, const records::Receipt& receipt,
                                             const records::TestStatuses* qc);

/// Which of the QC gate's statuses hold a patient result that the rules release. A lab that
/// holds on neither writes its own policy with `qc_status` in its rules.
struct QcGatePolicy {
  bool hold_out = true;
  bool hold_unknown = true;
};

/// Why the QC gate in `gate`'s state holds a patient result the rules release, as its decision
/// says it; nullopt when `policy` lets it go.
std::optional<std::string> qc_gate_hold(const qc::GateState& gate, const QcGatePolicy& policy);

/// Turns a receipt into what the store keeps: parses the raw message (LIS02-A2 records, HL7 v2
/// or an export file), translates it with the analyzer's driver and decides every result. A
/// message that does not parse or translate is Rejected with the reason and byte offset; one
/// the link ended early is Incomplete, keeps what could be translated, and releases nothing. Used
/// on receipt and when the spool is replayed, on the store's writer threads; safe to call from
/// several threads once set up.
class MessageReader {
 public:
  explicit MessageReader(Decider decider = hold_everything, HistoryPrefetch prefetch = {});

  /// Registers the configured analyzer `name` with its driver.
  void add_analyzer(std::string name, std::unique_ptr<drivers::Driver> driver,
                    astm::Lis2Leniency leniency = {});

  /// Matches patient results to the orders on their specimens before the rules see them (the
  /// order's patient fills what the analyzer did not send), and holds what `policy` says.
  /// Without it (a lab that takes no orders) results are decided on what the analyzer sent.
  void set_order_matching(OrderLookup lookup, OrderPolicy policy) {
    order_lookup_ = std::move(lookup);
    order_policy_ = policy;
  }

  /// Judges control results with `book` before the batch's patient results are decided, and
  /// holds the patient results of a test whose QC gate `policy` says to hold.
  void set_quality_control(std::shared_ptr<qc::ControlBook> book, QcGatePolicy policy) {
    control_book_ = std::move(book);
    gate_policy_ = policy;
  }
  const std::shared_ptr<qc::ControlBook>& control_book() const { return control_book_; }

  /// A rule set in shadow, with its decider: it decides every message beside the rules in force,
  /// through the same orders, QC gate and message checks, into MessageContent::shadow_decisions;
  /// what it decides changes nothing else. nullptr: none.
  /// `prefetch` reads what the shadow's rules read of the past with the batch's own read, so
  /// that it is not read result by result on the writer.
  void set_shadow(std::shared_ptr<const rules::RuleSet> rules, Decider decider,
                  HistoryPrefetch prefetch = {}) {
    shadow_rule_set_ = std::move(rules);
    shadow_decider_ = std::move(decider);
    shadow_prefetch_ = std::move(prefetch);
  }
  const std::shared_ptr<const rules::RuleSet>& shadow_rule_set() const { return shadow_rule_set_; }

  /// The rule set that decides (nullptr when every result is held for want of one).
  void set_rule_set(std::shared_ptr<const rules::RuleSet> rules) { rule_set_ = std::move(rules); }
  const std::shared_ptr<const rules::RuleSet>& rule_set() const { return rule_set_; }

  /// The driver of the configured analyzer `name` (its record-layer leniency in `leniency` when
  /// given); nullptr when there is no such analyzer.
  const drivers::Driver* driver_of(std::string_view name,
                                   astm::Lis2Leniency* leniency = nullptr) const;

  records::MessageContent read(const records::Receipt& receipt) const;
  /// Reads a batch: translates every receipt, prefetches the history of all their specimens in
  /// one go, then decides each. One content per receipt, in order.
  std::vector<records::MessageContent> read(
      std::span<const records::Receipt* const> receipts) const;

 private:
  struct Analyzer {
    std::unique_ptr<drivers::Driver> driver;
    astm::Lis2Leniency leniency;
  };

  std::vector<records::MessageContent> translate(
      std::span<const records::Receipt* const> receipts) const;
  records::MessageContent translate(const records::Receipt& receipt) const;
  records::MessageContent translate(const Analyzer& analyzer,
                                    const records::Receipt& receipt) const;
  std::vector<std::vector<OrderCheck>> match(
      std::span<records::MessageContent> contents,
      std::span<const records::Receipt* const> receipts) const;
  void prefetch(std::span<const records::MessageContent> contents,
                std::span<const records::Receipt* const> receipts) const;
  qc::BatchQc judge_controls(std::span<records::MessageContent> contents,
                             std::span<const records::Receipt* const> receipts) const;
  void decide(records::MessageContent& content, const records::Receipt& receipt,
              const qc::GateSnapshot* gates) const;
  void decide_in_shadow(records::MessageContent& content, const records::Receipt& receipt,
                        const qc::GateSnapshot* gates, const std::vector<OrderCheck>& checks,
                        const std::optional<std::string>& unreadable) const;
  static void apply_order_checks(records::MessageContent& content,
                                 const std::vector<OrderCheck>& checks);
  void gate(records::MessageContent& content, const qc::GateSnapshot* gates,
            const std::optional<std::string>& unreadable) const;
  std::optional<std::string> gate_hold(const qc::GateSnapshot* gates, std::string_view test,
                                       const std::optional<std::string>& unreadable) const;
  static void hold_if_incomplete(records::MessageContent& content, const records::Receipt& receipt);

  Decider decider_;
  HistoryPrefetch prefetch_;
  std::shared_ptr<const rules::RuleSet> rule_set_;
  std::shared_ptr<const rules::RuleSet> shadow_rule_set_;
  Decider shadow_decider_;
  HistoryPrefetch shadow_prefetch_;
  OrderLookup order_lookup_;
  OrderPolicy order_policy_;
  std::shared_ptr<qc::ControlBook> control_book_;
  QcGatePolicy gate_policy_;
  std::map<std::string, Analyzer, std::less<>> analyzers_;
};

}  // namespace hemalink::ingest
