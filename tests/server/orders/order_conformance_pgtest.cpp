// The order conformance fixtures through the daemon's order feed, on 127.0.0.1 and PostgreSQL:
// every specimen and order of each message is stored (specimens in = specimens stored, for
// messages with 1, 2 and 5 specimens, orders sharing one, a request on two), with the specimen's
// type and the LIS's notes; the acknowledgement modes on the wire; a resend applied once; and a
// test the table does not know never reaches an analyzer.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "protocols/astm/lis2_records.hpp"
#include "protocols/hl7/v2_message.hpp"
#include "server/api/api_tokens.hpp"
#include "tests/support/analyzer_socket.hpp"
#include "tests/support/corpus.hpp"
#include "tests/support/daemon_harness.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/order_feed_lab.hpp"
#include "tests/support/order_fixtures.hpp"
#include "tests/support/temp_dir.hpp"

namespace hemalink::orders {
namespace {

namespace fs = std::filesystem;
using model::WireProtocol;
using nlohmann::json;
using namespace std::chrono_literals;
using testing::DaemonHarness;

const fs::path kFixtures = testing::order_fixtures_dir();

// With `analyzer_table` (a generic-hl7 mapping file), an IHE LAW analyzer "law-1" that runs what
// it lists.
daemon::DaemonConfig lab(WireProtocol feed, const fs::path& analyzer_table = {}) {
  daemon::DaemonConfig c;
  if (!analyzer_table.empty()) {
    auto law = testing::tcp_analyzer("law-1", "generic-hl7", WireProtocol::Hl7);
    law.mappings_file = analyzer_table;
    c.analyzers.push_back(law);
  }
  auto lis = testing::order_feed_lis(9, kFixtures / "lis-mapping.json");
  lis.orders->protocol = feed;
  c.lis.push_back(lis);
  return c;
}

// "specimen placer tests: FBC mapped, GLU unmapped" per order stored from message `control_id`,
// and the same from the fixture's JSON.
std::set<std::string> stored_orders(const DaemonHarness& h, const std::string& control_id) {
  std::set<std::string> out;
  for (const auto& row : h.query_rows(fmt::format(
           "SELECT o.specimen_id, o.placer_number, o.specimen_type, o.comment,"
           " string_agg(DISTINCT t.lis_code || CASE WHEN t.is_mapped THEN '' ELSE '?' END, ' '"
           "   ORDER BY t.lis_code || CASE WHEN t.is_mapped THEN '' ELSE '?' END)"
           " FROM orders o JOIN order_tests t ON t.order_id = o.id"
           " JOIN messages m ON m.id = o.message_id WHERE m.control_id = '{}'"
           " GROUP BY o.id",
           control_id))) {
    out.insert(fmt::format("{} {} [{}] [{}] {}", row[0], row[1], row[2], row[3], row[4]));
  }
  return out;
}

std::set<std::string> expected_orders(const json& expected) {
  std::set<std::string> out;
  for (const auto& o : expected["orders"]) {
    std::set<std::string> codes;
    for (const auto& t : o["tests"]) {
      const auto line = t.get<std::string>();
      const auto code = line.substr(0, line.find(" -> "));
      codes.insert(code + (line.ends_with("not mapped") ? "?" : ""));
    }
    std::string joined;
    for (const auto& c : codes)
      joined += (joined.empty() ? "" : " ") + c;
    out.insert(fmt::format("{} {} [{}] [{}] {}", o["specimen"].get<std::string>(),
                           o["placer"].get<std::string>(), o["specimen_type"].get<std::string>(),
                           o["comment"].get<std::string>(), joined));
  }
  return out;
}

std::set<std::string> specimens_of(const json& expected) {
  std::set<std::string> out;
  for (const auto& o : expected["orders"])
    out.insert(o["specimen"].get<std::string>());
  return out;
}

std::string control_id_of(const std::string& raw, WireProtocol protocol) {
  if (protocol == WireProtocol::Astm) {
    return "";  // an ASTM H-3 is empty in the fixtures: matched by the message's specimens
  }
  auto m = hl7::V2Message::parse(raw);
  return m ? m->text_at(*hl7::V2Path::parse("MSH-10")) : "";
}

void sends_every_fixture_of(DaemonHarness& h, WireProtocol protocol, const std::string& extension) {
  const auto port = h.daemon().order_feed_port("lis");
  std::size_t sent = 0;
  for (const auto& e : fs::directory_iterator(kFixtures)) {
    if (e.path().extension() != extension)
      continue;
    const auto expected =
        json::parse(testing::read_file(fs::path(e.path()).replace_extension(".json")));
    if (expected.contains("refusal"))
      continue;
    SCOPED_TRACE(e.path().filename().string());
    const auto raw = testing::fixture_as_sent(e.path());
    const auto report = testing::send_messages(port, protocol, {raw});
    ASSERT_EQ(report.results.size(), 1u);
    EXPECT_NE(report.results[0].answer, simulate::Answer::Unacknowledged)
        << report.results[0].detail;
    const auto specimens = specimens_of(expected);
    std::string in;
    for (const auto& s : specimens)
      in += (in.empty() ? "'" : ",'") + s + "'";
    EXPECT_EQ(h.count(fmt::format("SELECT count(DISTINCT specimen_id) FROM orders"
                                  " WHERE specimen_id IN ({})",
                                  in)),
              static_cast<long long>(specimens.size()))
        << "specimens in = specimens stored";
    if (protocol == WireProtocol::Hl7) {
      EXPECT_EQ(stored_orders(h, control_id_of(raw, protocol)), expected_orders(expected));
    }
    ++sent;
  }
  EXPECT_GT(sent, 0u);
}

TEST(OrderConformance, EveryHl7FixtureIsStoredWithEverySpecimenAndOrder) {
  HL_REQUIRE_POSTGRES();
  DaemonHarness h(lab(WireProtocol::Hl7));
  sends_every_fixture_of(h, WireProtocol::Hl7, ".hl7");
}

TEST(OrderConformance, AnAstmBloodBankOrderKeepsItsSpecimenTypeAndDonorUnit) {
  HL_REQUIRE_POSTGRES();
  DaemonHarness h(lab(WireProtocol::Astm));
  sends_every_fixture_of(h, WireProtocol::Astm, ".astm");
  EXPECT_EQ(h.query_value("SELECT specimen_type || ' / ' || specimen_source || ' / ' || comment"
                          " FROM orders WHERE specimen_id = 'BB-8001'"),
            "WB / Venous blood / Donor unit W0000 26 123456 A, ISBT 128 product E0291V00\n"
            "Patient antibody screen positive (anti-K)");
}

// The MLLP messages the daemon writes back within `limit` of the last byte.
std::vector<std::string> read_answers(testing::AnalyzerSocket& s, std::size_t count) {
  std::vector<std::string> out;
  std::string current;
  bool in_frame = false;
  while (out.size() < count) {
    const auto byte = s.read_byte(5000ms);
    if (!byte)
      break;
    if (*byte == '\x0b') {
      in_frame = true;
      current.clear();
    } else if (*byte == '\x1c') {
      in_frame = false;
      out.push_back(current);
    } else if (in_frame) {
      current.push_back(*byte);
    }
  }
  return out;
}

std::string framed(const std::string& payload) {
  return "\x0b" + payload + "\x1c\r";
}

std::string at(const std::string& message, const char* path) {
  auto m = hl7::V2Message::parse(message);
  return m ? m->text_at(*hl7::V2Path::parse(path)) : "";
}

std::string with_modes(std::string raw, const std::string& control_id, const std::string& accept,
                       const std::string& application) {
  const auto end = raw.find('\r');
  auto msh = raw.substr(0, end);
  const auto old_id = at(raw, "MSH-10");
  msh.replace(msh.find(old_id), old_id.size(), control_id);
  return msh + "|||" + accept + "|" + application + raw.substr(end);
}

TEST(OrderConformance, EnhancedModeAnswersWithACommitThenAnOrlEachWithItsOwnControlId) {
  HL_REQUIRE_POSTGRES();
  DaemonHarness h(lab(WireProtocol::Hl7));
  testing::AnalyzerSocket lis(h.daemon().order_feed_port("lis"));
  const auto raw = testing::fixture_as_sent(kFixtures / "oml-o21-blood-and-urine.hl7");
  ASSERT_TRUE(lis.send(framed(with_modes(raw, "E-1", "AL", "AL"))));
  const auto answers = read_answers(lis, 2);
  ASSERT_EQ(answers.size(), 2u);
  EXPECT_EQ(at(answers[0], "MSH-9"), "ACK^O21^ACK");
  EXPECT_EQ(at(answers[0], "MSA-1"), "CA");
  EXPECT_EQ(at(answers[1], "MSH-9"), "ORL^O22^ORL_O22");
  EXPECT_EQ(at(answers[1], "MSA-1"), "AE") << "the urinalysis is not in the table";
  EXPECT_EQ(at(answers[1], "MSA-2"), "E-1");
  EXPECT_NE(at(answers[0], "MSH-10"), at(answers[1], "MSH-10"));
  EXPECT_NE(answers[1].find("ORC|UA|PLC-7102"), std::string::npos) << answers[1];
  EXPECT_NE(answers[1].find("24356-8"), std::string::npos) << answers[1];

  ASSERT_TRUE(lis.send(framed(with_modes(raw, "E-2", "ER", "AL"))));
  const auto only_orl = read_answers(lis, 1);
  ASSERT_EQ(only_orl.size(), 1u);
  EXPECT_EQ(at(only_orl[0], "MSH-9"), "ORL^O22^ORL_O22") << "MSH-15 ER: no CA on success";
  EXPECT_EQ(at(only_orl[0], "MSA-2"), "E-2");
}

TEST(OrderConformance, AResendOfAnUnansweredMessageIsAnsweredAgainAndAppliedOnce) {
  HL_REQUIRE_POSTGRES();
  DaemonHarness h(lab(WireProtocol::Hl7));
  const auto port = h.daemon().order_feed_port("lis");
  const auto raw = testing::fixture_as_sent(kFixtures / "oml-o21-five-specimens.hl7");
  auto resent = raw;  // senders renew MSH-7 on a resend
  resent.replace(resent.find("20261207083000"), 14, "20261207083130");
  const auto report = testing::send_messages(port, WireProtocol::Hl7, {raw, resent});
  ASSERT_EQ(report.results.size(), 2u);
  EXPECT_EQ(report.results[1].answer, simulate::Answer::Acknowledged) << "answered again";
  EXPECT_EQ(h.query_value("SELECT string_agg(status, ',' ORDER BY received_at) FROM messages"
                          " WHERE destination = 'lis' AND control_id = 'O21-0003'"),
            "accepted,duplicate");
  EXPECT_EQ(h.count("SELECT count(*) FROM orders"), 5);
  EXPECT_EQ(h.count("SELECT count(*) FROM audit_log WHERE entity = 'order'"), 5)
      << "applied once: no change audited for the resend";

  // The same MSH-10 after another message is not a resend (a sender whose counter started
  // again): it is applied, here ordering again the FBC the message in between cancelled.
  auto cancel = raw;
  cancel.replace(cancel.find("O21-0003"), 8, "O21-0004");
  cancel.replace(cancel.find("ORC|NW|PLC-7201"), 15, "ORC|CA|PLC-7201");
  const auto again = testing::send_messages(port, WireProtocol::Hl7, {cancel, raw});
  ASSERT_EQ(again.results.size(), 2u);
  EXPECT_EQ(h.query_value("SELECT string_agg(status, ',' ORDER BY received_at) FROM messages"
                          " WHERE destination = 'lis' AND control_id = 'O21-0003'"),
            "accepted,duplicate,accepted");
  EXPECT_EQ(h.count("SELECT count(*) FROM order_tests t JOIN orders o ON o.id = t.order_id"
                    " WHERE o.placer_number = 'PLC-7201' AND t.status = 'ordered'"),
            8)
      << "cancelled by O21-0004, ordered again by the new O21-0003";
}

TEST(OrderConformance, ATestTheTableDoesNotKnowNeverReachesAnAnalyzer) {
  HL_REQUIRE_POSTGRES();
  testing::TempDir dir{"unmapped-order"};
  std::ofstream(dir / "law-1.json")
      << R"({"driver": "generic-hl7", "codes": {"MCV": {"code": "MCV"}, "HGB": {"code": "HGB"}}})";
  DaemonHarness h(lab(WireProtocol::Hl7, dir / "law-1.json"));
  testing::send_messages(
      h.daemon().order_feed_port("lis"), WireProtocol::Hl7,
      {testing::fixture_as_sent(kFixtures / "oml-o21-unmapped-canonical-name.hl7")});
  ASSERT_EQ(h.count("SELECT count(*) FROM order_tests WHERE lis_code = 'MCV' AND NOT is_mapped"),
            1);
  const std::string query =
      "MSH|^~\\&|LAW|LAB|HEMALINK|LAB|20261207100000||QBP^Q11^QBP_Q11|Q-1|P|2.5.1|||ER|AL\r"
      "QPD|WOS^Work Order Step^IHE_LABTF|T-1|SP-7501\rRCP|I||R\r";
  const auto report = testing::send_messages(h.port("law-1"), WireProtocol::Hl7, {query}, 1500ms);
  ASSERT_EQ(report.host_replies.size(), 2u) << "the RSP^K11 and the OML^O33 of the mapped HGB";
  const auto& work = report.host_replies[1];
  std::size_t requests = 0;
  for (auto at = work.find("\rOBR|"); at != std::string::npos; at = work.find("\rOBR|", at + 1))
    ++requests;
  EXPECT_EQ(requests, 1u) << "HGB alone, not MCV: " << work;
  EXPECT_EQ(work.find("MCV"), std::string::npos) << work;
  EXPECT_EQ(at(work, "SPM-4"), "WB^Whole blood^HL70487") << "the specimen type the LIS sent";
  EXPECT_EQ(at(work, "OBR-4.2"), "HGB") << "OBR-4: the analyzer's code, what it stands for, L";
  EXPECT_EQ(at(work, "OBR-4.3"), "L");
  EXPECT_EQ(h.count("SELECT count(*) FROM order_tests WHERE lis_code = 'MCV' AND status <> "
                    "'ordered'"),
            0)
      << "never sent, never acknowledged";
}

// An ASTM LIS that sends no control ID (H-3) may order again with the very bytes of its first
// order after cancelling it: without a control ID nothing tells a resend, so each is applied.
TEST(OrderConformance, AnAstmOrderWithoutAControlIdSentAgainAfterItsCancellationOrdersAgain) {
  HL_REQUIRE_POSTGRES();
  DaemonHarness h(lab(WireProtocol::Astm));
  const auto order = testing::fixture_as_sent(kFixtures / "astm-crossmatch-with-donor.astm");
  auto cancel = order;
  cancel.replace(cancel.find("||||N||||"), 9, "||||C||||");
  const auto report = testing::send_messages(h.daemon().order_feed_port("lis"), WireProtocol::Astm,
                                             {order, cancel, order});
  ASSERT_EQ(report.results.size(), 3u);
  EXPECT_EQ(h.query_value("SELECT string_agg(status, ',' ORDER BY received_at) FROM messages"
                          " WHERE destination = 'lis'"),
            "accepted,accepted,accepted");
  EXPECT_EQ(h.query_value("SELECT status FROM order_tests WHERE lis_code = 'XM'"), "ordered")
      << "ordered, cancelled, ordered again";
  EXPECT_EQ(h.count("SELECT count(*) FROM audit_log WHERE entity = 'order_test'"), 3);
}

// A blood bank LIS's crossmatch reaches its analyzer with what the analyzer needs to run it: the
// specimen type in O-16 and the donor unit in C records after the O record.
TEST(OrderConformance, ACrossmatchIsSentWithItsSpecimenTypeAndDonorUnit) {
  HL_REQUIRE_POSTGRES();
  testing::TempDir dir{"crossmatch"};
  std::ofstream(dir / "bb-1.json") << R"({"codes": {"XM": {"code": "XM"}}})";
  std::ofstream(dir / "lis.json") << R"({"codes": {"XM": {"code": "XM", "text": "Crossmatch"}}})";
  auto c = lab(WireProtocol::Astm);
  c.lis[0].mapping_file = dir / "lis.json";
  c.analyzers.push_back(testing::tcp_analyzer("bb-1", "generic-astm", WireProtocol::Astm));
  c.analyzers.back().mappings_file = dir / "bb-1.json";
  DaemonHarness h(c);
  testing::send_messages(h.daemon().order_feed_port("lis"), WireProtocol::Astm,
                         {testing::fixture_as_sent(kFixtures / "astm-crossmatch-with-donor.astm")});
  ASSERT_EQ(h.count("SELECT count(*) FROM order_tests WHERE code = 'XM' AND is_mapped"), 1);
  const auto report = testing::send_messages(
      h.port("bb-1"), WireProtocol::Astm,
      {"H|\\^&|||IH-1000|||||||P|LIS2-A2|20261207094500\rQ|1|^BB-8001||ALL||||||||O\r"
       "L|1|N\r"},
      1500ms);
  ASSERT_EQ(report.host_replies.size(), 1u);
  auto answer = astm::Lis2Message::parse(report.host_replies[0]);
  ASSERT_TRUE(answer) << report.host_replies[0];
  std::vector<std::string> records;
  for (std::size_t i = 0; i < answer->record_count(); ++i) {
    const auto r = answer->record(i);
    if (r.type() == 'O')
      records.push_back(fmt::format("O {} {} {}", r.field(2), r.field(4), r.field(15)));
    if (r.type() == 'C')
      records.push_back(fmt::format("C {}", r.field(3)));
  }
  EXPECT_EQ(records,
            (std::vector<std::string>{"O BB-8001 ^^^XM WB^Venous blood",
                                      "C Donor unit W0000 26 123456 A, ISBT 128 product E0291V00",
                                      "C Patient antibody screen positive (anti-K)"}))
      << report.host_replies[0];
}

// The LIS is told at once (AE naming the code), /metrics counts the code, the API lists it for
// the page's panel; the integrator adds the code to the table and restarts: the open test is
// ordered as its canonical tests and the panel empties.
TEST(OrderConformance, AnUnknownCodeIsCountedListedAndOrderedOnceTheTableKnowsIt) {
  HL_REQUIRE_POSTGRES();
  testing::TempDir dir{"unmapped-fixed"};
  const auto table = dir / "lis.json";
  auto mapping = json::parse(testing::read_file(kFixtures / "lis-mapping.json"));
  std::ofstream(table) << mapping.dump();
  const auto viewer = api::make_token();
  auto c = lab(WireProtocol::Hl7);
  c.lis[0].mapping_file = table;
  c.http.listen = "127.0.0.1:0";
  c.http.tokens = {{"vera", config::ApiRole::Viewer, viewer.sha256}};
  DaemonHarness h(c);
  const auto report =
      testing::send_messages(h.daemon().order_feed_port("lis"), WireProtocol::Hl7,
                             {testing::fixture_as_sent(kFixtures / "oml-o21-blood-and-urine.hl7")});
  ASSERT_EQ(report.results.size(), 1u);
  EXPECT_EQ(report.results[0].answer, simulate::Answer::Rejected)
      << "original mode: AE names the test the table does not know";
  EXPECT_EQ(h.count("SELECT count(*) FROM orders"), 2) << "both specimens stored all the same";

  const auto listed =
      testing::http_request(h.daemon().http_port(), "GET", "/api/v1/orders/unmapped", viewer.token);
  ASSERT_EQ(listed.status, 200) << listed.body;
  const auto unmapped = listed.json()["unmapped"];
  ASSERT_EQ(unmapped.size(), 1u) << listed.body;
  EXPECT_EQ(unmapped[0]["lis_code"], "24356-8");
  EXPECT_EQ(unmapped[0]["destination"], "lis");
  EXPECT_EQ(unmapped[0]["open_tests"], 1);
  EXPECT_EQ(unmapped[0]["latest_specimen_id"], "SP-7102");
  const auto metrics = testing::http_request(h.daemon().http_port(), "GET", "/metrics");
  EXPECT_NE(metrics.body.find("hemalink_order_codes_unmapped{destination=\"lis\"} 1"),
            std::string::npos)
      << metrics.body;

  mapping["order_panels"]["24356-8"] = json::array({"UA_DIPSTICK"});
  std::ofstream(table) << mapping.dump();
  h.restart();
  EXPECT_EQ(h.query_value("SELECT string_agg(code || ':' || status || ':' || is_mapped, ','"
                          " ORDER BY id) FROM order_tests WHERE lis_code = '24356-8'"),
            "24356-8:cancelled:false,UA_DIPSTICK:ordered:true");
  EXPECT_EQ(h.count("SELECT count(*) FROM audit_log WHERE actor = 'system:mapping-table'"), 2);
  const auto after =
      testing::http_request(h.daemon().http_port(), "GET", "/api/v1/orders/unmapped", viewer.token);
  EXPECT_EQ(after.json()["unmapped"].size(), 0u) << after.body;
}

}  // namespace
}  // namespace hemalink::orders
