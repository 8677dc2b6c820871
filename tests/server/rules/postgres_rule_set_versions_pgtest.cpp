#include "server/rules/postgres_rule_set_versions.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "server/rules/errc.hpp"
#include "server/store/migrations.hpp"
#include "tests/support/test_database.hpp"

namespace hemalink::rules {
namespace {

// A migrated database and its versions.
struct Versions {
  testing::TestDatabase database;
  PostgresRuleSetVersions versions{database.dsn()};

  Versions() {
    const auto migrated = store::migrate(database.dsn(), store::shipped_migrations());
    if (!migrated)
      ADD_FAILURE() << migrated.error().detail;
  }

  // A version of one file holding `text`, stored as a draft by ada.
  RuleSetVersion draft(const std::string& version, const std::string& text = "{}") {
    auto stored = versions.store({{"lab.json", text + version}}, version, "user:ada", "a test",
                                 StoreAs::Draft);
    EXPECT_TRUE(stored) << stored.error().detail;
    return stored ? *stored : RuleSetVersion{};
  }

  // A backtest row of `version`, as the backtest writes it.
  long long backtest(const std::string& version, const std::string& status,
                     long long false_negatives) {
    testing::execute(
        database.dsn(),
        fmt::format("INSERT INTO rule_backtests (candidate_version, candidate, requested_by,"
                    " status, false_negatives) VALUES ('{}', '[]', 'user:ada', '{}', {})",
                    version, status, false_negatives));
    return std::stoll(testing::query_value(database.dsn(), "SELECT max(id) FROM rule_backtests"));
  }

  Result<RuleSetVersion, Error> move(long long id, VersionStatus to,
                                     std::optional<long long> backtest = std::nullopt,
                                     std::string comment = "") {
    return versions.change_status({id, to, backtest, std::move(comment), "user:ada"});
  }

  std::string status_of(long long id) const {
    return testing::query_value(
        database.dsn(), fmt::format("SELECT status FROM rule_set_versions WHERE id = {}", id));
  }

  // Each audited status change of `id`: "action before->after by actor".
  std::vector<std::string> audited(long long id) const {
    std::vector<std::string> out;
    for (const auto& r : testing::query_rows(
             database.dsn(),
             fmt::format("SELECT action, coalesce(before->>'status', ''), after->>'status', actor"
                         " FROM audit_log WHERE entity = 'rule_set_version' AND entity_id = '{}'"
                         " ORDER BY id",
                         id))) {
      out.push_back(fmt::format("{} {}->{} by {}", r[0], r[1], r[2], r[3]));
    }
    return out;
  }
};

TEST(PostgresRuleSetVersions, StoringAVersionTwiceReturnsTheRowStored) {
  HL_REQUIRE_POSTGRES();
  Versions v;
  const auto first = v.draft("v1");
  EXPECT_EQ(first.status, VersionStatus::Draft);
  EXPECT_EQ(first.author, "user:ada");
  EXPECT_EQ(first.content_hash.size(), 64u);
  const auto again = v.draft("v1");
  EXPECT_EQ(again.id, first.id);
  EXPECT_EQ(testing::query_value(v.database.dsn(), "SELECT count(*) FROM rule_set_versions"), "1");

  const auto clash =
      v.versions.store({{"lab.json", "other"}}, "v1", "user:ada", "", StoreAs::Draft);
  ASSERT_FALSE(clash);
  EXPECT_EQ(clash.error().code, VersionErrc::VersionClash);

  const auto found = v.versions.find("v1");
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->id, first.id);
  ASSERT_EQ((*found)->content.size(), 1u);
  EXPECT_EQ((*found)->content[0].name, "lab.json");
  EXPECT_EQ((*found)->content[0].text, "{}v1");
  const auto by_id = v.versions.find(std::to_string(first.id));
  ASSERT_TRUE(by_id && *by_id);
  EXPECT_EQ((*by_id)->version, "v1");
  EXPECT_FALSE(*v.versions.find("v9"));
}

TEST(PostgresRuleSetVersions, TheFirstVersionStoredAtStartIsLiveAndTheNextADraft) {
  HL_REQUIRE_POSTGRES();
  Versions v;
  const auto first =
      v.versions.store({{"a.json", "a"}}, "va", "system:start", "", StoreAs::LiveWhenNoneIs);
  ASSERT_TRUE(first) << first.error().detail;
  EXPECT_EQ(first->status, VersionStatus::Live);
  const auto second =
      v.versions.store({{"a.json", "b"}}, "vb", "system:start", "", StoreAs::LiveWhenNoneIs);
  ASSERT_TRUE(second) << second.error().detail;
  EXPECT_EQ(second->status, VersionStatus::Draft);
  EXPECT_EQ(v.audited(first->id),
            (std::vector<std::string>{"rule_set_stored ->draft by system:start",
                                      "rule_set_live draft->live by system:start"}));
  const auto live = v.versions.live();
  ASSERT_TRUE(live && *live);
  EXPECT_EQ((*live)->version, "va");
  EXPECT_EQ((*live)->content[0].text, "a");
  const auto listed = v.versions.list();
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].version, "vb") << "newest first";
  EXPECT_TRUE((*listed)[0].content.empty()) << "a list is without content";
}

TEST(PostgresRuleSetVersions, PromotionNeedsADoneBacktestOfTheVersion) {
  HL_REQUIRE_POSTGRES();
  Versions v;
  const auto candidate = v.draft("v2");
  const auto no_backtest = v.move(candidate.id, VersionStatus::Live);
  ASSERT_FALSE(no_backtest);
  EXPECT_EQ(no_backtest.error().code, VersionErrc::NoBacktest);
  EXPECT_EQ(v.move(candidate.id, VersionStatus::Live, 999).error().detail,
            "backtest 999: no such backtest");

  const auto running = v.backtest("v2", "running", 0);
  EXPECT_EQ(v.move(candidate.id, VersionStatus::Live, running).error().detail,
            fmt::format("backtest {} is still running", running));
  const auto other = v.backtest("v1", "done", 0);
  const auto of_other = v.move(candidate.id, VersionStatus::Live, other);
  EXPECT_EQ(of_other.error().code, VersionErrc::BacktestOfAnotherVersion);
  EXPECT_EQ(of_other.error().detail, fmt::format("backtest {} is of version v1, not v2", other));
  const auto missed = v.backtest("v2", "done", 3);
  const auto unexplained = v.move(candidate.id, VersionStatus::Live, missed, "  ");
  EXPECT_EQ(unexplained.error().code, VersionErrc::FalseNegativesUnexplained);
  EXPECT_EQ(unexplained.error().detail,
            fmt::format("backtest {} found 3 would-be false negatives: an admin's override "
                        "comment is required",
                        missed));
  const auto empty = v.backtest("v2", "done", 0);
  testing::execute(
      v.database.dsn(),
      fmt::format("UPDATE rule_backtests SET report = '{{\"results\": 0}}' WHERE id = {}", empty));
  const auto of_nothing = v.move(candidate.id, VersionStatus::Live, empty, "nothing to see");
  EXPECT_EQ(of_nothing.error().code, VersionErrc::EmptyBacktest);
  EXPECT_EQ(of_nothing.error().detail,
            fmt::format("backtest {} replayed no result (an empty period, or analyzers that "
                        "measured nothing): it is no evidence",
                        empty));
  EXPECT_EQ(v.status_of(candidate.id), "draft") << "every refusal leaves it as it was";

  const auto promoted =
      v.move(candidate.id, VersionStatus::Live, missed, "the 3 are reviewed by the smear rule");
  ASSERT_TRUE(promoted) << promoted.error().detail;
  EXPECT_EQ(promoted->status, VersionStatus::Live);
  EXPECT_EQ(promoted->backtest_id, missed);
  EXPECT_EQ(promoted->promotion_comment, "the 3 are reviewed by the smear rule");
  EXPECT_EQ(v.audited(candidate.id).back(), "rule_set_live draft->live by user:ada");
}

TEST(PostgresRuleSetVersions, GoingLiveRetiresThePreviousLiveAndBothAreAudited) {
  HL_REQUIRE_POSTGRES();
  Versions v;
  const auto first = v.draft("v1");
  const auto second = v.draft("v2");
  ASSERT_TRUE(v.move(first.id, VersionStatus::Live, v.backtest("v1", "done", 0)));
  ASSERT_TRUE(v.move(second.id, VersionStatus::Shadow));
  ASSERT_TRUE(v.move(second.id, VersionStatus::Live, v.backtest("v2", "done", 0)));
  EXPECT_EQ(v.status_of(first.id), "retired");
  EXPECT_EQ(v.status_of(second.id), "live");
  EXPECT_EQ(v.audited(first.id),
            (std::vector<std::string>{"rule_set_stored ->draft by user:ada",
                                      "rule_set_live draft->live by user:ada",
                                      "rule_set_retired live->retired by user:ada"}));
  EXPECT_EQ(v.audited(second.id),
            (std::vector<std::string>{"rule_set_stored ->draft by user:ada",
                                      "rule_set_shadow draft->shadow by user:ada",
                                      "rule_set_live shadow->live by user:ada"}));
  EXPECT_EQ(testing::query_value(v.database.dsn(),
                                 "SELECT count(*) FROM rule_set_versions WHERE status = 'live'"),
            "1");
}

TEST(PostgresRuleSetVersions, MovesOutsideTheLifecycleAreRefusedAndSayWhy) {
  HL_REQUIRE_POSTGRES();
  Versions v;
  const auto live = v.draft("v1");
  ASSERT_TRUE(v.move(live.id, VersionStatus::Live, v.backtest("v1", "done", 0)));
  const auto retire_live = v.move(live.id, VersionStatus::Retired);
  EXPECT_EQ(retire_live.error().code, VersionErrc::MoveNotAllowed);
  EXPECT_EQ(retire_live.error().detail,
            fmt::format("rule set version {} (v1) is live: a live version is retired only by "
                        "another going live",
                        live.id));
  const auto draft = v.draft("v2");
  ASSERT_TRUE(v.move(draft.id, VersionStatus::Shadow));
  ASSERT_TRUE(v.move(draft.id, VersionStatus::Draft)) << "shadow -> draft";
  ASSERT_TRUE(v.move(draft.id, VersionStatus::Retired)) << "draft -> retired";
  EXPECT_EQ(v.move(draft.id, VersionStatus::Draft).error().code, VersionErrc::MoveNotAllowed);
  EXPECT_EQ(v.move(draft.id, VersionStatus::Shadow).error().detail,
            fmt::format("rule set version {} (v2) is retired: a retired version stays retired",
                        draft.id));
  EXPECT_EQ(v.move(12345, VersionStatus::Shadow).error().code, VersionErrc::NoSuchVersion);
}

TEST(PostgresRuleSetVersions, AtMostOneVersionIsInShadowAndTheRefusalNamesIt) {
  HL_REQUIRE_POSTGRES();
  Versions v;
  const auto first = v.draft("v1");
  const auto second = v.draft("v2");
  ASSERT_TRUE(v.move(first.id, VersionStatus::Shadow));
  const auto refused = v.move(second.id, VersionStatus::Shadow);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, VersionErrc::ShadowTaken);
  EXPECT_EQ(refused.error().detail,
            fmt::format("rule set version {} (v1) is in shadow already (at most one is): move it "
                        "to draft or retired first",
                        first.id));
  EXPECT_EQ(v.status_of(second.id), "draft");
  EXPECT_EQ(v.audited(second.id).size(), 1u) << "stored, never moved";
}

}  // namespace
}  // namespace hemalink::rules
