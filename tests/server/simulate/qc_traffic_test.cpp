// The simulated XN's day with QC (`hemalink simulate --qc-every`), read back by the Sysmex XN
// driver: control runs where asked, each level within 1.5 SD but the failed run, patients with a
// stable MCV and the asked shift, a minute apart, and the same targets as the example config.
#include "server/simulate/qc_traffic.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "drivers/driver.hpp"
#include "protocols/astm/lis2_records.hpp"
#include "server/config/mapping_json.hpp"
#include "server/qc/control_definitions.hpp"

namespace hemalink::simulate {
namespace {

using namespace std::chrono_literals;

std::vector<model::ResultSet> read_by_the_xn_driver(const std::vector<std::string>& messages) {
  auto mappings = config::load_mappings("sysmex-xn", "", "");
  EXPECT_TRUE(mappings);
  auto driver = drivers::make_driver("sysmex-xn", {std::move(*mappings), Charset::Latin1, {}});
  std::vector<model::ResultSet> out;
  for (const auto& m : messages) {
    auto parsed = astm::Lis2Message::parse(m);
    EXPECT_TRUE(parsed) << m;
    auto t = driver->translate(*parsed);
    EXPECT_TRUE(t && t->result_sets.size() == 1) << m;
    if (t && t->result_sets.size() == 1) {
      out.push_back(t->result_sets[0]);
    }
  }
  return out;
}

double target_of(const ControlLevel& level, const std::string& test,
                 double ControlLevel::Target::*m) {
  for (const auto& t : level.targets) {
    if (t.test == test) {
      return t.*m;
    }
  }
  ADD_FAILURE() << "no target of " << test;
  return 0;
}

QcTraffic day(std::size_t patients, std::size_t every) {
  QcTraffic t;
  t.patients = patients;
  t.qc_every = every;
  t.last_measured = std::chrono::sys_days{std::chrono::year{2026} / 12 / 7} + 16h;
  return t;
}

TEST(QcTraffic, AControlRunBeforeTheFirstPatientAndAfterEveryNth) {
  const auto sets = read_by_the_xn_driver(qc_traffic_messages(day(7, 3)));
  std::string kinds;
  for (const auto& s : sets) {
    kinds += s.kind == model::SpecimenKind::QualityControl
                 ? (s.specimen_id == "QC-L1-4411" ? '1' : '2')
                 : 'p';
  }
  EXPECT_EQ(kinds, "12ppp12ppp12p") << "runs of level 1 then 2; seven patients";
  ASSERT_EQ(sets.size(), 13U);
  EXPECT_EQ(sets.front().observations.at(0).measured_at, "20261207154800");
  EXPECT_EQ(sets.back().observations.at(0).measured_at, "20261207160000")
      << "a minute apart, the last when asked";
}

// Every control within 1.5 SD, on one side of its target in a run and on the other in the next
// (no Westgard rule fires by chance), but level 1 of the failed run: +3.5 SD, 1-3s.
TEST(QcTraffic, TheControlsReadWithinTheirTargetsButTheFailedRun) {
  auto traffic = day(40, 10);
  traffic.fail_run = 3;
  const auto sets = read_by_the_xn_driver(qc_traffic_messages(traffic));
  const auto& levels = xn_check_levels();
  std::size_t run = 0;
  for (const auto& s : sets) {
    if (s.kind != model::SpecimenKind::QualityControl) {
      continue;
    }
    const bool is_level1 = s.specimen_id == levels[0].sample;
    run += is_level1 ? 1 : 0;
    const auto& level = is_level1 ? levels[0] : levels[1];
    ASSERT_EQ(s.observations.size(), level.targets.size());
    for (const auto& o : s.observations) {
      const double z = (*o.numeric - target_of(level, o.code, &ControlLevel::Target::mean)) /
                       target_of(level, o.code, &ControlLevel::Target::sd);
      if (run == 3 && is_level1) {
        EXPECT_NEAR(z, 3.5, 0.05) << o.code;
      } else {
        EXPECT_LE(std::abs(z), 1.5 + 0.05) << "run " << run << " " << o.code;
        EXPECT_EQ(z >= 0, run % 2 == 0) << "run " << run << " " << o.code << " z " << z;
      }
    }
  }
  EXPECT_EQ(run, 5U);
}

TEST(QcTraffic, PatientsHaveAStableMcvAndTheShiftFromTheMiddle) {
  auto traffic = day(2000, 1000);
  traffic.mcv_shift_pct = 5;
  const auto sets = read_by_the_xn_driver(qc_traffic_messages(traffic));
  std::map<std::string, double> first;
  std::map<std::string, double> second;
  std::size_t patient = 0;
  for (const auto& s : sets) {
    if (s.kind != model::SpecimenKind::Patient) {
      continue;
    }
    auto& half = patient++ < 1000 ? first : second;
    for (const auto& o : s.observations) {
      half[o.code] += *o.numeric / 1000;
    }
  }
  EXPECT_NEAR(first["MCV"], 89.5, 0.6);
  EXPECT_NEAR(second["MCV"] / first["MCV"], 1.05, 0.01);
  EXPECT_NEAR(second["MCH"] / first["MCH"], 1.05, 0.01);
  EXPECT_NEAR(second["MCHC"] / first["MCHC"], 1.0, 0.01) << "an RBC drift leaves MCHC";
  EXPECT_NEAR(first["MCHC"], 34.0, 0.5);
}

// The simulator's controls are the example configuration's: a lab that runs the example sees
// them judged against their targets, not established afresh.
TEST(QcTraffic, TheTargetsAreTheExampleConfigurations) {
  const auto definitions = qc::load_control_definitions(std::filesystem::path(HEMALINK_SOURCE_DIR) /
                                                        "config/qc/controls.json");
  ASSERT_TRUE(definitions);
  std::size_t matched = 0;
  for (const auto& level : xn_check_levels()) {
    for (const auto& t : level.targets) {
      for (const auto& d : definitions->controls) {
        if (d.key.analyzer == "xn-1" && d.sample == level.sample && d.key.test == t.test) {
          ++matched;
          EXPECT_EQ(d.key.material, level.material);
          EXPECT_EQ(d.key.level, level.level);
          EXPECT_EQ(d.key.lot, level.lot);
          ASSERT_TRUE(d.target) << t.test;
          EXPECT_DOUBLE_EQ(d.target->mean, t.mean) << level.sample << " " << t.test;
          EXPECT_DOUBLE_EQ(d.target->sd, t.sd) << level.sample << " " << t.test;
        }
      }
    }
  }
  EXPECT_EQ(matched, 6U);
}

}  // namespace
}  // namespace hemalink::simulate
