// The QC page in a real headless Chromium (tests/web/qc_page.mjs drives it): an XN's two weeks of
// WBC controls with a lot change, patients between them and a failing last run that holds the
// next patients' WBC. First what is out and what was held (the gate, the held group "QC still
// out", the Levey-Jennings charts on a time axis, the XbarM excursion as a warning on the gate
// table and the board); then, after an accepted run, the group "QC accepted again" released in
// one decision from the keyboard (Chromium), two results of the other group checked and rejected
// (Firefox ESR), and here the audit row of each result.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "tests/support/analyzer_socket.hpp"
#include "tests/support/web_lab.hpp"
#include "tests/support/xn_message.hpp"

namespace hemalink::web {
namespace {

using testing::WebLab;
using namespace std::chrono_literals;

constexpr int kHeld = 3;

// One XN message (LIS02-A2): a control (O-12 Q) or a patient's CBC, results by XN code, measured
// at `measured` (YYYYMMDDHHMMSS).
std::string xn_records(const std::string& sample, bool is_qc,
                       const std::vector<std::pair<std::string, double>>& results,
                       const std::string& measured) {
  std::vector<std::pair<std::string, std::string>> sent;
  for (const auto& [code, value] : results) {
    sent.emplace_back(code, fmt::format("{:.2f}", value));
  }
  return testing::xn_message(sample, is_qc, sent, measured);
}

// The run of day `day` of November (both levels at `hour`): level 1 `z1` and level 2 `z2` SD
// from their targets; level 1 on its second lot from the 22nd.
void send_run(testing::AnalyzerSocket& xn, int day, double z1, double z2, int hour = 8) {
  const bool new_lot = day >= 22;
  const auto at = fmt::format("202611{:02d}{:02d}0000", day, hour);
  ASSERT_TRUE(xn.send_e1381(xn_records(new_lot ? "QC-30620101" : "QC-30610101", true,
                                       {{"WBC", (new_lot ? 3.20 : 3.00) + z1 * 0.10}}, at),
                            20s));
  ASSERT_TRUE(xn.send_e1381(xn_records("QC-30610102", true, {{"WBC", 7.0 + z2 * 0.2}}, at), 20s));
}

// Two weeks of WBC controls, a run a day from November 15th (level 1 changes lot half-way),
// patients between them (ninety-one MCVs and WBCs, from the forty-first on MCV 6 % high: the
// XbarM's third batch is a warning, its fourth an excursion), a last run that breaks 1-3s, and
// after it kHeld patients whose WBC the gate holds.
void send_qc_history(WebLab& lab) {
  const double level1[] = {0.3, -0.6, 1.1, -0.2, 0.8, 2.3, -1.0,
                           0.4, -0.3, 0.9, -1.4, 0.2, 1.6, 3.4};
  const double level2[] = {-0.4, 0.7, -1.2, 0.5, 2.1,  2.4, 0.1,
                           -0.8, 1.0, -0.5, 0.6, -0.1, 0.3, 0.2};
  testing::AnalyzerSocket xn(lab.h.port("xn-1"));
  int patient = 0;
  for (std::size_t run = 0; run < std::size(level1); ++run) {
    const int day = 15 + static_cast<int>(run);
    send_run(xn, day, level1[run], level2[run]);
    for (int i = 0; i < 7 && run + 1 < std::size(level1); ++i, ++patient) {
      const double shift = patient >= 40 ? 1.06 : 1.0;
      const double mcv = (89.5 + ((patient * 37) % 17 - 8) * 0.6) * shift;
      const double wbc = 6.4 + ((patient * 13) % 11 - 5) * 0.2;
      ASSERT_TRUE(xn.send_e1381(
          xn_records(fmt::format("S-QC-{:03d}", patient), false, {{"WBC", wbc}, {"MCV", mcv}},
                     fmt::format("202611{:02d}09{:02d}00", day, i)),
          20s));
    }
  }
  for (int i = 1; i <= kHeld; ++i) {
    ASSERT_TRUE(xn.send_e1381(
        xn_records(fmt::format("S-HELD-{}", i), false, {{"WBC", 6.1 + i * 0.3}, {"MCV", 90.0}},
                   fmt::format("202611280{}1500", i)),
        20s));
  }
}

TEST(QcPage, WhatIsOutAndWhatWasHeldThenTheHeldResultsReleasedInOneDecision) {
  HL_REQUIRE_POSTGRES();
  HL_REQUIRE_BROWSER_TOOLS();
  WebLab lab;
  send_qc_history(lab);
  ASSERT_EQ(lab.h.count("SELECT count(*) FROM qc_evaluations"), 28);
  ASSERT_EQ(lab.h.count("SELECT count(*) FROM decisions d JOIN results r ON r.id = d.result_id "
                        "WHERE d.is_current AND d.decided_by = 'system:qc-gate' AND "
                        "r.specimen_id LIKE 'S-HELD-%' AND r.code = 'WBC'"),
            kHeld);
  ASSERT_EQ(lab.browse("qc_page.mjs", "out"), 0) << "see the browser's log above";

  {
    testing::AnalyzerSocket xn(lab.h.port("xn-1"));
    send_run(xn, 28, 0.1, -0.2, 11);  // both levels again at 11:00: accepted
  }
  ASSERT_EQ(lab.h.query_value("SELECT bool_or(run_rejected)::text FROM qc_evaluations WHERE id > "
                              "(SELECT max(id) - 2 FROM qc_evaluations)"),
            "false");
  ASSERT_EQ(lab.browse("qc_page.mjs", "queue"), 0) << "see the browser's log above";
  ASSERT_EQ(lab.browse("qc_page.mjs", "held"), 0) << "see the browser's log above";

  for (int i = 1; i <= kHeld; ++i) {
    const auto specimen = fmt::format("S-HELD-{}", i);
    EXPECT_EQ(lab.h.decision_of(specimen, "WBC"), "release") << specimen;
    EXPECT_EQ(
        lab.h.count(fmt::format(
            "SELECT count(*) FROM audit_log a JOIN results r ON a.entity_id = r.id::text "
            "WHERE a.entity = 'result' AND r.specimen_id = '{}' AND r.code = 'WBC' AND a.actor = "
            "'user:tom' AND a.action = 'release' AND a.after->>'reason' = 'QC repeat in control' "
            "AND a.before->>'decided_by' = 'system:qc-gate'",
            specimen)),
        1)
        << specimen << ": its own audit row";
  }
  EXPECT_EQ(lab.h.count("SELECT count(*) FROM audit_log WHERE entity = 'result'"), kHeld)
      << "nothing else decided";

  ASSERT_EQ(lab.browse("qc_firefox.mjs"), 0) << "see the browser's log above";
  EXPECT_EQ(lab.h.count("SELECT count(*) FROM audit_log a JOIN results r ON a.entity_id = "
                        "r.id::text WHERE a.entity = 'result' AND a.action = 'reject' AND "
                        "a.actor = 'user:tom' AND a.after->>'reason' = 'Checked in Firefox' AND "
                        "r.specimen_id IN ('S-QC-035', 'S-QC-037') AND r.code = 'WBC'"),
            2)
      << "the two results checked in Firefox, rejected with one comment";
  EXPECT_EQ(lab.h.decision_of("S-QC-036", "WBC"), "hold") << "the one not checked";
}

}  // namespace
}  // namespace hemalink::web
