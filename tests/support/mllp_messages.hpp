#pragma once

#include <string_view>
#include <vector>

#include "protocols/hl7/v2_message.hpp"

namespace hemalink::testing {

/// The HL7 messages in `written` (what a session wrote: MLLP frames), unframed and parsed, in
/// order; a frame that does not parse fails the test.
std::vector<hl7::V2Message> mllp_messages(std::string_view written);

}  // namespace hemalink::testing
