#include "server/validation/backtest.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

#include "server/ingest/rules_decider.hpp"
#include "server/rules/recent_results.hpp"
#include "server/store/errc.hpp"
#include "server/validation/archive_as_of.hpp"
#include "server/validation/backtest_tally.hpp"

namespace hemalink::validation {
namespace {

// What the rules' `qc_status` and the gate read for one specimen: its analyzer's gates at its
// arrival, as the replayed judgements left them.
class GatesThen final : public records::TestStatuses {
 public:
  GatesThen(const qc::ControlBook& book, std::string_view analyzer, TimePoint at)
      : book_(book), analyzer_(analyzer), at_(at) {}
  records::GateStatus status(std::string_view test) const override {
    return book_.gate(analyzer_, test, at_).status;
  }
  qc::GateState gate(std::string_view test) const { return book_.gate(analyzer_, test, at_); }

 private:
  const qc::ControlBook& book_;
  std::string_view analyzer_;
  TimePoint at_;
};

// The stored QC judgements and average points, fed to the book in time order up to each
// specimen's arrival: a control judged at or before a patient result meets it, as it did live.
class QcReplay {
 public:
  QcReplay(qc::ControlBook& book, qc::QcHistory history) : book_(book) {
    for (auto& j : history.judgements) {
      events_.push_back({j.evaluated_at, std::move(j), std::nullopt});
    }
    for (auto& a : history.averages) {
      events_.push_back({a.at, std::nullopt, std::move(a)});
    }
    std::stable_sort(events_.begin(), events_.end(),
                     [](const Event& a, const Event& b) { return a.at < b.at; });
  }

  void advance_to(TimePoint at) {
    qc::QcHistory step;  // restore() replays its judgements, then its averages
    for (; next_ < events_.size() && events_[next_].at <= at; ++next_) {
      auto& e = events_[next_];
      if (e.judgement) {
        if (!step.averages.empty()) {
          flush(step);
        }
        step.judgements.push_back(std::move(*e.judgement));
      } else {
        step.averages.push_back(std::move(*e.average));
      }
    }
    flush(step);
  }

 private:
  struct Event {
    TimePoint at;
    std::optional<records::StoredJudgement> judgement;
    std::optional<records::StoredAveragePoint> average;
  };
  void flush(qc::QcHistory& step) {
    if (!step.judgements.empty() || !step.averages.empty()) {
      book_.restore(step);
      step = {};
    }
  }

  qc::ControlBook& book_;
  std::vector<Event> events_;
  std::size_t next_ = 0;
};

// The fail-safes of the live path that do not depend on the rules, applied to the candidate's
// decisions as they were applied then: the orders (as they stood), the QC gate, the message's end.
void hold_for_qc(const ArchivedSpecimen& s, const GatesThen& gates,
                 const ingest::QcGatePolicy& policy, std::vector<model::Decision>& decisions) {
  for (std::size_t i = 0; i < s.set.observations.size() && i < decisions.size(); ++i) {
    auto& d = decisions[i];
    if (d.verdict != model::Verdict::Release) {
      continue;
    }
    if (const auto why = ingest::qc_gate_hold(gates.gate(s.set.observations[i].code), policy)) {
      d.verdict = model::Verdict::Hold;
      d.decided_by = "system:qc-gate";
      d.reason = *why;
      d.fired.push_back({"qc-gate", model::RuleAction::Hold, *why, ""});
    }
  }
}

void hold_if_incomplete(const ArchivedSpecimen& s, std::vector<model::Decision>& decisions) {
  if (!s.is_incomplete) {
    return;
  }
  for (auto& d : decisions) {
    if (d.verdict == model::Verdict::Release) {
      d = model::hold_for_review("system:incomplete-message",
                                 "the message ended without its L record: held for review");
      d.fired.push_back({"incomplete-message", model::RuleAction::Hold, d.reason, ""});
    }
  }
}

// The orders were matched, live, before the rules calculated anything: a calculated result is
// not held as a test nobody ordered.
void drop_calculated(const ArchivedSpecimen& s, ingest::OrderCheck& check) {
  std::erase_if(check.hold, [&](const auto& hold) {
    return hold.first < s.results.size() && s.results[hold.first].is_calculated;
  });
}

class Replay {
 public:
  Replay(std::shared_ptr<const rules::RuleSet> candidate,
         std::shared_ptr<rules::ResultArchive> history, const BacktestPlan& plan, bool has_orders)
      : candidate_(std::move(candidate)),
        as_of_(std::make_shared<ArchiveAsOf>(std::move(history))),
        recent_(std::make_shared<rules::RecentResults>(as_of_, plan.history_capacity)),
        decider_(ingest::rules_decider(candidate_, recent_)),
        plan_(plan),
        has_orders_(has_orders),
        tally_(*candidate_, plan.false_negatives_listed) {}

  void batch(std::vector<ArchivedSpecimen>& specimens, qc::ControlBook& book, QcReplay& qc) {
    if (specimens.empty()) {
      return;
    }
    std::vector<const model::ResultSet*> sets;
    for (const auto& s : specimens) {
      sets.push_back(&s.set);
    }
    as_of_->set_clock(specimens.front().received_at);
    recent_->prefetch(sets, specimens.front().received_at,
                      [this](std::string_view code) { return candidate_->reads_previous(code); });
    for (auto& s : specimens) {
      qc.advance_to(s.received_at);
      as_of_->set_clock(s.received_at);
      if (is_scored(s.analyzer)) {
        decide(s, book);
      }
      recent_->record(s.set, s.received_at);
    }
  }

  BacktestReport report() { return tally_.report(); }
  /// True when the archive's history could not be read for some specimen: the replay held it
  /// for that, which would hide what the candidate does.
  bool failed() const { return as_of_->failed(); }

 private:
  bool is_scored(const std::string& analyzer) const {
    return plan_.analyzers.empty() || std::find(plan_.analyzers.begin(), plan_.analyzers.end(),
                                                analyzer) != plan_.analyzers.end();
  }

  void decide(const ArchivedSpecimen& s, const qc::ControlBook& book) {
    auto set = s.set;
    ingest::OrderCheck check;
    if (has_orders_) {
      check = ingest::match_orders(set, s.orders, plan_.order_policy, s.received_at);
      drop_calculated(s, check);
    }
    const GatesThen gates(book, s.analyzer, s.received_at);
    records::Receipt receipt;
    receipt.received_at = s.received_at;
    auto decisions = decider_(set, receipt, &gates);
    ingest::apply_order_check(check, decisions);
    hold_for_qc(s, gates, plan_.gate_policy, decisions);
    hold_if_incomplete(s, decisions);
    auto history = recent_->view(s.received_at);
    tally_.add(s, set, decisions, history, gates);
  }

  std::shared_ptr<const rules::RuleSet> candidate_;
  std::shared_ptr<ArchiveAsOf> as_of_;
  std::shared_ptr<rules::RecentResults> recent_;
  ingest::Decider decider_;
  const BacktestPlan& plan_;
  bool has_orders_;
  BacktestTally tally_;
};

}  // namespace

Result<BacktestReport, Error> run_backtest(std::shared_ptr<const rules::RuleSet> candidate,
                                           SpecimenArchive& archive,
                                           std::shared_ptr<rules::ResultArchive> history,
                                           BacktestPlan plan, const BacktestProgress& progress) {
  const auto started = std::chrono::steady_clock::now();
  auto total = archive.count(plan.period);
  if (!total) {
    return total.error();
  }
  auto orders = plan.takes_orders ? Result<bool, Error>(*plan.takes_orders) : archive.has_orders();
  if (!orders) {
    return orders.error();
  }
  auto stored_qc = archive.quality_control(plan.period);
  if (!stored_qc) {
    return stored_qc.error();
  }
  if (!plan.control_book) {
    plan.control_book = std::make_shared<qc::ControlBook>(qc::ControlDefinitions{}, qc::QcPolicy{});
  }
  QcReplay qc(*plan.control_book, std::move(*stored_qc));
  Replay replay(candidate, std::move(history), plan, *orders);
  long long done = 0;
  if (progress) {
    progress(0, *total);
  }
  bool is_stopped = false;
  auto replayed = archive.replay(plan.period, [&](std::vector<ArchivedSpecimen>& batch) {
    is_stopped = plan.stop != nullptr && plan.stop->load();
    if (is_stopped) {
      return false;
    }
    replay.batch(batch, *plan.control_book, qc);
    done += static_cast<long long>(batch.size());
    if (progress) {
      progress(done, *total);
    }
    return !replay.failed();
  });
  if (!replayed) {
    return replayed.error();
  }
  if (replay.failed()) {
    return Error{store::StoreErrc::Retryable,
                 fmt::format("the patients' earlier results could not be read from the archive "
                             "after {} of {} specimens: the results that needed them would have "
                             "been held for it, not by the rules; run it again",
                             done, *total)};
  }
  if (is_stopped) {
    return Error{
        std::make_error_code(std::errc::operation_canceled),
        fmt::format("stopped after {} of {} specimens (the daemon was stopping)", done, *total)};
  }
  auto report = replay.report();
  report.candidate_version = candidate->version();
  report.from = plan.period.from;
  report.to = plan.period.to;
  report.analyzers = plan.analyzers;
  report.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

}  // namespace hemalink::validation
