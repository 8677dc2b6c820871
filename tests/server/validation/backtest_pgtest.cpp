// The backtest on archives written row by row in SQL, each built to catch one way a replay can
// lie: a delta check that sees a later result, history before the period forgotten, a QC gate
// judged by today's state instead of then, a corrected value replayed instead of the one sent.
#include "server/validation/backtest.hpp"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include "server/rules/database_result_archive.hpp"
#include "server/store/migrations.hpp"
#include "server/validation/archive_time.hpp"
#include "server/validation/postgres_backtest_records.hpp"
#include "server/validation/postgres_specimen_archive.hpp"
#include "server/validation/recorded_backtest.hpp"
#include "tests/support/test_database.hpp"

namespace hemalink::validation {
namespace {

class Archive {
 public:
  Archive() {
    EXPECT_TRUE(store::migrate(db_.dsn(), store::shipped_migrations()));
    run("INSERT INTO analyzers (name, driver) VALUES ('xn-1', 'sysmex-xn'), ('xn-2', 'sysmex-xn')");
  }
  const std::string& dsn() const { return db_.dsn(); }
  void run(const std::string& sql) const { testing::execute(dsn(), sql); }
  std::string value(const std::string& sql) const { return testing::query_value(dsn(), sql); }

  // A patient specimen with one PLT result and its automatic decision; returns the result's ID.
  long long plt(const std::string& specimen, const std::string& patient, const std::string& at,
                const std::string& value, const std::string& live = "release",
                const std::string& analyzer = "xn-1") {
    const auto message = fmt::format("md5('{}{}')::uuid", specimen, at);
    run(fmt::format(
        "INSERT INTO messages (id, analyzer_id, direction, protocol, received_at, raw,"
        " content_hash, status) SELECT {0}, id, 'in', 'astm', '{1}', '\\x00', '\\x00', 'accepted'"
        " FROM analyzers WHERE name = '{4}';"
        "INSERT INTO specimens (message_id, analyzer_id, specimen_id, kind, patient_id, "
        "received_at)"
        " SELECT {0}, id, '{2}', 'patient', '{3}', '{1}' FROM analyzers WHERE name = '{4}'",
        message, at, specimen, patient, analyzer));
    run(fmt::format(
        "INSERT INTO results (specimen_row_id, message_id, analyzer_id, specimen_id, patient_id,"
        " code, raw_code, is_mapped, value, numeric_value, status, received_at)"
        " SELECT s.id, s.message_id, s.analyzer_id, s.specimen_id, s.patient_id, 'PLT', 'PLT',"
        " true, '{1}', {1}, 'final', s.received_at FROM specimens s WHERE s.specimen_id = '{0}'",
        specimen, value));
    const auto id = std::stoll(value_of_result(specimen));
    run(fmt::format(
        "INSERT INTO decisions (result_id, decision, rules_fired, rule_set_version, decided_by,"
        " reason, decided_at) VALUES ({0}, '{1}', '[{{\"rule_id\": \"live-rule\", \"action\": "
        "\"{1}\", \"reason\": \"\"}}]', 'live', 'rules:live', '', '{2}')",
        id, live, at));
    return id;
  }

  // A technologist's decision on a held result, `minutes` after it came.
  void decide(long long result, const std::string& verdict, int minutes,
              const std::string& corrected = "") {
    run(fmt::format(
        "UPDATE decisions SET is_current = false WHERE result_id = {0};"
        "INSERT INTO decisions (result_id, decision, decided_by, reason, decided_at)"
        " SELECT {0}, '{1}', 'user:ana', 'checked the smear', received_at + interval '{2} min'"
        " FROM results WHERE id = {0}",
        result, verdict, minutes));
    if (!corrected.empty()) {
      run(fmt::format(
          "INSERT INTO audit_log (actor, action, entity, entity_id, before, after)"
          " SELECT 'user:ana', 'release', 'result', id::text, json_build_object('value', value),"
          " json_build_object('value', '{1}') FROM results WHERE id = {0};"
          "UPDATE results SET value = '{1}', numeric_value = {1} WHERE id = {0}",
          result, corrected));
    }
  }

  // A PLT control judged at `at`: level 1 of lot L1, its run rejected or accepted.
  void control(const std::string& at, bool rejected) {
    const auto tag = fmt::format("QC{}", at);
    const auto message = fmt::format("md5('{}')::uuid", tag);
    run(fmt::format(
        "INSERT INTO messages (id, analyzer_id, direction, protocol, received_at, raw,"
        " content_hash, status) SELECT {0}, id, 'in', 'astm', '{1}', '\\x00', '\\x00', 'accepted'"
        " FROM analyzers WHERE name = 'xn-1';"
        "INSERT INTO specimens (message_id, analyzer_id, specimen_id, kind, qc_level, received_at)"
        " SELECT {0}, id, '{2}', 'qc', '1', '{1}' FROM analyzers WHERE name = 'xn-1';"
        "INSERT INTO results (specimen_row_id, message_id, analyzer_id, specimen_id, is_qc, code,"
        " raw_code, is_mapped, value, numeric_value, status, received_at)"
        " SELECT s.id, s.message_id, s.analyzer_id, s.specimen_id, true, 'PLT', 'PLT', true,"
        " '{3}', {3}, 'final', s.received_at FROM specimens s WHERE s.specimen_id = '{2}';"
        "INSERT INTO qc_evaluations (result_id, analyzer_id, test, level, lot, value, phase,"
        " target_mean, target_sd, z, run_id, run_started_at, run_values, violations, run_rejected,"
        " measurement, evaluated_at)"
        " SELECT r.id, r.analyzer_id, 'PLT', '1', 'L1', {3}, 'judged', 200, 10, {4}, '{2}',"
        " r.received_at, '[]', '{5}', {6}, '{2}', r.received_at"
        " FROM results r WHERE r.specimen_id = '{2}'",
        message, at, tag, rejected ? "240" : "201", rejected ? "4.0" : "0.1",
        rejected ? R"([{"rule": "1-3s", "detail": "level 1 at +4.0 SD"}])" : "[]",
        rejected ? "true" : "false"));
  }

 private:
  std::string value_of_result(const std::string& specimen) const {
    return value(fmt::format("SELECT max(id) FROM results WHERE specimen_id = '{}'", specimen));
  }

  testing::TestDatabase db_;
};

std::shared_ptr<const rules::RuleSet> rule_set(const std::string& rules) {
  auto loaded =
      rules::RuleSet::load({{"candidate.json", R"({"version": "c1", "rules": [)" + rules + "]}"}});
  EXPECT_TRUE(loaded) << (loaded ? "" : files::describe(loaded.error(), "\n"));
  return loaded ? *loaded : nullptr;
}

constexpr const char* kRelease =
    R"({"id": "plt-release", "applies_to": ["PLT"], "when": "value >= 0", "action": "release"})";

BacktestReport backtest(const Archive& archive, const std::string& rules, BacktestPlan plan = {}) {
  PostgresSpecimenArchive specimens(archive.dsn(), 2);
  auto report =
      run_backtest(rule_set(rules), specimens,
                   std::make_shared<rules::DatabaseResultArchive>(archive.dsn()), std::move(plan));
  EXPECT_TRUE(report) << (report ? "" : report.error().detail);
  return report ? *report : BacktestReport{};
}

std::vector<std::string> disagreeing(const BacktestReport& report) {
  std::vector<std::string> out;
  for (const auto& d : report.disagreements) {
    out.push_back(d.place.specimen_id);
  }
  return out;
}

TEST(Backtest, ADeltaCheckSeesOnlyTheResultsStoredBeforeItsSpecimen) {
  HL_REQUIRE_POSTGRES();
  Archive archive;
  archive.plt("S1", "P1", "2026-11-01 08:00+00", "200");
  archive.plt("S2", "P1", "2026-11-02 08:00+00", "190");
  archive.plt("S3", "P2", "2026-11-02 09:00+00", "250");
  const auto seen_before = std::string(kRelease) +
                           R"j(, {"id": "plt-seen-before", "applies_to": ["PLT"],
      "when": "has_previous(30d)", "action": "hold", "reason": "an earlier PLT"})j";
  const auto report = backtest(archive, seen_before);
  EXPECT_EQ(report.specimens, 3);
  EXPECT_EQ(report.results, 3);
  // S1 has a later result of its patient in the database (S2): it must not see it.
  EXPECT_EQ(disagreeing(report), std::vector<std::string>{"S2"});
  EXPECT_EQ(report.with_live.only_candidate_holds, 1);
  EXPECT_EQ(report.by_rule.at("plt-seen-before").fired, 1);

  BacktestPlan from_second_day;
  from_second_day.period.from = archive_time("2026-11-02");
  const auto later = backtest(archive, seen_before, from_second_day);
  EXPECT_EQ(later.specimens, 2);
  // S1 is before the period and still S2's history.
  EXPECT_EQ(disagreeing(later), std::vector<std::string>{"S2"});
}

TEST(Backtest, ThePatientsLaterResultsDoNotCrowdOutTheEarlierOnes) {
  HL_REQUIRE_POSTGRES();
  Archive archive;
  archive.plt("S1", "P1", "2026-11-01 08:00+00", "200");
  archive.plt("S2", "P1", "2026-11-02 08:00+00", "190");
  for (int day = 3; day < 25; ++day) {
    archive.plt(fmt::format("L{}", day), "P1", fmt::format("2026-11-{:02} 08:00+00", day), "180");
  }
  BacktestPlan second_day;  // S1 is read from the archive, not replayed
  second_day.period = {archive_time("2026-11-02"), archive_time("2026-11-03")};
  const auto report = backtest(archive, std::string(kRelease) + R"j(, {"id": "plt-seen-before",
      "applies_to": ["PLT"], "when": "has_previous(30d)", "action": "hold", "reason": "seen"})j",
                               second_day);
  EXPECT_EQ(report.specimens, 1);
  // The history read is of what came before S2, not the newest results the patient has now.
  EXPECT_EQ(disagreeing(report), std::vector<std::string>{"S2"});
}

TEST(Backtest, TheQcGateHoldsWhatItHeldThen) {
  HL_REQUIRE_POSTGRES();
  Archive archive;
  archive.control("2026-11-01 07:00+00", false);
  archive.plt("S1", "P1", "2026-11-01 08:00+00", "200");
  archive.control("2026-11-01 09:00+00", true);
  archive.plt("S2", "P2", "2026-11-01 10:00+00", "210", "hold");
  archive.control("2026-11-01 11:00+00", false);
  archive.plt("S3", "P3", "2026-11-01 12:00+00", "220");
  const auto report = backtest(archive, kRelease);
  EXPECT_EQ(report.overall.released, 2);
  EXPECT_EQ(report.held_otherwise.at("qc-gate"), 1);
  EXPECT_EQ(report.with_live.total(), 3);
  EXPECT_EQ(report.with_live.both_hold, 1) << "S2 was held by the rejected run, then and now";
  EXPECT_TRUE(report.disagreements.empty());
}

TEST(Backtest, ComparesWithWhatPeopleDidOnTheValueTheAnalyzerSent) {
  HL_REQUIRE_POSTGRES();
  Archive archive;
  const auto corrected = archive.plt("S1", "P1", "2026-11-01 08:00+00", "1200", "hold");
  archive.decide(corrected, "release", 30, "120");
  const auto rejected = archive.plt("S2", "P2", "2026-11-01 09:00+00", "20", "hold");
  archive.decide(rejected, "reject", 45);
  const auto released = archive.plt("S3", "P3", "2026-11-01 10:00+00", "90", "hold");
  archive.decide(released, "release", 40);
  archive.plt("S4", "P4", "2026-11-01 11:00+00", "300");
  const auto too_high = std::string(kRelease) + R"(, {"id": "plt-linearity", "applies_to": ["PLT"],
      "when": "value > 1000", "action": "hold", "reason": "above linearity"})";
  const auto report = backtest(archive, too_high);
  // S1 is replayed as 1200 (sent), not 120 (corrected): held, no false negative. S2 released by
  // the candidate though a person rejected it: a false negative. S3: released sooner.
  EXPECT_EQ(report.false_negative_results, 1);
  ASSERT_EQ(report.false_negatives.size(), 1U);
  EXPECT_EQ(report.false_negatives[0].place.specimen_id, "S2");
  EXPECT_EQ(report.false_negatives[0].outcome, Outcome::Rejected);
  EXPECT_EQ(report.false_negatives[0].comment, "checked the smear");
  EXPECT_EQ(report.with_people.total(), 3);
  EXPECT_EQ(report.with_people.both_hold, 1);                // S1
  EXPECT_EQ(report.with_people.only_candidate_releases, 1);  // S2
  EXPECT_EQ(report.with_people.both_release, 1);             // S3
  EXPECT_EQ(report.released_sooner, 1);
  ASSERT_TRUE(report.held_minutes_median);
  EXPECT_DOUBLE_EQ(*report.held_minutes_median, 40.0);
  EXPECT_DOUBLE_EQ(report.minutes_saved, 40.0);
  EXPECT_EQ(report.needless_holds, 0);
}

TEST(Backtest, CountsOnlyTheAnalyzersAskedForAndKeepsTheOthersAsHistory) {
  HL_REQUIRE_POSTGRES();
  Archive archive;
  archive.plt("S1", "P1", "2026-11-01 08:00+00", "200", "release", "xn-2");
  archive.plt("S2", "P1", "2026-11-02 08:00+00", "190");
  BacktestPlan plan;
  plan.analyzers = {"xn-1"};
  const auto report = backtest(archive, std::string(kRelease) + R"j(, {"id": "plt-seen-before",
      "applies_to": ["PLT"], "when": "has_previous(30d)", "action": "hold", "reason": "seen"})j",
                               plan);
  EXPECT_EQ(report.specimens, 1);
  EXPECT_EQ(report.by_analyzer.count("xn-2"), 0U);
  EXPECT_EQ(disagreeing(report), std::vector<std::string>{"S2"});
}

// Earlier results that cannot be read: every read refused.
class UnreadableArchive final : public rules::ResultArchive {
 public:
  std::optional<std::vector<PatientResult>> patient_results(
      std::string_view, std::string_view, std::chrono::system_clock::time_point) override {
    return std::nullopt;
  }
  std::optional<std::vector<SpecimenResult>> specimen_results(std::string_view) override {
    return std::nullopt;
  }
};

TEST(Backtest, FailsRatherThanReportHoldsMadeForWantOfHistory) {
  HL_REQUIRE_POSTGRES();
  Archive archive;
  archive.plt("S1", "P1", "2026-11-01 08:00+00", "200");
  PostgresSpecimenArchive specimens(archive.dsn());
  const auto report =
      run_backtest(rule_set(kRelease), specimens, std::make_shared<UnreadableArchive>(), {});
  ASSERT_FALSE(report);
  EXPECT_NE(report.error().detail.find("could not be read from the archive after 1 of 1"),
            std::string::npos)
      << report.error().detail;
}

TEST(Backtest, IsKeptWithItsProgressAndReport) {
  HL_REQUIRE_POSTGRES();
  Archive archive;
  archive.decide(archive.plt("S1", "P1", "2026-11-01 08:00+00", "20", "hold"), "rerun", 10);
  PostgresSpecimenArchive specimens(archive.dsn());
  PostgresBacktestRecords records(archive.dsn());
  BacktestRequest request;
  request.candidate = {{"candidate.json", "{}"}};
  request.requested_by = "cli:test";
  std::vector<std::pair<long long, long long>> told;
  auto done =
      run_recorded_backtest(rule_set(kRelease), request, specimens,
                            std::make_shared<rules::DatabaseResultArchive>(archive.dsn()), records,
                            {}, [&](long long n, long long total) { told.emplace_back(n, total); });
  ASSERT_TRUE(done) << done.error().detail;
  EXPECT_EQ(told.back(), std::make_pair(1LL, 1LL));
  EXPECT_EQ(archive.value(fmt::format("SELECT status || ' ' || false_negatives || ' ' ||"
                                      " specimens_done || '/' || specimens_total FROM"
                                      " rule_backtests WHERE id = {}",
                                      done->id)),
            "done 1 1/1");
  EXPECT_EQ(archive.value(
                fmt::format("SELECT report -> 'false_negatives' -> 'listed' -> 0 ->> 'outcome' FROM"
                            " rule_backtests WHERE id = {}",
                            done->id)),
            "rerun");
  const auto json = records.find(done->id);
  ASSERT_TRUE(json);
  EXPECT_NE(json->find("\"candidate_version\""), std::string::npos);
  EXPECT_EQ(*records.find(done->id + 1), "");
}

}  // namespace
}  // namespace hemalink::validation
