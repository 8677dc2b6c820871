#include "server/simulate/lab_day_messages.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "drivers/orders/hl7_orders.hpp"
#include "protocols/hl7/v2_message.hpp"
#include "server/cli/decode_command.hpp"
#include "server/simulate/generated_messages.hpp"

namespace hemalink::simulate {
namespace {

// A day written by hand: one patient, one tube per bench, a control run of each analyzer.
LabDay hand_made_day() {
  LabDay day;
  day.plan.seed = 7;
  day.patients.push_back({"P00700001", "Lindqvist", "Maja", 'F', "19580312", "WARD3", true});
  LabSpecimen cbc;
  cbc.id = "0070000001";
  cbc.ordered = {"FBC", "DIFF"};
  cbc.results = {{"WBC", 12.4}, {"HGB", 9.7}, {"PLT", 88}, {"NEUT_PCT", 81.2}, {"IG_PCT", 3.1}};
  cbc.messages = {{"Left_Shift?", 140, true},
                  {"Blasts/Abn_Lympho?", 40, false},
                  {"Leukocytosis", std::nullopt, true}};
  cbc.drawn_minute = 360;
  LabSpecimen coag;
  coag.id = "0070000002";
  coag.bench = Bench::Coagulation;
  coag.is_stat = true;
  coag.ordered = {"COAG"};
  coag.results = {{"PT_SEC", 31.5}, {"INR", 2.74}, {"APTT", 44.1}};
  coag.sample_check_failed = true;
  LabSpecimen flow;
  flow.id = "0070000003";
  flow.bench = Bench::Flow;
  flow.ordered = {"LSUB"};
  flow.results = {{"CD4_ABS", 312}, {"CD4_PCT", 18.5}};
  day.specimens = {cbc, coag, flow};
  day.qc_runs = {{Bench::Hematology, 0, 0, false}, {Bench::Coagulation, 0, 0, false}};
  return day;
}

nlohmann::json decoded(const std::string& message, const std::string& driver,
                       std::optional<std::string> base = std::nullopt) {
  cli::DecodeOptions options;
  options.driver = driver;
  options.base = std::move(base);
  options.is_strict = true;
  std::vector<std::string> warnings;
  auto result = cli::decode_content(message, options, warnings);
  EXPECT_TRUE(result.has_value()) << (result ? "" : result.error().describe()) << "\n" << message;
  return result ? (*result)["results"][0] : nlohmann::json();
}

double value_of(const nlohmann::json& set, const std::string& code) {
  for (const auto& o : set["observations"]) {
    if (o["code"] == code) {
      return o["numeric"].get<double>();
    }
  }
  ADD_FAILURE() << "no " << code << " in " << set.dump();
  return 0;
}

const auto kDayStart = std::chrono::system_clock::time_point{} + std::chrono::hours(24 * 20000);

TEST(LabDayMessages, TheXnSendsItsControlsThenAQueryAndTheTubeWithItsIpMessages) {
  const auto day = hand_made_day();
  const auto traffic = bench_traffic(day, Bench::Hematology, kDayStart, true);
  ASSERT_EQ(traffic.size(), 4u);  // two control levels, the query, the results
  EXPECT_NE(traffic[0].find("QC-L1-4411"), std::string::npos);
  EXPECT_NE(traffic[2].find("Q|1|^^"), std::string::npos);
  const auto set = decoded(traffic[3], "sysmex-xn");
  EXPECT_EQ(set["specimen_id"], "0070000001");
  EXPECT_EQ(set["patient"]["id"], "P00700001");
  EXPECT_EQ(set["patient"]["sex"], "F");
  EXPECT_DOUBLE_EQ(value_of(set, "WBC"), 12.4);
  EXPECT_DOUBLE_EQ(value_of(set, "PLT"), 88);
  EXPECT_DOUBLE_EQ(value_of(set, "IG_PCT"), 3.1);
  ASSERT_EQ(set["observations"].size(), 5u);
  ASSERT_EQ(set["specimen_flags"].size(), 3u);
  EXPECT_EQ(set["specimen_flags"][0]["name"], "Left_Shift?");
  EXPECT_EQ(set["specimen_flags"][0]["score"], 140);
  EXPECT_TRUE(set["specimen_flags"][0]["positive"]);
  EXPECT_FALSE(set["specimen_flags"][1]["positive"]);
  EXPECT_TRUE(set["specimen_flags"][2]["positive"]);
}

TEST(LabDayMessages, EachMessageIsSentWhenMeasuredAndASecondAfterTheOneBeforeIt) {
  auto day = hand_made_day();
  // A second control run at 6:10, after the tube drawn at 6:00 and measured at 6:20.
  day.qc_runs.push_back({Bench::Hematology, 1, 370, false});
  const auto traffic = timed_bench_traffic(day, Bench::Hematology, kDayStart, true);
  ASSERT_EQ(traffic.size(), 6u);  // two control levels, the query, the results, two levels
  using std::chrono::minutes;
  using std::chrono::seconds;
  EXPECT_EQ(traffic[0].at, kDayStart);
  EXPECT_EQ(traffic[1].at, kDayStart + seconds(1));
  EXPECT_EQ(traffic[2].at, kDayStart + minutes(380));
  EXPECT_EQ(traffic[3].at, kDayStart + minutes(380) + seconds(1));
  EXPECT_EQ(traffic[4].at, kDayStart + minutes(380) + seconds(2));
  EXPECT_EQ(traffic[5].at, kDayStart + minutes(380) + seconds(3));
  const auto untimed = bench_traffic(day, Bench::Hematology, kDayStart, true);
  ASSERT_EQ(untimed.size(), traffic.size());
  for (std::size_t i = 0; i < untimed.size(); ++i) {
    EXPECT_EQ(untimed[i], traffic[i].text) << i;
  }
}

TEST(LabDayMessages, TheCsSendsItsControlAndFlagsATubeItsSampleCheckFailed) {
  const auto day = hand_made_day();
  const auto traffic = bench_traffic(day, Bench::Coagulation, kDayStart, false);
  ASSERT_EQ(traffic.size(), 2u);
  const auto control = decoded(traffic[0], "sysmex-cs");
  EXPECT_EQ(control["kind"], "qc");
  EXPECT_EQ(control["specimen_id"], "CITROL-1");
  const auto set = decoded(traffic[1], "sysmex-cs");
  EXPECT_EQ(set["specimen_id"], "0070000002");
  EXPECT_DOUBLE_EQ(value_of(set, "INR"), 2.74);
  EXPECT_DOUBLE_EQ(value_of(set, "APTT"), 44.1);
  for (const auto& o : set["observations"]) {
    EXPECT_EQ(o["flags"], nlohmann::json::array({"W"})) << o.dump();
  }
}

TEST(LabDayMessages, FacsLinkRelaysTheSubsetsInLoinc) {
  const auto day = hand_made_day();
  const auto traffic = bench_traffic(day, Bench::Flow, kDayStart, false);
  ASSERT_EQ(traffic.size(), 1u);
  const auto set = decoded(traffic[0], "generic-hl7", "loinc-lymphocyte-subsets");
  EXPECT_EQ(set["specimen_id"], "0070000003");
  EXPECT_DOUBLE_EQ(value_of(set, "CD4_ABS"), 312);
  EXPECT_DOUBLE_EQ(value_of(set, "CD4_PCT"), 18.5);
}

TEST(LabDayMessages, TheLisOrdersEachTubeWithItsPatientAndPriority) {
  const auto day = hand_made_day();
  const auto text = lis_order(day, day.specimens[1], kDayStart);
  auto message = hl7::V2Message::parse(text);
  ASSERT_TRUE(message.has_value());
  auto order = drivers::read_hl7_orders(*message);
  ASSERT_TRUE(order.has_value()) << order.error().describe();
  ASSERT_EQ(order->orders.size(), 1u);
  const auto& o = order->orders[0];
  EXPECT_EQ(o.specimen_id, "0070000002");
  ASSERT_TRUE(o.patient.has_value());
  EXPECT_EQ(o.patient->id, "P00700001");
  EXPECT_EQ(o.patient->sex, "F");
  EXPECT_EQ(o.patient->birth_date, "19580312");
  EXPECT_EQ(o.location, "WARD3");
  EXPECT_EQ(model::to_string(o.priority), std::string("stat"));
  ASSERT_EQ(o.tests.size(), 1u);
  EXPECT_EQ(o.tests[0].code, "COAG");
}

TEST(LabDayMessages, TheBenchmarksCbcsAreALabDaysHematologyTubesInEitherProtocol) {
  const auto astm = lab_day_cbc_messages(model::WireProtocol::Astm, 40, 3);
  const auto hl7 = lab_day_cbc_messages(model::WireProtocol::Hl7, 40, 3);
  ASSERT_EQ(astm.size(), 40u);
  ASSERT_EQ(hl7.size(), 40u);
  for (std::size_t i = 0; i < astm.size(); ++i) {
    const auto xn = decoded(astm[i], "sysmex-xn");
    const auto bc = decoded(hl7[i], "generic-hl7", "loinc-cbc");
    EXPECT_EQ(xn["specimen_id"], bc["specimen_id"]);
    ASSERT_GE(xn["observations"].size(), 13u) << "at least the FBC";
    ASSERT_EQ(xn["observations"].size(), bc["observations"].size()) << hl7[i];
    for (const auto& o : bc["observations"]) {
      EXPECT_FALSE(o["unmapped"].get<bool>()) << o.dump();
      EXPECT_DOUBLE_EQ(o["numeric"].get<double>(), value_of(xn, o["code"]));
    }
  }
}

// The same tubes over HL7 carry the XN's IP messages as OBX, read back as the same specimen flags
// (name, score, positive) as the XN's R records over ASTM, never as comments.
TEST(LabDayMessages, AnHl7XnAndAnAstmXnWithTheSameMessagesGiveTheSameSpecimenFlags) {
  const auto astm = lab_day_cbc_messages(model::WireProtocol::Astm, 60, 5);
  const auto hl7 = lab_day_cbc_messages(model::WireProtocol::Hl7, 60, 5);
  ASSERT_EQ(astm.size(), hl7.size());
  std::size_t positive = 0;
  std::size_t negative = 0;
  for (std::size_t i = 0; i < astm.size(); ++i) {
    const auto xn = decoded(astm[i], "sysmex-xn");
    const auto bc = decoded(hl7[i], "generic-hl7", "loinc-cbc");
    EXPECT_EQ(bc["specimen_flags"], xn["specimen_flags"]) << hl7[i];
    EXPECT_EQ(bc["comments"], xn["comments"]);
    for (const auto& flag : bc["specimen_flags"]) {
      ++(flag["positive"].get<bool>() ? positive : negative);
    }
  }
  EXPECT_GT(positive, 0u) << "a day's tubes carry positive messages";
  EXPECT_GT(negative, 0u) << "and suspect messages' scores below the threshold";
}

TEST(LabDayMessages, TheGeneratedHl7CbcSendsItsIpMessageAsAFlag) {
  for (const auto& message : generate(Panel::Cbc, model::WireProtocol::Hl7, 3, 11)) {
    const auto set = decoded(message, "generic-hl7", "loinc-cbc");
    EXPECT_EQ(set["specimen_flags"],
              nlohmann::json::array({nlohmann::json{
                  {"name", "Blasts/Abn_Lympho?"}, {"score", 40.0}, {"positive", false}}}));
    EXPECT_TRUE(set["comments"].empty()) << set["comments"].dump();
  }
}

}  // namespace
}  // namespace hemalink::simulate
