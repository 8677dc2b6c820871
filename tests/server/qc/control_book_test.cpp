// The control book: a control's first runs set its target, control results are grouped into runs
// and judged, the gate follows each run's verdict and its age, a retransmission is judged once,
// and a book rebuilt from stored judgements says what the first one said.
#include "server/qc/control_book.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

namespace hemalink::qc {
using records::GateStatus;
namespace {

using namespace std::chrono_literals;

const Clock::time_point kMonday = Clock::from_time_t(1796601600);  // 2026-12-07 00:00 UTC

struct Control {
  std::string analyzer = "xn-1";
  std::string test = "WBC";
  std::string level = "1";
  std::string lot = "4411";
};

// One QC message: `values` of the control's test (other tests by code in `others`).
records::Receipt receipt_at(const std::string& analyzer, Clock::time_point at) {
  records::Receipt r;
  r.id = model::MessageId::generate();
  r.analyzer = analyzer;
  r.received_at = at;
  return r;
}

model::ResultSet control_set(const Control& c, double value, const std::string& measured_at) {
  model::ResultSet set;
  set.kind = model::SpecimenKind::QualityControl;
  set.specimen_id = "QC-" + c.level;
  set.qc_material = "XN-CHECK";
  set.qc_level = c.level;
  set.qc_lot = c.lot;
  model::Observation o;
  o.code = c.test;
  o.numeric = value;
  o.value = std::to_string(value);
  o.measured_at = measured_at;
  set.observations.push_back(o);
  return set;
}

QcPolicy policy(std::size_t establish_runs, std::chrono::minutes interval) {
  QcPolicy p;
  p.establish_runs = establish_runs;
  p.interval = interval;
  return p;
}

ControlDefinitions defined(const Control& c, double mean, double sd) {
  ControlDefinitions d;
  d.controls.push_back(
      {{c.analyzer, c.test, "XN-CHECK", c.level, c.lot}, ControlTarget{mean, sd}, 0, ""});
  return d;
}

// When the analyzer says it measured (here: seconds since the epoch).
std::string stamp(Clock::time_point at) {
  return std::to_string(
      std::chrono::duration_cast<std::chrono::seconds>(at.time_since_epoch()).count());
}

// Measures `c` at `at` with `value`: one message, its judgement.
records::ControlJudgement measure(ControlBook& book, const Control& c, double value,
                                  Clock::time_point at) {
  auto judged = book.judge(receipt_at(c.analyzer, at), control_set(c, value, stamp(at)), 0);
  EXPECT_EQ(judged.size(), 1U);
  return judged.empty() ? records::ControlJudgement{} : judged.front();
}

std::vector<std::string> rules_of(const records::ControlJudgement& j) {
  std::vector<std::string> out;
  for (const auto& v : j.violations) {
    out.push_back(v.rule);
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(ControlBook, TheFirstRunsSetTheTargetAndAreShownNotJudged) {
  ControlBook book({}, QcPolicy{});
  const Control wbc;
  const double values[] = {7.0, 7.2, 6.8, 7.1, 6.9, 7.0, 7.3, 6.7, 7.0, 7.0,
                           7.1, 6.9, 7.2, 6.8, 7.0, 7.0, 7.1, 6.9, 7.0, 7.0};
  double sum = 0;
  for (std::size_t i = 0; i < 20; ++i) {
    const auto j = measure(book, wbc, values[i], kMonday + i * 2h);
    EXPECT_TRUE(j.is_establishing);
    EXPECT_FALSE(j.z.has_value());
    EXPECT_TRUE(j.violations.empty());
    EXPECT_EQ(j.mean.has_value(), i == 19) << "only the 20th sets the target";
    sum += values[i];
    if (i < 19) {
      EXPECT_FALSE(book.gate("xn-1", "WBC", kMonday + i * 2h).is_under_qc)
          << "a test whose controls are establishing is not gated";
    }
  }
  const double mean = sum / 20;
  double squares = 0;
  for (const double v : values) {
    squares += (v - mean) * (v - mean);
  }
  const double sd = std::sqrt(squares / 19);
  const auto first_judged = measure(book, wbc, mean + 2.5 * sd, kMonday + 40h);
  EXPECT_FALSE(first_judged.is_establishing);
  ASSERT_TRUE(first_judged.z.has_value());
  EXPECT_NEAR(*first_judged.z, 2.5, 1e-9);
  EXPECT_NEAR(*first_judged.mean, mean, 1e-12);
  EXPECT_NEAR(*first_judged.sd, sd, 1e-12);
  EXPECT_EQ(rules_of(first_judged), std::vector<std::string>{"1-2s"});
  EXPECT_FALSE(first_judged.run_rejected) << "1-2s only warns";
  const auto gate = book.gate("xn-1", "WBC", kMonday + 40h);
  EXPECT_TRUE(gate.is_under_qc);
  EXPECT_EQ(gate.status, GateStatus::In);
}

TEST(ControlBook, ARejectedRunPutsOnlyThatTestOnThatAnalyzerOutUntilAnAcceptedRun) {
  const Control wbc;
  Control hgb = wbc;
  hgb.test = "HGB";
  Control other_xn = wbc;
  other_xn.analyzer = "xn-2";
  auto definitions = defined(wbc, 7.0, 0.2);
  for (const auto& c : {hgb, other_xn}) {
    definitions.controls.push_back(
        {{c.analyzer, c.test, "XN-CHECK", c.level, c.lot}, ControlTarget{7.0, 0.2}, 0, ""});
  }
  ControlBook book(std::move(definitions), QcPolicy{});
  EXPECT_EQ(measure(book, hgb, 7.1, kMonday).run_rejected, false);
  EXPECT_EQ(measure(book, other_xn, 7.1, kMonday).run_rejected, false);

  const auto rejected = measure(book, wbc, 7.0 + 3.4 * 0.2, kMonday + 5min);
  EXPECT_TRUE(rejected.run_rejected);
  EXPECT_EQ(rules_of(rejected), (std::vector<std::string>{"1-2s", "1-3s"}));
  const auto out = book.gate("xn-1", "WBC", kMonday + 6min);
  EXPECT_EQ(out.status, GateStatus::Out);
  EXPECT_EQ(out.reason.rfind("QC rejected at 2026-12-07T00:05:00Z: 1-3s", 0), 0U) << out.reason;
  EXPECT_EQ(book.gate("xn-1", "HGB", kMonday + 6min).status, GateStatus::In);
  EXPECT_EQ(book.gate("xn-2", "WBC", kMonday + 6min).status, GateStatus::In);

  EXPECT_FALSE(measure(book, wbc, 7.05, kMonday + 30min).run_rejected)
      << "the repeated level is a new run";
  EXPECT_EQ(book.gate("xn-1", "WBC", kMonday + 31min).status, GateStatus::In);
}

TEST(ControlBook, WithoutARunWithinTheIntervalTheStatusIsUnknown) {
  const Control wbc;
  ControlBook book(defined(wbc, 7.0, 0.2), policy(20, 8h));
  const auto before_any = book.gate("xn-1", "WBC", kMonday);
  EXPECT_TRUE(before_any.is_under_qc) << "a defined target puts the test under QC";
  EXPECT_EQ(before_any.status, GateStatus::Unknown);
  measure(book, wbc, 7.1, kMonday);
  EXPECT_EQ(book.gate("xn-1", "WBC", kMonday + 8h).status, GateStatus::In);
  const auto expired = book.gate("xn-1", "WBC", kMonday + 8h + 1s);
  EXPECT_EQ(expired.status, GateStatus::Unknown);
  EXPECT_EQ(expired.reason,
            "no QC run of WBC on xn-1 within 8 h (the last was at 2026-12-07T00:00:00Z)");
  EXPECT_EQ(book.gate("xn-1", "PLT", kMonday).is_under_qc, false) << "PLT has no control";
}

TEST(ControlBook, LevelsMeasuredTogetherAreOneRunForTheWithinRunRules) {
  Control level1;
  Control level2 = level1;
  level2.level = "2";
  auto definitions = defined(level1, 7.0, 0.2);
  definitions.controls.push_back(
      {{"xn-1", "WBC", "XN-CHECK", "2", "4411"}, ControlTarget{15.0, 0.5}, 0, ""});
  ControlBook together(definitions, QcPolicy{});
  EXPECT_FALSE(measure(together, level1, 7.0 + 2.2 * 0.2, kMonday).run_rejected);
  const auto r4s = measure(together, level2, 15.0 - 2.3 * 0.5, kMonday + 3min);
  EXPECT_TRUE(r4s.run_rejected);
  EXPECT_EQ(rules_of(r4s), (std::vector<std::string>{"1-2s", "R-4s"}));
  EXPECT_EQ(r4s.run_values.size(), 2U);

  ControlBook apart(definitions, QcPolicy{});
  measure(apart, level1, 7.0 + 2.2 * 0.2, kMonday);
  const auto later = measure(apart, level2, 15.0 - 2.3 * 0.5, kMonday + 2h);
  EXPECT_FALSE(later.run_rejected) << "two hours apart: two runs, and R-4s is within a run";
  EXPECT_EQ(later.run_values.size(), 1U);
}

TEST(ControlBook, ARetransmittedMeasurementIsJudgedOnce) {
  const Control wbc;
  ControlBook book(defined(wbc, 7.0, 0.2), QcPolicy{});
  const auto set = control_set(wbc, 7.5, "20261207080000");
  const auto first = book.judge(receipt_at("xn-1", kMonday), set, 0);
  const auto again = book.judge(receipt_at("xn-1", kMonday + 1min), set, 3);
  ASSERT_EQ(first.size(), 1U);
  ASSERT_EQ(again.size(), 1U);
  EXPECT_EQ(again[0].run_id, first[0].run_id);
  EXPECT_EQ(again[0].run_values.size(), 1U) << "not added to its run a second time";
  EXPECT_EQ(again[0].set, 3U);
  const auto next = measure(book, wbc, 7.5, kMonday + 20h);
  EXPECT_EQ(rules_of(next), (std::vector<std::string>{"1-2s", "2-2s"}));
}

TEST(ControlBook, ABookRebuiltFromStoredJudgementsJudgesAsTheFirstDid) {
  const Control wbc;
  ControlBook first({}, policy(5, 24h));
  std::vector<records::StoredJudgement> stored;
  const double values[] = {7.0, 7.2, 6.8, 7.1, 6.9, 7.6, 7.7};
  for (std::size_t i = 0; i < std::size(values); ++i) {
    const auto at = kMonday + i * 3h;
    stored.push_back({"xn-1", at, measure(first, wbc, values[i], at)});
  }
  ControlBook rebuilt({}, policy(5, 24h));
  rebuilt.restore({stored, {}, {}});
  const auto at = kMonday + 30h;
  EXPECT_EQ(rebuilt.gate("xn-1", "WBC", at).status, first.gate("xn-1", "WBC", at).status);
  EXPECT_EQ(rebuilt.gate("xn-1", "WBC", at).reason, first.gate("xn-1", "WBC", at).reason);
  const auto a = measure(first, wbc, 7.8, at);
  const auto b = measure(rebuilt, wbc, 7.8, at);
  EXPECT_EQ(rules_of(a), rules_of(b));
  EXPECT_EQ(a.run_rejected, b.run_rejected);
  EXPECT_DOUBLE_EQ(*a.z, *b.z);
  EXPECT_TRUE(a.run_rejected) << "+5 SD";

  const auto last_stored = kMonday + 18h;
  const auto retransmitted =
      rebuilt.judge(receipt_at("xn-1", at), control_set(wbc, values[6], stamp(last_stored)), 0);
  ASSERT_EQ(retransmitted.size(), 1U);
  EXPECT_EQ(retransmitted[0].run_id, stored.back().judgement.run_id)
      << "a measurement judged before the restart is not judged again";
}

// The Sysmex XN names no material, level or lot: its QC sample number (one per QC file, so one per
// lot) stands for them, as the definitions say. A new lot of level 1 is level 1 still.
TEST(ControlBook, AnXnQcSampleNumberStandsForItsMaterialLevelAndLot) {
  ControlDefinitions d;
  d.controls.push_back(
      {{"xn-1", "WBC", "XN-CHECK", "1", "4411"}, ControlTarget{7.0, 0.2}, 0, "QC-30610101"});
  d.controls.push_back(
      {{"xn-1", "WBC", "XN-CHECK", "1", "4412"}, ControlTarget{7.4, 0.25}, 0, "QC-30620101"});
  ControlBook book(std::move(d), QcPolicy{});
  const auto sample = [&](const std::string& id, double value, Clock::time_point at) {
    auto set = control_set({}, value, stamp(at));
    set.specimen_id = id;
    set.qc_level.clear();
    set.qc_material.clear();
    set.qc_lot.clear();
    return book.judge(receipt_at("xn-1", at), set, 0).at(0);
  };
  const auto old_lot = sample("QC-30610101", 7.2, kMonday);
  EXPECT_EQ(old_lot.level, "1");
  EXPECT_EQ(old_lot.lot, "4411");
  EXPECT_EQ(old_lot.material, "XN-CHECK");
  EXPECT_NEAR(*old_lot.z, 1.0, 1e-9);
  const auto new_lot = sample("QC-30620101", 7.2, kMonday + 5min);
  EXPECT_EQ(new_lot.lot, "4412");
  EXPECT_NEAR(*new_lot.z, -0.8, 1e-9) << "judged against its own lot's target";
  EXPECT_EQ(new_lot.run_values.size(), 1U)
      << "a new lot of level 1 beside the old: a run of its own";
  EXPECT_EQ(sample("QC-99", 7.2, kMonday + 6min).level, "QC-99")
      << "a sample the definitions do not name is its own level";
}

// After a rejected run of levels 1 and 2, level 1 rerun and accepted does not vouch for level 2:
// the test is back in control once an accepted run has measured both.
TEST(ControlBook, AnAcceptedRunPutsTheTestBackInOnceItMeasuredEveryRejectedLevel) {
  Control level1;
  Control level2 = level1;
  level2.level = "2";
  auto d = defined(level1, 7.0, 0.2);
  d.controls.push_back({{"xn-1", "WBC", "XN-CHECK", "2", "4411"}, ControlTarget{15.0, 0.5}, 0, ""});
  ControlBook book(std::move(d), QcPolicy{});
  measure(book, level1, 7.0 + 3.5 * 0.2, kMonday);  // 1-3s
  EXPECT_TRUE(measure(book, level2, 15.1, kMonday + 2min).run_rejected);
  EXPECT_EQ(book.gate("xn-1", "WBC", kMonday + 3min).status, GateStatus::Out);
  EXPECT_FALSE(measure(book, level1, 7.05, kMonday + 30min).run_rejected);
  EXPECT_EQ(book.gate("xn-1", "WBC", kMonday + 31min).status, GateStatus::Out)
      << "level 2 not measured again yet";
  EXPECT_FALSE(measure(book, level2, 14.9, kMonday + 33min).run_rejected);
  EXPECT_EQ(book.gate("xn-1", "WBC", kMonday + 34min).status, GateStatus::In);
}

// A definition put through the API before the stored ones were read (a POST just after a start)
// is one definition once they are: the stored copy of it does not make a second.
TEST(ControlBook, ADefinitionPutBeforeTheRestoreIsListedOnce) {
  const Control wbc;
  ControlBook book(defined(wbc, 7.0, 0.2), QcPolicy{});
  const ControlDefinition put{
      {"xn-1", "WBC", "XN-CHECK", "1", "4411"}, ControlTarget{7.4, 0.25}, 0, ""};
  book.override_definition(put);
  QcHistory history;
  history.definitions.push_back({"xn-1", "WBC", "XN-CHECK", "1", "4411", "", 7.4, 0.25,
                                 std::nullopt, "new insert", "user:ada", ""});
  book.restore(history);
  const auto listed = book.definitions();
  ASSERT_EQ(listed.size(), 1U);
  EXPECT_TRUE(listed[0].is_put);
  EXPECT_DOUBLE_EQ(listed[0].definition.target->mean, 7.4);
  EXPECT_NEAR(*measure(book, wbc, 7.65, kMonday).z, 1.0, 1e-9) << "judged against the put target";
}

// A patient's MCV as the analyzer measured it at `measured_at`.
model::ResultSet patient_mcv(const std::string& specimen, double mcv,
                             const std::string& measured_at) {
  model::ResultSet set;
  set.specimen_id = specimen;
  model::Observation o;
  o.code = "MCV";
  o.numeric = mcv;
  o.value = std::to_string(mcv);
  o.measured_at = measured_at;
  set.observations.push_back(o);
  return set;
}

QcPolicy xbarm_batches_of(std::size_t batch) {
  QcPolicy p;
  p.xbarm.batch = batch;
  return p;
}

// Every patient of a message counts, once: a message of two specimens completes a batch of two;
// the same message read again (a spool replay), or sent again by the analyzer under another
// message ID (a retransmission), adds nothing; the specimen measured again (a rerun) counts.
TEST(ControlBook, EachPatientMeasurementCountsOnceInTheAverages) {
  ControlBook book({}, xbarm_batches_of(2));
  const std::vector<model::ResultSet> two = {patient_mcv("S-1", 89.0, "20261207080000"),
                                             patient_mcv("S-2", 90.0, "20261207080100")};
  const auto receipt = receipt_at("xn-1", kMonday);
  const auto points = book.average(receipt, two);
  ASSERT_EQ(points.size(), 1U) << "both specimens of the message are in the batch";
  EXPECT_EQ(points[0].test, "MCV");
  EXPECT_EQ(points[0].results, 2U);

  EXPECT_TRUE(book.average(receipt, two).empty()) << "the message read again";
  EXPECT_TRUE(book.average(receipt_at("xn-1", kMonday + 1min), two).empty())
      << "the message sent again";
  EXPECT_TRUE(
      book.average(receipt_at("xn-1", kMonday + 2min), {patient_mcv("S-1", 89.4, "20261207090000")})
          .empty())
      << "a rerun is half a batch";
  const auto rerun = book.average(receipt_at("xn-1", kMonday + 3min),
                                  {patient_mcv("S-2", 89.6, "20261207090100")});
  ASSERT_EQ(rerun.size(), 1U);
  EXPECT_EQ(rerun[0].results, 4U);
  const auto other = book.average(receipt_at("xn-2", kMonday + 4min), two);
  ASSERT_EQ(other.size(), 1U) << "the same specimens on another analyzer: its own batch";
  EXPECT_EQ(other[0].results, 2U);
}

// A batch is judged in one consult, in order: each message meets the gates as the messages before
// it left them (an accepted run, then a rejected one, then a patient message after both), and a
// message that was not accepted is not judged.
TEST(ControlBook, ABatchIsJudgedInOneConsultEachMessageMeetingTheGatesBeforeIt) {
  const Control wbc;
  ControlBook book(defined(wbc, 7.0, 0.2), QcPolicy{});
  const auto patient = [] {
    model::ResultSet set;
    set.kind = model::SpecimenKind::Patient;
    set.specimen_id = "S-1";
    return set;
  };
  const std::vector<records::Receipt> receipts = {
      receipt_at("xn-1", kMonday), receipt_at("xn-1", kMonday + 5min),
      receipt_at("xn-1", kMonday + 6min), receipt_at("xn-1", kMonday + 7min)};
  std::vector<records::MessageContent> contents(4);
  contents[0].result_sets = {control_set(wbc, 7.1, stamp(kMonday))};
  contents[1].result_sets = {control_set(wbc, 7.0 + 3.4 * 0.2, stamp(kMonday + 5min))};
  contents[2].result_sets = {control_set(wbc, 7.0, stamp(kMonday + 6min))};
  contents[2].status = records::MessageStatus::Rejected;
  contents[3].result_sets = {patient()};
  std::vector<const records::Receipt*> batch;
  for (const auto& r : receipts) {
    batch.push_back(&r);
  }

  const auto qc = book.consult(batch, contents);

  ASSERT_FALSE(qc.unreadable);
  ASSERT_EQ(qc.messages.size(), 4U);
  EXPECT_EQ(qc.messages[0].judgements.size(), 1U);
  EXPECT_EQ(qc.messages[0].gates.status("WBC"), GateStatus::In);
  ASSERT_EQ(qc.messages[1].judgements.size(), 1U);
  EXPECT_TRUE(qc.messages[1].judgements[0].run_rejected);
  EXPECT_EQ(qc.messages[1].gates.status("WBC"), GateStatus::Out);
  EXPECT_TRUE(qc.messages[2].judgements.empty()) << "a rejected message is not judged";
  EXPECT_EQ(qc.messages[3].gates.status("WBC"), GateStatus::Out);
  EXPECT_TRUE(qc.messages[3].gates.gate("WBC").is_under_qc);
  EXPECT_FALSE(qc.messages[3].gates.gate("PLT").is_under_qc) << "PLT has no control";
}

// The stored judgements cannot be read: nothing is judged, and the batch says why.
TEST(ControlBook, ABatchWhoseStoredQcCannotBeReadIsNotJudged) {
  const Control wbc;
  ControlBook book(defined(wbc, 7.0, 0.2), QcPolicy{});
  book.set_history([]() -> Result<QcHistory, Error> {
    return Error{store::StoreErrc::Retryable, "connection refused"};
  });
  const auto receipt = receipt_at("xn-1", kMonday);
  std::vector<records::MessageContent> contents(1);
  contents[0].result_sets = {control_set(wbc, 7.1, stamp(kMonday))};
  const records::Receipt* batch[] = {&receipt};

  const auto qc = book.consult(batch, contents);

  EXPECT_EQ(qc.unreadable, "connection refused");
  EXPECT_TRUE(qc.messages.empty());
  EXPECT_EQ(book.gate("xn-1", "WBC", kMonday).status, GateStatus::Unknown) << "nothing judged";
}

}  // namespace
}  // namespace hemalink::qc
