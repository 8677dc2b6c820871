#include "server/simulate/downloaded_work.hpp"

#include <gtest/gtest.h>

#include "drivers/driver.hpp"
#include "protocols/astm/lis2_records.hpp"
#include "server/config/mapping_json.hpp"

namespace hemalink::simulate {
namespace {

using model::WireProtocol;

std::vector<std::string> codes_read_by(std::string_view driver_name, const std::string& message) {
  auto mappings = config::load_mappings(driver_name, "", "");
  EXPECT_TRUE(mappings);
  auto driver = drivers::make_driver(driver_name, {std::move(*mappings), Charset::Latin1, {}});
  auto parsed = astm::Lis2Message::parse(message);
  EXPECT_TRUE(parsed) << message;
  auto t = driver->translate(*parsed);
  EXPECT_TRUE(t) << (t ? "" : t.error().describe());
  std::vector<std::string> codes;
  if (t && t->result_sets.size() == 1) {
    codes.push_back(t->result_sets[0].specimen_id);
    for (const auto& o : t->result_sets[0].observations) {
      codes.push_back(o.code);
    }
  }
  return codes;
}

TEST(DownloadedWork, TheXnRunsExactlyWhatItWasSentAndReportsItAsItsOwnMessage) {
  const auto results = results_for_work(
      "H|\\^&|||hemalink|||||||P|LIS2-A2|20261128\rP|1\r"
      "O|1|^^S-1||^^^^WBC\\^^^^PLT|R||||||N||||||||||||||O\r"
      "P|2\rO|1|^^S-2||||||||||||||||||||||||Y\rL|1|N\r",
      WireProtocol::Astm, 1);
  ASSERT_EQ(results.size(), 1u) << "a Sysmex Y (no order) runs nothing";
  EXPECT_EQ(codes_read_by("sysmex-xn", results[0]),
            (std::vector<std::string>{"S-1", "WBC", "PLT"}));
}

TEST(DownloadedWork, ACsTestGroupGivesItsParameters) {
  const auto results =
      results_for_work("H|\\^&|||hemalink\rP|1\rO|1|^^S-3||^^^040|R||||||N||||||||||||||O\rL|1|N\r",
                       WireProtocol::Astm, 1);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(codes_read_by("sysmex-cs", results[0]),
            (std::vector<std::string>{"S-3", "PT_SEC", "PT_PCT", "INR"}));
}

TEST(DownloadedWork, AnOmlWorkOrderGivesAnOruWithAnObxPerTest) {
  const auto results = results_for_work(
      "MSH|^~\\&|hemalink||CHEM||20261128||OML^O33^OML_O33|C-1|P|2.5.1\r"
      "PID|1||P-9\rSPM|1|S-4||||||||P\rSAC|||S-4\r"
      "ORC|NW|S-4\rTQ1|||||||||R\rOBR|1|S-4||CHOL\r"
      "ORC|NW|S-4\rTQ1|||||||||R\rOBR|1|S-4||HDL\r",
      WireProtocol::Hl7, 7);
  ASSERT_EQ(results.size(), 1u);
  const auto& oru = results[0];
  EXPECT_NE(oru.find("ORU^R01^ORU_R01|D00000007|"), std::string::npos) << oru;
  EXPECT_NE(oru.find("\rSPM|1|S-4\r"), std::string::npos) << oru;
  EXPECT_NE(oru.find("\rOBX|1|NM|CHOL||"), std::string::npos) << oru;
  EXPECT_NE(oru.find("\rOBX|2|NM|HDL||"), std::string::npos) << oru;
  EXPECT_TRUE(results_for_work("MSH|^~\\&|hemalink||X||20261128||ACK|A-1|P|2.5.1\rMSA|AA|C-1\r",
                               WireProtocol::Hl7, 8)
                  .empty());
}

}  // namespace
}  // namespace hemalink::simulate
