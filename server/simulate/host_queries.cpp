#include "server/simulate/host_queries.hpp"

#include <fmt/format.h>

#include "protocols/common/split.hpp"

namespace hemalink::simulate {
namespace {

// Field `n` (0 = the record or segment ID) of the first line starting with `id`.
std::string_view field_of(std::string_view message, std::string_view id, std::size_t n) {
  for (std::size_t at = 0; at < message.size();) {
    auto end = message.find('\r', at);
    if (end == std::string_view::npos)
      end = message.size();
    const auto line = message.substr(at, end - at);
    if (line.starts_with(id) && line.size() > id.size() && line[id.size()] == '|')
      return nth_part(line, '|', n + 1);
    at = end + 1;
  }
  return {};
}

}  // namespace

std::string query_for(std::string_view message, model::WireProtocol protocol, std::size_t n) {
  if (protocol == model::WireProtocol::Astm) {
    auto sample = std::string(field_of(message, "O", 4));
    if (sample.empty()) {
      const auto specimen = field_of(message, "O", 3);
      if (specimen.empty())
        return {};
      sample = fmt::format("^{}", specimen);  // not "^" + ...: GCC bug 105329 at -O3
    }
    return fmt::format("H|\\^&|||SIMULATOR\rQ|1|{}||||20260101000000||||||N\rL|1|N\r", sample);
  }
  auto specimen = nth_part(field_of(message, "SPM", 2), '^', 1);
  if (specimen.empty())
    specimen = nth_part(field_of(message, "OBR", 3), '^', 1);
  if (specimen.empty())
    return {};
  return fmt::format(
      "MSH|^~\\&|SIMULATOR|LAB|hemalink|LAB|20260101000000||QBP^Q11^QBP_Q11|Q{:08}|P|2.5.1|||NE|"
      "AL||UNICODE UTF-8|||LAB-27^IHE\r"
      "QPD|WOS^Work Order Step^IHE_LABTF|Q{:08}|{}\r"
      "RCP|I||R\r",
      n, n, specimen);
}

}  // namespace hemalink::simulate
