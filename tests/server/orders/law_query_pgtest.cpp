// IHE LAW LAB-27/LAB-28 end to end on 127.0.0.1, with the BioSystems BA400's own query from the
// corpus: the LIS orders two tests on the tube the BA400 asks about; the BA400's QBP^Q11 is
// answered RSP^K11 (its control ID in MSA-2, QAK OK, the QPD echoed) and then an OML^O33 with the
// tests in the BA400's codes, which the simulated BA400 accepts with an ORL^O34 (stored, not
// answered). A tube with no order gets QAK NF and no work order. A chemistry analyzer is sent only
// the tests of its own table, never the CBC pending on the same tube.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>

#include "protocols/common/split.hpp"
#include "protocols/hl7/v2_message.hpp"
#include "server/simulate/simulation.hpp"
#include "tests/support/corpus.hpp"
#include "tests/support/daemon_harness.hpp"
#include "tests/support/order_feed_lab.hpp"
#include "tests/support/store_harness.hpp"

namespace hemalink::orders {
namespace {

using model::WireProtocol;
using namespace std::chrono_literals;
using testing::DaemonHarness;

struct LawLab {
  testing::TempDir dir{"law-query"};

  daemon::DaemonConfig config() const {
    std::ofstream(dir / "ba400.json") << R"({"driver": "generic-hl7", "codes": {
        "CHOL": {"code": "CHOL"}, "HDL": {"code": "HDL_CHOL"}}})";
    std::ofstream(dir / "lis.json") << R"({"codes": {
        "CHOL": {"code": "CHOL"}, "HDL_CHOL": {"code": "HDL"}}})";
    daemon::DaemonConfig c;
    auto ba400 = testing::tcp_analyzer("ba400", "generic-hl7", WireProtocol::Hl7);
    ba400.mappings_file = dir / "ba400.json";
    c.analyzers.push_back(ba400);
    c.lis.push_back(testing::order_feed_lis(9, dir / "lis.json"));
    return c;
  }
};

simulate::SimulationReport send(std::uint16_t port, std::vector<std::string> messages) {
  return testing::send_messages(port, WireProtocol::Hl7, std::move(messages),
                                1500ms);  // the work order follows the query's answer
}

// The capture ends with the MLLP end block (FS CR) its logger kept: the message is before it.
std::string ba400_query() {
  auto text = testing::read_file(*testing::corpus_dir() / "hl7/biosystems-ba400-qbp-q11-02.hl7");
  return text.substr(0, text.find('\x1c'));
}

std::string at(const std::string& message, const char* path) {
  auto parsed = hl7::V2Message::parse(message);
  EXPECT_TRUE(parsed) << message;
  return parsed ? parsed->text_at(*hl7::V2Path::parse(path)) : "";
}

TEST(LawQuery, TheBa400sQueryIsAnsweredAndItsWorkOrderFollows) {
  HL_REQUIRE_POSTGRES();
  HL_REQUIRE_CORPUS();
  LawLab lab;
  DaemonHarness h(lab.config());
  ASSERT_EQ(send(h.daemon().order_feed_port("lis"),
                 {"MSH|^~\\&|LIS|HOSP|HEMALINK|LAB|20230513090000||OML^O21^OML_O21|O-1|P|2.5.1\r"
                  "PID|1||P-9^^^HOSP^MR||Roe^Ann||19800101|F\r"
                  "ORC|NW|PL-7\rOBR|1|PL-7||CHOL\rOBR|2|PL-7||HDL\rSPM|1|33032646||SER\r"})
                .results[0]
                .answer,
            simulate::Answer::Acknowledged);

  const auto report = send(h.port("ba400"), {ba400_query()});
  ASSERT_EQ(report.results.size(), 1u);
  EXPECT_EQ(report.results[0].answer, simulate::Answer::Acknowledged)
      << "the RSP^K11's MSA names the query";
  ASSERT_EQ(report.host_replies.size(), 2u)
      << (report.host_replies.empty() ? "" : report.host_replies[0]);
  const auto& rsp = report.host_replies[0];
  EXPECT_EQ(at(rsp, "MSH-9"), "RSP^K11^RSP_K11");
  EXPECT_EQ(at(rsp, "MSH-21"), "LAB-27^IHE");
  EXPECT_EQ(at(rsp, "MSA-2"), "7e3fe271-b7af-415b-996e-a9e142014521");
  EXPECT_EQ(at(rsp, "QAK-1"), "7e3fe271b7af415b996ea9e142014521");
  EXPECT_EQ(at(rsp, "QAK-2"), "OK");
  EXPECT_EQ(at(rsp, "QPD-1"), "WOS^Work Order Step^IHE_LABTF");
  EXPECT_EQ(at(rsp, "QPD-3"), "33032646");
  const auto& oml = report.host_replies[1];
  EXPECT_EQ(at(oml, "MSH-9"), "OML^O33^OML_O33");
  EXPECT_EQ(at(oml, "MSH-21"), "LAB-28^IHE");
  EXPECT_EQ(at(oml, "PID-3"), "P-9");
  EXPECT_EQ(at(oml, "SPM-2"), "33032646");
  EXPECT_EQ(at(oml, "SAC-3"), "33032646");
  EXPECT_EQ(at(oml, "OBR(1)-4"), "CHOL^CHOL^L") << oml;
  EXPECT_EQ(at(oml, "OBR(2)-4"), "HDL^HDL_CHOL^L") << "the BA400's code for HDL_CHOL";
  EXPECT_EQ(at(oml, "OBR(2)-1"), "2");
  EXPECT_EQ(at(oml, "SPM-4"), "SER") << "the specimen type the LIS sent";
  EXPECT_TRUE(testing::wait_until(
      [&] {
        return h.count(
                   "SELECT count(*) FROM order_tests WHERE status = 'acknowledged' AND "
                   "analyzer = 'ba400'") == 2;
      },
      10s))
      << "the BA400's ORL^O34 AA names the work order: it took both tests";
  ASSERT_TRUE(testing::wait_until(
      [&] {
        return h.count(
                   "SELECT count(*) FROM messages WHERE direction = 'in' AND "
                   "convert_from(raw, 'UTF8') LIKE '%ORL^O34%'") == 1;
      },
      10s))
      << "the BA400's ORL^O34 is kept";
}

TEST(LawQuery, ATubeWithNoOrderIsAnsweredNotFoundAndSentNoWork) {
  HL_REQUIRE_POSTGRES();
  HL_REQUIRE_CORPUS();
  LawLab lab;
  DaemonHarness h(lab.config());
  const auto report = send(h.port("ba400"), {ba400_query()});
  ASSERT_EQ(report.host_replies.size(), 1u);
  EXPECT_EQ(at(report.host_replies[0], "QAK-2"), "NF");
  EXPECT_EQ(report.counts.host_messages, 0u) << "no work order";
}

// A chemistry analyzer on IHE LAW whose table is its own file (glucose, creatinine; no base), and
// a generic-hl7 analyzer with neither base nor file. The LIS orders a CBC and the chemistry on
// one tube (OML^O33: one specimen, an ORC/OBR per test).
struct ChemistryLab {
  testing::TempDir dir{"law-chemistry"};

  daemon::DaemonConfig config() const {
    std::ofstream(dir / "chem.json") << R"({"codes": {
        "2345-7": {"code": "GLU"}, "2160-0": {"code": "CREA"}}})";
    std::ofstream(dir / "lis.json") << R"({"codes": {
        "WBC": {"code": "WBC"}, "RBC": {"code": "RBC"}, "HCT": {"code": "HCT"},
        "PLT": {"code": "PLT"}, "GLU": {"code": "GLU"}, "CREA": {"code": "CREA"}}})";
    daemon::DaemonConfig c;
    auto chem = testing::tcp_analyzer("chem", "generic-hl7", WireProtocol::Hl7);
    chem.mappings_file = dir / "chem.json";
    c.analyzers.push_back(chem);
    c.analyzers.push_back(testing::tcp_analyzer("bare", "generic-hl7", WireProtocol::Hl7));
    c.lis.push_back(testing::order_feed_lis(9, dir / "lis.json"));
    return c;
  }
};

std::string cbc_and_chemistry_order(const std::string& specimen) {
  std::string text =
      "MSH|^~\\&|LIS|HOSP|HEMALINK|LAB|20260101090000||OML^O33^OML_O33|O-2|P|2.5.1\r"
      "PID|1||P-10^^^HOSP^MR||Doe^Jo||19700101|M\r"
      "SPM|1|" +
      specimen + "||SER\r";
  int n = 0;
  for (const char* code : {"WBC", "RBC", "HCT", "PLT", "GLU", "CREA"}) {
    ++n;
    text += fmt::format("ORC|NW|PL-2{}\rOBR|1|PL-2{}||{}\r", n, n, code);
  }
  return text;
}

// IHE LAW TF-2 LAB-27: the work order step query for one specimen.
std::string law_query(const std::string& specimen) {
  return "MSH|^~\\&|ANALYZER|LAB|HEMALINK|LAB|20260101091500||QBP^Q11^QBP_Q11|Q-" + specimen +
         "|P|2.5.1|||NE|AL||UNICODE UTF-8|||LAB-27^IHE\r"
         "QPD|WOS^Work Order Step^IHE_LABTF|T-" +
         specimen + "|" + specimen +
         "\r"
         "RCP|I||R\r";
}

std::vector<std::string> ordered_codes(const std::string& oml) {
  auto parsed = hl7::V2Message::parse(oml);
  EXPECT_TRUE(parsed) << oml;
  std::vector<std::string> codes;
  for (std::size_t i = 0; parsed && i < parsed->segment_count(); ++i) {
    if (parsed->segment(i).id() == "OBR") {
      codes.emplace_back(nth_part(parsed->segment(i).field(4), '^', 1));  // OBR-4.1
    }
  }
  return codes;
}

TEST(LawQuery, AChemistryAnalyzerIsSentOnlyTheTestsOfItsOwnTable) {
  HL_REQUIRE_POSTGRES();
  ChemistryLab lab;
  DaemonHarness h(lab.config());
  ASSERT_EQ(
      send(h.daemon().order_feed_port("lis"), {cbc_and_chemistry_order("SP-42")}).results[0].answer,
      simulate::Answer::Acknowledged);
  ASSERT_EQ(h.count("SELECT count(*) FROM order_tests WHERE is_mapped"), 6);

  const auto report = send(h.port("chem"), {law_query("SP-42")});
  ASSERT_EQ(report.host_replies.size(), 2u)
      << (report.host_replies.empty() ? "" : report.host_replies[0]);
  EXPECT_EQ(at(report.host_replies[0], "QAK-2"), "OK");
  const auto& oml = report.host_replies[1];
  EXPECT_EQ(at(oml, "MSH-9"), "OML^O33^OML_O33");
  EXPECT_EQ(ordered_codes(oml), (std::vector<std::string>{"2345-7", "2160-0"}))
      << "glucose and creatinine in the analyzer's codes, and no WBC, RBC, HCT or PLT (as LOINC "
         "6690-2, 789-8, 4544-3, 777-3 or otherwise): "
      << oml;
  EXPECT_TRUE(testing::wait_until(
      [&] {
        return h.count(
                   "SELECT count(*) FROM order_tests WHERE status = 'acknowledged' AND "
                   "analyzer = 'chem'") == 2;
      },
      10s));
  EXPECT_EQ(h.count("SELECT count(*) FROM order_tests WHERE status = 'ordered' AND analyzer = ''"
                    " AND code IN ('WBC', 'RBC', 'HCT', 'PLT')"),
            4)
      << "the CBC waits for an analyzer that runs it";
}

TEST(LawQuery, AGenericAnalyzerWithoutATableIsSentNoWork) {
  HL_REQUIRE_POSTGRES();
  ChemistryLab lab;
  DaemonHarness h(lab.config());
  ASSERT_EQ(
      send(h.daemon().order_feed_port("lis"), {cbc_and_chemistry_order("SP-43")}).results[0].answer,
      simulate::Answer::Acknowledged);

  const auto report = send(h.port("bare"), {law_query("SP-43")});
  ASSERT_EQ(report.host_replies.size(), 1u);
  EXPECT_EQ(at(report.host_replies[0], "QAK-2"), "NF") << "it runs nothing it can be ordered";
  EXPECT_EQ(report.counts.host_messages, 0u) << "no work order";
  EXPECT_EQ(h.count("SELECT count(*) FROM order_tests WHERE status = 'ordered' AND analyzer = ''"),
            6);
}

}  // namespace
}  // namespace hemalink::orders
