#include "server/simulate/downloaded_work.hpp"

#include <fmt/format.h>

#include "protocols/common/split.hpp"
#include "protocols/common/text.hpp"
#include "server/simulate/generated_messages.hpp"

namespace hemalink::simulate {
namespace {

constexpr std::string_view kWhen = "20260101101500";

std::vector<std::string_view> lines_of(std::string_view message) {
  std::vector<std::string_view> out;
  for (std::size_t at = 0; at < message.size();) {
    auto end = message.find_first_of("\r\n", at);
    if (end == std::string_view::npos) {
      end = message.size();
    }
    if (end > at) {
      out.push_back(message.substr(at, end - at));
    }
    at = end + 1;
  }
  return out;
}

// The parameters a Sysmex CS reports for a test group it was ordered (PT: seconds, %, INR).
std::vector<std::string> measured(std::string_view code) {
  if (code == "040") {
    return {"041", "042", "043"};
  }
  if (code == "050") {
    return {"051"};
  }
  if (code == "060") {
    return {"061"};
  }
  if (code == "090") {
    return {"091"};
  }
  return {std::string(code)};
}

// The last non-empty component, trimmed: the specimen ID whatever the layout.
std::string_view last_component(std::string_view field, char component) {
  for (std::size_t n = count_parts(field, component); n > 0; --n) {
    const auto part = trim(nth_part(field, component, n));
    if (!part.empty()) {
      return part;
    }
  }
  return {};
}

std::string astm_results(std::string_view specimen_field, std::string_view tests, char field,
                         char repeat, char component) {
  const auto specimen = last_component(specimen_field, component);
  const bool is_sysmex = specimen_field.find(component) != std::string_view::npos;
  std::string out =
      fmt::format("H{}\\^&|||SIMULATOR^00-00^00000^^^^SIM||||||||E1394-97\rP|1\r", field);
  out += is_sysmex ? fmt::format("O|1||{}^B|{}|||||||N||||||||||||||F\r", specimen_field, tests)
                   : fmt::format("O|1|{}||{}|||||||N||||||||||||||F\r", specimen, tests);
  int seq = 1;
  for (std::size_t n = 1; n <= count_parts(tests, repeat); ++n) {
    const auto test = nth_part(tests, repeat, n);
    const auto code = last_component(test, component);
    const auto prefix = test.substr(0, test.size() - code.size());
    for (const auto& parameter : measured(code)) {
      const auto v = typical_value(parameter);
      out += fmt::format("R|{}|{}{}{}|{}|{}||N||F||||{}\r", seq++, prefix, parameter,
                         is_sysmex ? "^1" : "", v.value, v.units, kWhen);
    }
  }
  return out + "L|1|N\r";
}

std::vector<std::string> from_astm(std::string_view message) {
  const auto lines = lines_of(message);
  if (lines.empty() || lines[0].size() < 5 || lines[0][0] != 'H') {
    return {};
  }
  const char field = lines[0][1];
  const char repeat = lines[0][2];
  const char component = lines[0][3];
  std::vector<std::string> out;
  for (const auto line : lines) {
    if (line.empty() || line[0] != 'O') {
      continue;
    }
    const auto report_type = nth_part(line, field, 26);
    const auto tests = nth_part(line, field, 5);
    if (report_type == "Y" || tests.empty()) {
      continue;  // Sysmex: no order for this sample
    }
    out.push_back(astm_results(nth_part(line, field, 3), tests, field, repeat, component));
  }
  return out;
}

std::string_view segment_field(const std::vector<std::string_view>& segments, std::string_view id,
                               std::size_t n) {
  for (const auto s : segments) {
    if (s.starts_with(id) && s.size() > id.size() && s[id.size()] == '|') {
      return nth_part(s, '|', n + 1);
    }
  }
  return {};
}

std::vector<std::string> from_oml(std::string_view message, std::size_t n) {
  const auto segments = lines_of(message);
  if (segments.empty() || segment_field(segments, "MSH", 8).substr(0, 7) != "OML^O33") {
    return {};
  }
  const auto specimen = nth_part(segment_field(segments, "SPM", 2), '^', 1);
  std::string out = fmt::format(
      "MSH|^~\\&|SIMULATOR|LAB|hemalink|LAB|{}||ORU^R01^ORU_R01|D{:08}|P|2.5.1|||AL|NE\r"
      "PID|1||{}\r"
      "SPM|1|{}\r"
      "OBR|1||{}|{}|||{}\r",
      kWhen, n, segment_field(segments, "PID", 3), specimen, specimen,
      segment_field(segments, "OBR", 4), kWhen);
  int set = 1;
  for (const auto s : segments) {
    if (!s.starts_with("OBR|")) {
      continue;
    }
    const auto test = nth_part(s, '|', 5);
    const auto v = typical_value(nth_part(test, '^', 1));
    out += fmt::format("OBX|{}|NM|{}||{}|{}||N|||F|||{}\r", set++, test, v.value, v.units, kWhen);
  }
  return set == 1 ? std::vector<std::string>{} : std::vector<std::string>{out};
}

}  // namespace

std::vector<std::string> results_for_work(std::string_view host_message,
                                          model::WireProtocol protocol, std::size_t n) {
  return protocol == model::WireProtocol::Hl7 ? from_oml(host_message, n) : from_astm(host_message);
}

}  // namespace hemalink::simulate
