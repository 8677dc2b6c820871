#pragma once

#include <string>
#include <string_view>

#include "server/store/store_request.hpp"

namespace hemalink::store {

/// What identifies a message sent again: its bytes without the send time the sender may renew
/// on a resend (HL7 MSH-7; ASTM messages are compared whole), hashed with SHA-256 (32 bytes).
std::string resend_key(model::WireProtocol protocol, std::string_view raw);

/// `raw` with the HL7 MSH-7 value removed (unchanged when it has no MSH segment first).
std::string without_send_time(std::string_view raw);

}  // namespace hemalink::store
