#include "server/simulate/generated_orders.hpp"

#include <fmt/format.h>

namespace hemalink::simulate {

std::vector<std::string> generate_orders(std::size_t count) {
  std::vector<std::string> out;
  out.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    out.push_back(fmt::format(
        "MSH|^~\\&|LIS-SIM|HOSP|HEMALINK|LAB|20260101090000||OML^O21^OML_O21|ORD{:08}|P|2.5.1\r"
        "PID|1||P{:07}^^^HOSP^MR||Patient^Test||19700101|F\r"
        "PV1|1|I|WARD{}\r"
        "ORC|NW|PL{:08}\r"
        "TQ1|1||||||||{}\r"
        "OBR|1|PL{:08}||FBC^Full blood count^L|||20260101085500\r"
        "OBR|2|PL{:08}||DIFF^Differential^L\r"
        "SPM|1|SMP{:08}||BLD|||||||P||||||20260101085500\r",
        i, i, i % 12 + 1, i, i % 10 == 0 ? "S" : "R", i, i, i));
  }
  return out;
}

std::vector<std::string> split_order_file(const std::string& text) {
  std::vector<std::string> out;
  std::string line;
  auto take = [&out](std::string l) {
    if (l.empty())
      return;
    if (l.starts_with("MSH") || l.starts_with("H|") || out.empty())
      out.emplace_back();
    out.back() += l;
    out.back() += '\r';
  };
  for (char c : text) {
    if (c == '\r' || c == '\n') {
      take(std::move(line));
      line.clear();
    } else {
      line += c;
    }
  }
  take(std::move(line));
  return out;
}

}  // namespace hemalink::simulate
