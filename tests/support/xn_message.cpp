#include "tests/support/xn_message.hpp"

#include <fmt/format.h>

namespace hemalink::testing {

std::string xn_message(const std::string& sample, const std::string& patient, bool is_qc,
                       const std::vector<XnResult>& results, const std::string& measured_at) {
  std::string records = fmt::format(
      "H|\\^&|||XN-550^00-18^11001^^^^12345678||||||||E1394-97\r"
      "P|1|||{}|^Doe^Jane||19720101|F\r"
      "O|1||^^        {}^B|^^^^WBC\\^^^^HGB|||||||{}||||||||||||||F\r",
      is_qc ? "" : patient, sample, is_qc ? "Q" : "N");
  for (std::size_t i = 0; i < results.size(); ++i) {
    records += fmt::format("R|{}|^^^^{}^1|{}|{}||N||F||||{}\r", i + 1, results[i].code,
                           results[i].value, results[i].units, measured_at);
  }
  return records + "L|1|N\r";
}

std::string xn_message(const std::string& sample, bool is_qc,
                       const std::vector<std::pair<std::string, std::string>>& results,
                       const std::string& measured_at) {
  std::vector<XnResult> unitless;
  for (const auto& [code, value] : results) {
    unitless.push_back({code, value, ""});
  }
  return xn_message(sample, "P-" + sample, is_qc, unitless, measured_at);
}

}  // namespace hemalink::testing
