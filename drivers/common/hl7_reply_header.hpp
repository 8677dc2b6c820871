#pragma once

#include <chrono>

#include "drivers/model/message_id.hpp"
#include "protocols/hl7/v2_ack.hpp"

namespace hemalink::drivers {

/// A reply's own MSH-7 and MSH-10 (an ACK, an ORL, an application acknowledgement): UTC now with
/// its +0000 offset, and 20 hex characters of message ID `id` (48 bits of time, then random
/// bits), which fit every HL7 version's ST.
hl7::AckHeader reply_header(const model::MessageId& id, std::chrono::system_clock::time_point now);

}  // namespace hemalink::drivers
