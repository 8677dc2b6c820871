#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace hemalink::simulate {

/// `count` HL7 v2.5.1 OML^O21 orders as a LIS sends them: specimen i is `SMP` and i in 8 digits
/// and its patient `P` and i in 7 (the specimens and patients of the generated ASTM CBCs, so
/// generated orders and results meet), a full blood count and a differential, every tenth STAT.
std::vector<std::string> generate_orders(std::size_t count);

/// The messages of an orders file: HL7 messages each starting with MSH, or ASTM messages each
/// starting with an H record; blank lines between them are dropped, LF and CR LF read as CR.
std::vector<std::string> split_order_file(const std::string& text);

}  // namespace hemalink::simulate
