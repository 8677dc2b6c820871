#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace hemalink::bench {

/// Realistic complete blood counts (CBC + 5-part differential + RET + flags, 30 results), the
/// bulk of a hematology lab's traffic, generated from a seed so runs compare.
std::vector<std::string> hl7_oru_cbc_messages(std::size_t count, std::uint32_t seed);
std::vector<std::string> astm_cbc_messages(std::size_t count, std::uint32_t seed);

}  // namespace hemalink::bench
