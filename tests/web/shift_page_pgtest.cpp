// The review queue through a shift (tests/web/shift_page.mjs), in headless Chromium and in Firefox
// ESR: ten held XN CBCs and a control run, two technologists signed in at once. This side sends
// the traffic and checks what the page did: the whole-specimen release audited per result with the
// expanded comment code, anna's release of the PLT tom had open, and nothing from tom on it.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "tests/support/analyzer_socket.hpp"
#include "tests/support/store_harness.hpp"
#include "tests/support/web_lab.hpp"
#include "tests/support/xn_message.hpp"

namespace hemalink::web {
namespace {

using namespace std::chrono_literals;

void send_shift(testing::WebLab& lab) {
  testing::AnalyzerSocket xn(lab.h.port("xn-1"));
  for (int i = 1; i <= 10; ++i) {
    ASSERT_TRUE(xn.send_e1381(
        testing::xn_message(
            fmt::format("S-SH-{:02d}", i), fmt::format("P-SH-{:02d}", i), false,
            {{"WBC", "12.00", "10*3/uL"}, {"HGB", "13.0", "g/dL"}, {"PLT", "60", "10*3/uL"}},
            "20261207080000"),
        20s));
  }
  ASSERT_TRUE(xn.send_e1381(
      testing::xn_message("QC-30610101", true, {{"WBC", "3.01"}, {"PLT", "61"}}, "20261207075500"),
      20s));
  ASSERT_TRUE(testing::wait_until(
      [&] {
        return lab.h.count(
                   "SELECT count(*) FROM decisions d JOIN results r ON r.id = d.result_id "
                   "WHERE d.is_current AND r.specimen_id LIKE 'S-SH-%'") == 30;
      },
      20s));
}

void shift_in(const char* browser) {
  testing::WebLab lab;
  send_shift(lab);
  ASSERT_EQ(lab.h.count("SELECT count(*) FROM decisions d JOIN results r ON r.id = d.result_id "
                        "WHERE d.is_current AND d.decision = 'hold' AND r.is_qc"),
            2)
      << "the control's results are held by the rules, as before: the queue must leave them out";
  ASSERT_EQ(lab.browse("shift_page.mjs", browser), 0) << "see the browser's log above";
  const auto& h = lab.h;
  EXPECT_EQ(h.count("SELECT count(*) FROM audit_log a JOIN results r ON r.id = a.entity_id::bigint"
                    " WHERE a.actor = 'user:tom' AND a.action = 'release' AND r.specimen_id = "
                    "'S-SH-01' AND a.after->>'reason' = 'Reviewed, consistent with previous "
                    "(whole specimen)'"),
            2)
      << "the whole specimen released once, audited per result, the comment code expanded";
  EXPECT_EQ(h.query_value("SELECT d.decided_by FROM decisions d JOIN results r ON r.id = "
                          "d.result_id WHERE d.is_current AND r.specimen_id = 'S-SH-03' AND "
                          "r.code = 'PLT'"),
            "user:anna");
  EXPECT_EQ(h.count("SELECT count(*) FROM audit_log a JOIN results r ON r.id = a.entity_id::bigint"
                    " WHERE a.actor = 'user:tom' AND r.specimen_id = 'S-SH-03'"),
            0)
      << "tom's open release of that PLT sent nothing";
  EXPECT_EQ(h.count("SELECT count(*) FROM audit_log WHERE actor = 'user:tom'"), 2)
      << "tom decided nothing else: no key acted on something he was not looking at";
}

TEST(ShiftPage, ChromiumKeepsTheKeyboardInTheActionAndShowsAColleaguesDecision) {
  HL_REQUIRE_POSTGRES();
  HL_REQUIRE_BROWSER_TOOLS();
  shift_in("chromium");
}

TEST(ShiftPage, FirefoxKeepsTheKeyboardInTheActionAndShowsAColleaguesDecision) {
  HL_REQUIRE_POSTGRES();
  HL_REQUIRE_BROWSER_TOOLS();
  shift_in("firefox");
}

}  // namespace
}  // namespace hemalink::web
