// The lab day's model (issue 31): blood whose identities hold, a differential that sums to 100,
// the configured case mix and flag rates over 10,000 tubes, the same day from the same seed, a
// reason for every specimen a person must see and a signal a rule set could catch it by, and each
// profile's share of such specimens in its band.
#include "server/simulate/lab_day.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "server/simulate/analyzer_messages.hpp"
#include "server/simulate/blood_count.hpp"
#include "server/simulate/case_mix.hpp"
#include "server/simulate/coagulation_values.hpp"
#include "server/simulate/specimen_artefacts.hpp"

namespace hemalink::simulate {
namespace {

const LabDay& day_of(LabProfile profile, std::uint32_t seed = 11, std::size_t specimens = 10000) {
  static std::map<std::tuple<LabProfile, std::uint32_t, std::size_t>, LabDay> days;
  const auto key = std::make_tuple(profile, seed, specimens);
  auto it = days.find(key);
  if (it == days.end()) {
    LabDayPlan plan;
    plan.specimens = specimens;
    plan.profile = profile;
    plan.seed = seed;
    it = days.emplace(key, generate_lab_day(plan)).first;
  }
  return it->second;
}

constexpr LabProfile kProfiles[] = {LabProfile::Hospital, LabProfile::Outpatient,
                                    LabProfile::Oncology};

std::optional<double> value(const LabSpecimen& s, std::string_view code) {
  return value_of(s.results, code);
}

bool is_positive(const LabSpecimen& s, std::string_view message) {
  for (const auto& m : s.messages) {
    if (m.name == message) {
      return m.is_positive;
    }
  }
  return false;
}

// The care setting a location stands for (lab_day.cpp's locations).
CareSetting setting_at(const std::string& location) {
  if (location == "OPD") {
    return CareSetting::Clinic;
  }
  if (location == "ED") {
    return CareSetting::Emergency;
  }
  if (location == "ICU") {
    return CareSetting::IntensiveCare;
  }
  if (location == "ONC") {
    return CareSetting::OncologyClinic;
  }
  return location == "WARD5" || location == "WARD6" ? CareSetting::OncologyWard : CareSetting::Ward;
}

// Four standard errors of a share of n, and a little for the small ones.
double tolerance(double share, std::size_t n) {
  return 4 * std::sqrt(share * (1 - share) / static_cast<double>(n)) + 0.002;
}

TEST(LabDay, ProfilesByName) {
  for (const auto p : kProfiles) {
    EXPECT_EQ(lab_profile_from_name(name_of(p)), p);
  }
  EXPECT_FALSE(lab_profile_from_name("clinic"));
}

TEST(LabDay, EveryConfiguredMixSumsToOne) {
  const auto sum = [](const auto& shares) {
    double total = 0;
    for (const double s : shares) {
      total += s;
    }
    return total;
  };
  for (const auto p : kProfiles) {
    EXPECT_NEAR(sum(setting_shares(p)), 1.0, 1e-9) << name_of(p);
    const BenchShares b = bench_shares(p);
    EXPECT_NEAR(b.hematology + b.coagulation + b.flow, 1.0, 1e-9) << name_of(p);
  }
  for (std::size_t k = 0; k < kCareSettings; ++k) {
    const auto setting = static_cast<CareSetting>(k);
    EXPECT_NEAR(sum(condition_shares(setting)), 1.0, 1e-9) << name_of(setting);
    EXPECT_NEAR(sum(coagulation_shares(setting)), 1.0, 1e-9) << name_of(setting);
  }
}

TEST(LabDay, TheSamePlanGivesTheSameDayAndAnotherSeedAnother) {
  LabDayPlan plan;
  plan.specimens = 500;
  plan.seed = 7;
  const LabDay a = generate_lab_day(plan);
  const LabDay b = generate_lab_day(plan);
  plan.seed = 8;
  const LabDay c = generate_lab_day(plan);
  ASSERT_EQ(a.specimens.size(), 500u);
  ASSERT_EQ(a.specimens.size(), b.specimens.size());
  for (std::size_t i = 0; i < a.specimens.size(); ++i) {
    const auto &x = a.specimens[i], &y = b.specimens[i];
    EXPECT_EQ(truth_line(a, x), truth_line(b, y));
    ASSERT_EQ(x.results.size(), y.results.size()) << x.id;
    for (std::size_t k = 0; k < x.results.size(); ++k) {
      EXPECT_EQ(x.results[k].code, y.results[k].code);
      EXPECT_EQ(x.results[k].value, y.results[k].value) << x.id << " " << x.results[k].code;
    }
    ASSERT_EQ(x.messages.size(), y.messages.size());
    for (std::size_t k = 0; k < x.messages.size(); ++k) {
      EXPECT_EQ(x.messages[k].q, y.messages[k].q);
    }
    EXPECT_EQ(x.drawn_minute, y.drawn_minute);
    EXPECT_EQ(x.ordered, y.ordered);
  }
  ASSERT_EQ(a.patients.size(), b.patients.size());
  for (std::size_t i = 0; i < a.patients.size(); ++i) {
    EXPECT_EQ(a.patients[i].birth_date, b.patients[i].birth_date);
    EXPECT_EQ(a.patients[i].family_name, b.patients[i].family_name);
  }
  std::size_t same_hgb = 0;
  std::size_t compared = 0;
  for (std::size_t i = 0; i < std::min(a.specimens.size(), c.specimens.size()); ++i) {
    const auto x = value(a.specimens[i], "HGB");
    const auto y = value(c.specimens[i], "HGB");
    if (x && y) {
      ++compared;
      same_hgb += *x == *y ? 1 : 0;
    }
  }
  EXPECT_GT(compared, 100u);
  EXPECT_LT(same_hgb, compared / 5) << "another seed, another day";
  EXPECT_NE(a.specimens[0].id, c.specimens[0].id) << "the seed is in the tube's number";
  EXPECT_NE(a.patients[0].id, c.patients[0].id) << "and in the MRN";
}

TEST(LabDay, RedCellIdentitiesHoldExactlyBeforeRounding) {
  RandomDraws draws(3);
  for (std::size_t c = 0; c < kConditions; ++c) {
    for (const char sex : {'F', 'M'}) {
      for (const int age : {4, 15, 45, 80}) {
        for (int i = 0; i < 50; ++i) {
          const PatientBlood blood = draw_patient_blood(static_cast<Condition>(c), sex, age, draws);
          for (const auto artefact :
               {Artefact::None, Artefact::PlateletClumps, Artefact::ColdAgglutinin,
                Artefact::Lipaemia, Artefact::Haemolysis, Artefact::ClottedTube}) {
            const BloodCount b = as_measured(within_person_change(blood, draws), artefact, draws);
            EXPECT_NEAR(b.hct, b.rbc * b.mcv / 10.0, 1e-9);
            EXPECT_NEAR(b.mch, b.hgb * 10.0 / b.rbc, 1e-9);
            EXPECT_NEAR(b.mchc, b.hgb / b.hct * 100.0, 1e-9);
            double sum = 0;
            for (const double p : b.differential) {
              sum += p;
            }
            EXPECT_NEAR(sum, 100.0, 1e-9);
          }
        }
      }
    }
  }
}

// The reported values are rounded (RBC to 0.01, HCT, HGB, MCV, MCH, MCHC to 0.1): an identity
// holds within what the roundings can move it.
TEST(LabDay, IdentitiesHoldOnEveryReportedCountWithinRounding) {
  std::size_t counts = 0;
  for (const auto p : kProfiles) {
    for (const auto& s : day_of(p).specimens) {
      if (s.bench != Bench::Hematology) {
        continue;
      }
      ++counts;
      const double rbc = *value(s, "RBC"), hct = *value(s, "HCT"), hgb = *value(s, "HGB");
      const double mcv = *value(s, "MCV"), mch = *value(s, "MCH"), mchc = *value(s, "MCHC");
      const double e_rbc = 0.005, e = 0.05, slack = 1.0001;
      EXPECT_LE(std::abs(hct - rbc * mcv / 10.0), slack * (e + (e_rbc * mcv + e * rbc) / 10.0))
          << s.id;
      EXPECT_LE(std::abs(mch - hgb * 10.0 / rbc),
                slack * (e + 10.0 * (e * rbc + e_rbc * hgb) / ((rbc - e_rbc) * rbc)))
          << s.id;
      EXPECT_LE(std::abs(mchc - hgb / hct * 100.0),
                slack * (e + 100.0 * (e * hct + e * hgb) / ((hct - e) * hct)))
          << s.id;
    }
  }
  EXPECT_GT(counts, 20000u);
}

TEST(LabDay, TheDifferentialSumsTo100AndTheAbsolutesFollowTheWbc) {
  const char* parts[] = {"NEUT", "LYMPH", "MONO", "EO", "BASO"};
  std::size_t differentials = 0;
  for (const auto p : kProfiles) {
    for (const auto& s : day_of(p).specimens) {
      if (!value(s, "NEUT_PCT")) {
        continue;
      }
      ++differentials;
      const double wbc = *value(s, "WBC");
      double sum = 0;
      for (const char* part : parts) {
        const double pct = *value(s, std::string(part) + "_PCT");
        const double abs = *value(s, std::string(part) + "_ABS");
        sum += pct;
        // % within 0.1 of the unrounded one, WBC within 0.005, the absolute within 0.005.
        EXPECT_LE(std::abs(abs - pct * wbc / 100.0),
                  1.0001 * (0.005 + (0.1 * wbc + 0.005 * pct) / 100.0))
            << s.id << " " << part;
      }
      EXPECT_NEAR(sum, 100.0, 0.2) << s.id;
      EXPECT_NEAR(*value(s, "IG_ABS"), *value(s, "IG_PCT") * wbc / 100.0,
                  1.0001 * (0.005 + (0.05 * wbc + 0.005 * *value(s, "IG_PCT")) / 100.0))
          << s.id;
    }
  }
  EXPECT_GT(differentials, 15000u);
}

TEST(LabDay, RedCellConditionsKeepTheirSignatures) {
  for (const auto p : kProfiles) {
    for (const auto& s : day_of(p).specimens) {
      if (s.bench != Bench::Hematology) {
        continue;
      }
      const double mcv = *value(s, "MCV"), rbc = *value(s, "RBC");
      if (s.truth.condition == "thalassaemia-trait") {
        EXPECT_GE(mcv, 59.9) << s.id;
        EXPECT_LE(mcv, 72.1) << s.id;
        EXPECT_LT(mcv / rbc, 13.0) << s.id << ": Mentzer";
      }
      if (s.truth.condition == "iron-deficiency") {
        EXPECT_GT(mcv / rbc, 13.0) << s.id << ": Mentzer";
        EXPECT_LE(mcv, 80.05) << s.id;
      }
      if (s.truth.condition == "b12-folate-deficiency") {
        EXPECT_GT(mcv, 100.0) << s.id;
      }
      if (s.truth.condition.ends_with("+cold-agglutinin")) {
        EXPECT_GT(*value(s, "MCHC"), 37.0) << s.id;
      }
    }
  }
}

// Over 10,000 tubes of each profile, the patients' care settings, their conditions and the
// benches' shares of tubes are what case_mix.cpp configures.
TEST(LabDay, TheCaseMixIsTheConfiguredOne) {
  for (const auto p : kProfiles) {
    const LabDay& day = day_of(p);
    std::map<std::string, std::array<std::size_t, kConditions>> by_location;
    std::set<std::size_t> seen;
    std::array<std::size_t, 3> benches{};
    std::size_t hematology_patients = 0;
    for (const auto& s : day.specimens) {
      ++benches[static_cast<std::size_t>(s.bench)];
      if (s.bench != Bench::Hematology || !seen.insert(s.patient).second) {
        continue;
      }
      const std::string condition = s.truth.condition.substr(0, s.truth.condition.find('+'));
      for (std::size_t c = 0; c < kConditions; ++c) {
        if (name_of(static_cast<Condition>(c)) == condition) {
          ++by_location[day.patients[s.patient].location.substr(0, 4)][c];
        }
      }
      ++hematology_patients;
    }
    const BenchShares want = bench_shares(p);
    const double n = static_cast<double>(day.specimens.size());
    EXPECT_NEAR(benches[0] / n, want.hematology, 0.03) << name_of(p);
    EXPECT_NEAR(benches[1] / n, want.coagulation, 0.02) << name_of(p);
    EXPECT_NEAR(benches[2] / n, want.flow, 0.01) << name_of(p);
    // Where the location names one care setting, its conditions are that setting's.
    const std::map<std::string, CareSetting> one_setting = {{"OPD", CareSetting::Clinic},
                                                            {"ED", CareSetting::Emergency},
                                                            {"ICU", CareSetting::IntensiveCare},
                                                            {"ONC", CareSetting::OncologyClinic}};
    for (const auto& [location, counts] : by_location) {
      const auto setting = one_setting.find(location);
      if (setting == one_setting.end()) {
        continue;
      }
      std::size_t total = 0;
      for (const auto c : counts) {
        total += c;
      }
      if (total < 300) {
        continue;
      }
      const auto& shares = condition_shares(setting->second);
      for (std::size_t c = 0; c < kConditions; ++c) {
        EXPECT_NEAR(static_cast<double>(counts[c]) / static_cast<double>(total), shares[c],
                    tolerance(shares[c], total) + 0.003)
            << name_of(p) << " " << location << " " << name_of(static_cast<Condition>(c)) << " of "
            << total;
      }
    }
    EXPECT_GT(hematology_patients, 5000u);
    std::array<std::size_t, kCareSettings> settings{};
    for (const auto& patient : day.patients) {
      ++settings[static_cast<std::size_t>(setting_at(patient.location))];
    }
    for (std::size_t k = 0; k < kCareSettings; ++k) {
      const double want_share = setting_shares(p)[k];
      EXPECT_NEAR(static_cast<double>(settings[k]) / day.patients.size(), want_share,
                  tolerance(want_share, day.patients.size()))
          << name_of(p) << " " << name_of(static_cast<CareSetting>(k));
    }
  }
}

TEST(LabDay, HalfTheHospitalsTubesComeFromInpatientsAndNoneOfTheOutpatients) {
  for (const auto p : {LabProfile::Hospital, LabProfile::Outpatient}) {
    const LabDay& day = day_of(p);
    std::size_t inpatient = 0;
    for (const auto& s : day.specimens) {
      inpatient += day.patients[s.patient].is_inpatient ? 1 : 0;
    }
    const double share = static_cast<double>(inpatient) / day.specimens.size();
    if (p == LabProfile::Hospital) {
      EXPECT_NEAR(share, 0.5, 0.05) << "[R31]: 51 % of a hospital's CBCs are inpatients'";
    } else {
      EXPECT_EQ(inpatient, 0u);
    }
  }
}

// The analyzer's suspect messages: positive at the configured sensitivity where the cause is,
// at the configured false-positive share where it is not.
TEST(LabDay, SuspectMessagesArePositiveAtTheConfiguredRates) {
  struct Tally {
    std::size_t n = 0;
    std::size_t positive = 0;
    double expected = 0;
  };
  std::map<std::string, Tally> tallies;
  const auto count = [&](const std::string& key, bool positive, double expected) {
    auto& t = tallies[key];
    ++t.n;
    t.positive += positive ? 1 : 0;
    t.expected += expected;
  };
  const auto& blasts = suspect_messages()[0];
  const auto& clumps = suspect_messages()[9];
  ASSERT_EQ(blasts.name, "Blasts/Abn_Lympho?");
  ASSERT_EQ(clumps.name, "PLT_Clumps?");
  MessageCauses leukaemia;
  leukaemia.has_blasts = true;
  for (const auto p : kProfiles) {
    const LabDay& day = day_of(p);
    for (const auto& s : day.specimens) {
      if (s.bench != Bench::Hematology || !value(s, "NEUT_PCT")) {
        continue;
      }
      const bool outpatient = day.patients[s.patient].location == "OPD";
      if (s.truth.condition == "acute-leukaemia") {
        count("blasts sensitivity", is_positive(s, blasts.name),
              chance_positive(blasts, leukaemia, FlagBackground::Oncology));
      } else if (s.truth.condition == "healthy" && outpatient) {
        count("blasts false positive, healthy outpatients", is_positive(s, blasts.name),
              chance_positive(blasts, {}, FlagBackground::HealthyOutpatient));
        count("clumps false positive, healthy outpatients", is_positive(s, clumps.name),
              chance_positive(clumps, {}, FlagBackground::HealthyOutpatient));
      }
      for (const auto& m : s.messages) {
        if (m.q) {
          EXPECT_GE(*m.q, 0);
          EXPECT_LE(*m.q, 300);
          EXPECT_EQ(m.is_positive, *m.q >= 100) << s.id << " " << m.name;
        }
      }
    }
  }
  for (const auto& [key, t] : tallies) {
    const double want = t.expected / static_cast<double>(t.n);
    EXPECT_NEAR(static_cast<double>(t.positive) / static_cast<double>(t.n), want,
                tolerance(want, t.n))
        << key << " over " << t.n;
    EXPECT_GT(t.n, 200u) << key;
  }
}

TEST(LabDay, ArtefactsOccurAtTheirConfiguredShares) {
  std::size_t tubes = 0;
  std::map<std::string, std::size_t> seen;
  for (const auto p : {LabProfile::Hospital, LabProfile::Oncology}) {
    const LabDay& day = day_of(p);
    for (const auto& s : day.specimens) {
      if (s.bench == Bench::Hematology && day.patients[s.patient].is_inpatient &&
          s.truth.condition != "swapped-tube") {
        ++tubes;
        const auto plus = s.truth.condition.find('+');
        if (plus != std::string::npos) {
          ++seen[s.truth.condition.substr(plus + 1)];
        }
      }
    }
  }
  const ArtefactShares want = artefact_shares(true);
  const std::pair<Artefact, double> shares[] = {{Artefact::PlateletClumps, want.platelet_clumps},
                                                {Artefact::Lipaemia, want.lipaemia},
                                                {Artefact::Haemolysis, want.haemolysis},
                                                {Artefact::ClottedTube, want.clotted_tube}};
  for (const auto& [artefact, share] : shares) {
    const double got =
        static_cast<double>(seen[std::string(name_of(artefact))]) / static_cast<double>(tubes);
    EXPECT_NEAR(got, share, tolerance(share, tubes)) << name_of(artefact) << " of " << tubes;
  }
}

TEST(LabDay, EveryMustReviewHasAReasonAndEveryOtherNone) {
  for (const auto p : kProfiles) {
    for (const auto& s : day_of(p).specimens) {
      EXPECT_EQ(s.truth.must_review, !s.truth.why.empty()) << s.id << " " << s.truth.condition;
      EXPECT_FALSE(s.truth.condition.empty());
    }
  }
}

// What a careful rule set could see: a positive suspect message, a count outside generous
// limits, an artefact's MCHC, the coagulation analyzer's sample check, a long INR or APTT, a
// DIC's fibrinogen, or (a swap) an MCV that moved 3 fL since the patient's last count.
bool leaves_a_signal(const LabSpecimen& s, std::optional<double> last_mcv) {
  for (const auto& m : s.messages) {
    if (m.q && m.is_positive) {
      return true;
    }
  }
  const auto outside = [&s](std::string_view code, double low, double high) {
    const auto v = value(s, code);
    return v && (*v < low || *v > high);
  };
  if (s.sample_check_failed || outside("WBC", 3.0, 15.0) || outside("PLT", 100, 1000) ||
      outside("HGB", 7.5, 20.0) || outside("MCHC", 28.0, 36.4) || outside("IG_PCT", -1, 4.99) ||
      outside("NRBC_PCT", -1, 0.4) || outside("LYMPH_ABS", 0, 4.0) ||
      outside("NEUT_ABS", 1.0, 1000) || outside("INR", 0, 5.0) || outside("APTT", 0, 100) ||
      outside("FIB", 1.5, 100)) {
    return true;
  }
  const auto mcv = value(s, "MCV");
  return last_mcv && mcv && std::abs(*mcv - *last_mcv) >= 3.0;
}

TEST(LabDay, EveryMustReviewLeavesASignalARuleCouldSee) {
  for (const auto p : kProfiles) {
    for (const std::uint32_t seed : {11u, 12u}) {
      const LabDay& day = day_of(p, seed);
      std::map<std::size_t, double> last_mcv;
      for (const auto& s : day.specimens) {
        const auto last = last_mcv.find(s.patient);
        if (s.truth.must_review) {
          EXPECT_TRUE(leaves_a_signal(
              s, last == last_mcv.end() ? std::nullopt : std::optional<double>(last->second)))
              << s.id << " " << s.truth.condition << ": " << s.truth.why;
        }
        if (const auto mcv = value(s, "MCV"); mcv && s.truth.condition != "swapped-tube") {
          last_mcv[s.patient] = *mcv;
        }
      }
    }
  }
}

TEST(LabDay, IdsAreUniqueAndShapedAndRepeatsFollowTheirPatientsFirstTube) {
  const LabDay& day = day_of(LabProfile::Hospital);
  const std::regex tube(R"(011\d{7})");
  const std::regex mrn(R"(P011\d{5})");
  std::set<std::string> ids;
  std::set<std::string> mrns;
  std::map<std::size_t, std::size_t> counts;
  int last_minute = 0;
  std::size_t swapped = 0;
  for (const auto& s : day.specimens) {
    EXPECT_TRUE(std::regex_match(s.id, tube)) << s.id;
    EXPECT_TRUE(ids.insert(s.id).second) << s.id;
    EXPECT_GE(s.drawn_minute, last_minute) << s.id << ": in the order they are drawn";
    EXPECT_LT(s.drawn_minute, 24 * 60);
    last_minute = s.drawn_minute;
    if (s.bench == Bench::Hematology) {
      const std::size_t earlier = counts[s.patient]++;
      EXPECT_LT(earlier, 3u) << s.id;
      if (s.truth.condition == "swapped-tube") {
        ++swapped;
        EXPECT_GT(earlier, 0u) << s.id << ": a swap only on a repeat tube";
      }
    }
  }
  for (const auto& p : day.patients) {
    EXPECT_TRUE(std::regex_match(p.id, mrn)) << p.id;
    EXPECT_TRUE(mrns.insert(p.id).second) << p.id;
    EXPECT_TRUE(p.sex == 'F' || p.sex == 'M');
    EXPECT_LE(p.birth_date, "20250630") << p.id << ": no infants";
    EXPECT_GE(p.birth_date, "19250101") << p.id;
  }
  std::size_t repeats = 0;
  for (const auto& [patient, n] : counts) {
    repeats += n - 1;
  }
  EXPECT_GT(repeats, 1000u) << "inpatients' repeat counts";
  EXPECT_GT(swapped, 0u);
}

TEST(LabDay, ChildrenOnlyInTheHospitalsEmergencyDepartmentAndWards) {
  for (const auto p : kProfiles) {
    std::size_t children = 0;
    for (const auto& patient : day_of(p).patients) {
      if (patient.birth_date > "20080701") {
        ++children;
        EXPECT_EQ(p, LabProfile::Hospital);
        EXPECT_TRUE(patient.location == "ED" || patient.location.starts_with("WARD"))
            << patient.location;
      }
    }
    EXPECT_EQ(children > 0, p == LabProfile::Hospital) << name_of(p);
  }
}

TEST(LabDay, CoagulationAndLymphocyteSubsetsHoldTogether) {
  std::size_t coagulation = 0, subsets = 0;
  for (const auto p : kProfiles) {
    for (const auto& s : day_of(p).specimens) {
      if (s.bench == Bench::Coagulation) {
        ++coagulation;
        EXPECT_NEAR(*value(s, "INR"), std::pow(*value(s, "PT_SEC") / kMeanNormalPt, kIsi), 0.01)
            << s.id;
        EXPECT_EQ(s.ordered[0], "COAG");
        EXPECT_EQ(value(s, "FIB").has_value(),
                  std::find(s.ordered.begin(), s.ordered.end(), "FIB") != s.ordered.end());
        EXPECT_EQ(s.sample_check_failed,
                  s.truth.condition.find("citrate-tube") != std::string::npos);
      }
      if (s.bench == Bench::Flow) {
        ++subsets;
        EXPECT_LT(*value(s, "CD4_PCT") + *value(s, "CD8_PCT"), *value(s, "CD3_PCT") + 0.1) << s.id;
        EXPECT_NEAR(*value(s, "CD4_ABS") / *value(s, "CD3_ABS"),
                    *value(s, "CD4_PCT") / *value(s, "CD3_PCT"), 0.01)
            << s.id;
        EXPECT_FALSE(s.truth.must_review);
      }
    }
  }
  EXPECT_GT(coagulation, 2000u);
  EXPECT_GT(subsets, 500u);
}

TEST(LabDay, ControlRunsAtTheStartAndEveryEightHoursTheAskedOneFailing) {
  LabDayPlan plan;
  plan.specimens = 300;
  plan.qc_fail_run = 2;
  const LabDay day = generate_lab_day(plan);
  std::vector<int> hematology_minutes;
  for (const auto& run : day.qc_runs) {
    ASSERT_LE(run.before_specimen, day.specimens.size());
    if (run.before_specimen < day.specimens.size()) {
      EXPECT_GE(day.specimens[run.before_specimen].drawn_minute, run.minute);
    }
    if (run.before_specimen > 0) {
      EXPECT_LT(day.specimens[run.before_specimen - 1].drawn_minute, run.minute);
    }
    if (run.bench == Bench::Hematology) {
      hematology_minutes.push_back(run.minute);
      EXPECT_EQ(run.fails, hematology_minutes.size() == 2);
    } else {
      EXPECT_FALSE(run.fails);
    }
  }
  EXPECT_EQ(hematology_minutes, (std::vector<int>{0, 480, 960}));
  EXPECT_EQ(day.qc_runs.size(), 6u);
}

TEST(LabDay, TheTruthLineHasExactlyItsFiveFields) {
  const LabDay& day = day_of(LabProfile::Oncology);
  const auto line = nlohmann::json::parse(truth_line(day, day.specimens[0]));
  EXPECT_EQ(line.size(), 5u);
  EXPECT_EQ(line["specimen_id"], day.specimens[0].id);
  EXPECT_EQ(line["profile"], "oncology");
  EXPECT_EQ(line["condition"], day.specimens[0].truth.condition);
  EXPECT_EQ(line["must_review"], day.specimens[0].truth.must_review);
  EXPECT_EQ(line["why"], day.specimens[0].truth.why);
}

// The share of specimens a person must see, per profile, on two seeds: a hospital 10-15 % (for
// the published autoverification of 85-90 % [sources §5.1, R65]), outpatients 2-4 % [R81, R82],
// a cancer centre far more.
TEST(LabDay, EachProfilesMustReviewShareSitsInItsBand) {
  const std::map<LabProfile, std::pair<double, double>> bands = {
      {LabProfile::Hospital, {0.10, 0.15}},
      {LabProfile::Outpatient, {0.02, 0.04}},
      {LabProfile::Oncology, {0.25, 0.50}}};
  for (const auto& [profile, band] : bands) {
    for (const std::uint32_t seed : {11u, 12u}) {
      const LabDay& day = day_of(profile, seed);
      std::size_t held = 0;
      for (const auto& s : day.specimens) {
        held += s.truth.must_review ? 1 : 0;
      }
      const double share = static_cast<double>(held) / day.specimens.size();
      EXPECT_GE(share, band.first) << name_of(profile) << " seed " << seed;
      EXPECT_LE(share, band.second) << name_of(profile) << " seed " << seed;
    }
  }
}

}  // namespace
}  // namespace hemalink::simulate
