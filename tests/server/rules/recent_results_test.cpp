#include "server/rules/recent_results.hpp"

#include <gtest/gtest.h>

namespace hemalink::rules {
namespace {

using namespace std::chrono_literals;

const TimePoint kNow = TimePoint(std::chrono::hours(500000));

struct FakeArchive : ResultArchive {
  std::optional<std::vector<PatientResult>> patient_results(std::string_view, std::string_view code,
                                                            TimePoint since) override {
    ++patient_reads;
    last_since = since;
    if (is_down)
      return std::nullopt;
    if (code != "HGB")
      return std::vector<PatientResult>{};
    return std::vector<PatientResult>{{"S-2", 11.0, kNow - 100h}, {"S-1", 13.0, kNow - 200h}};
  }
  std::optional<std::vector<SpecimenResult>> specimen_results(std::string_view id) override {
    ++specimen_reads;
    if (is_down)
      return std::nullopt;
    return id == "S-3" ? std::vector<SpecimenResult>{{"LYMPH_ABS", 1.5}, {"LYMPH_ABS", 1.7}}
                       : std::vector<SpecimenResult>{};
  }
  int patient_reads = 0;
  int specimen_reads = 0;
  bool is_down = false;
  TimePoint last_since;
};

model::ResultSet specimen(std::string id, double hgb) {
  model::ResultSet s;
  s.specimen_id = std::move(id);
  s.patient = model::Patient{"P-1", "F", "", 50.0};
  model::Observation o;
  o.code = "HGB";
  o.numeric = hgb;
  s.observations.push_back(o);
  return s;
}

class Recent : public ::testing::Test {
 protected:
  std::shared_ptr<FakeArchive> archive = std::make_shared<FakeArchive>();
  RecentResults recent{archive, 2};
};

TEST_F(Recent, PreviousResultsComeFromTheArchiveOnceThenFromMemory) {
  const auto s = specimen("S-3", 9.0);
  auto view = recent.view(kNow);
  EXPECT_EQ(view.previous(s, "HGB", 150 * 3600.0), 11.0);
  EXPECT_EQ(view.previous(s, "HGB", 250 * 3600.0), 11.0) << "the newest within the window";
  EXPECT_EQ(view.previous(s, "HGB", 50 * 3600.0), std::nullopt) << "none within 50 h";
  EXPECT_EQ(archive->patient_reads, 1);
  EXPECT_EQ(archive->last_since, kNow - kHistoryHorizon);
  EXPECT_FALSE(view.failed());
}

TEST_F(Recent, APrefetchReadsABatchOnceAndRemembersWhatHasNoHistory) {
  auto a = specimen("S-3", 9.0);
  auto b = specimen("S-9", 9.0);
  model::Observation wbc;
  wbc.code = "WBC";
  wbc.numeric = 6.0;
  b.observations.push_back(wbc);
  const model::ResultSet* batch[] = {&a, &b};
  recent.prefetch(batch, kNow);
  // The default histories() asks pair by pair: HGB and WBC of P-1 once each, and each specimen.
  EXPECT_EQ(archive->patient_reads, 2);
  EXPECT_EQ(archive->specimen_reads, 2);
  auto view = recent.view(kNow);
  EXPECT_EQ(view.previous(b, "HGB", 150 * 3600.0), 11.0);
  EXPECT_EQ(view.previous(b, "WBC", 150 * 3600.0), std::nullopt) << "no history, remembered";
  EXPECT_EQ(view.same_specimen(a, "LYMPH_ABS"), 1.7);
  EXPECT_EQ(view.same_specimen(b, "LYMPH_ABS"), std::nullopt);
  recent.prefetch(batch, kNow);
  EXPECT_EQ(archive->patient_reads, 2) << "nothing read again";
  EXPECT_EQ(archive->specimen_reads, 2);
}

TEST_F(Recent, APrefetchReadsOnlyTheCodesTheRulesReadEarlierResultsOf) {
  auto s = specimen("S-3", 9.0);
  model::Observation wbc;
  wbc.code = "WBC";
  s.observations.push_back(wbc);
  const model::ResultSet* batch[] = {&s};
  recent.prefetch(batch, kNow, [](std::string_view code) { return code == "HGB"; });
  EXPECT_EQ(archive->patient_reads, 1) << "HGB only";
}

TEST_F(Recent, APrefetchThatCannotReadChangesNothing) {
  archive->is_down = true;
  const auto s = specimen("S-3", 9.0);
  const model::ResultSet* batch[] = {&s};
  recent.prefetch(batch, kNow);
  archive->is_down = false;
  auto view = recent.view(kNow);
  EXPECT_EQ(view.previous(s, "HGB", 150 * 3600.0), 11.0) << "read when asked";
  EXPECT_FALSE(view.failed());
}

TEST_F(Recent, APreviousResultOfTheSameSpecimenIsNotAPreviousSpecimen) {
  auto view = recent.view(kNow);
  EXPECT_EQ(view.previous(specimen("S-2", 9.0), "HGB", 300 * 3600.0), 13.0);
}

TEST_F(Recent, CommittedResultsExtendWhatIsLoaded) {
  auto view = recent.view(kNow);
  EXPECT_EQ(view.previous(specimen("S-4", 9.0), "HGB", 300 * 3600.0), 11.0);
  recent.record(specimen("S-4", 9.5), kNow - 1h);
  EXPECT_EQ(recent.view(kNow).previous(specimen("S-5", 9.0), "HGB", 300 * 3600.0), 9.5);
  EXPECT_EQ(archive->patient_reads, 1);
}

TEST_F(Recent, ResultsOfTheSameSpecimenFromOtherAnalyzers) {
  auto view = recent.view(kNow);
  EXPECT_EQ(view.same_specimen(specimen("S-3", 9.0), "LYMPH_ABS"), 1.7) << "the latest";
  EXPECT_EQ(view.same_specimen(specimen("S-3", 9.0), "WBC"), std::nullopt);
  auto later = specimen("S-3", 9.0);
  later.observations[0].code = "WBC";
  later.observations[0].numeric = 4.2;
  recent.record(later, kNow);
  EXPECT_EQ(view.same_specimen(specimen("S-3", 9.0), "WBC"), 4.2);
  EXPECT_EQ(archive->specimen_reads, 1);
}

TEST_F(Recent, AnArchiveThatCannotBeReadIsReportedNotTakenAsNoHistory) {
  archive->is_down = true;
  auto view = recent.view(kNow);
  EXPECT_EQ(view.previous(specimen("S-3", 9.0), "HGB", 300 * 3600.0), std::nullopt);
  EXPECT_TRUE(view.failed());
  archive->is_down = false;
  auto next = recent.view(kNow);
  EXPECT_EQ(next.previous(specimen("S-3", 9.0), "HGB", 300 * 3600.0), 11.0) << "read again";
  EXPECT_FALSE(next.failed());
}

TEST_F(Recent, TheCacheIsBoundedAndForgetsTheLeastRecentlyUsed) {
  auto view = recent.view(kNow);
  const auto s = specimen("S-3", 9.0);
  view.previous(s, "HGB", 3600);
  view.previous(s, "WBC", 3600);
  view.previous(s, "PLT", 3600);  // capacity 2: HGB is forgotten
  view.previous(s, "HGB", 3600);
  EXPECT_EQ(archive->patient_reads, 4);
  view.previous(s, "PLT", 3600);
  EXPECT_EQ(archive->patient_reads, 4);
}

TEST_F(Recent, QcAndAnonymousSpecimensHaveNoHistory) {
  auto qc = specimen("QC-1", 9.0);
  qc.kind = model::SpecimenKind::QualityControl;
  auto view = recent.view(kNow);
  EXPECT_EQ(view.previous(qc, "HGB", 300 * 3600.0), std::nullopt);
  EXPECT_EQ(view.same_specimen(qc, "HGB"), std::nullopt);
  auto anonymous = specimen("", 9.0);
  anonymous.patient.reset();
  EXPECT_EQ(view.previous(anonymous, "HGB", 300 * 3600.0), std::nullopt);
  EXPECT_EQ(view.same_specimen(anonymous, "HGB"), std::nullopt);
  EXPECT_EQ(archive->patient_reads + archive->specimen_reads, 0);
}

}  // namespace
}  // namespace hemalink::rules
